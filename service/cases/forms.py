"""Validate task form data against the task's JSON Schema, with a Chinese message per field."""

from __future__ import annotations

from referencing.exceptions import Unresolvable

from workflows.formschema import PatternUnsupported, form_validator
from workflows.jsondata import json_problem

_MESSAGES = {
    "required": "此项为必填项",
    "type": "类型不正确",
    "enum": "请从给定选项中选择",
    "format": "格式不正确",
    "minItems": "选择的项目数量不足",
    "maxItems": "选择的项目过多",
    "minLength": "内容过短",
    "maxLength": "内容过长",
    "minimum": "数值过小",
    "maximum": "数值过大",
    "uniqueItems": "选项不能重复",
    "pattern": "格式不正确",
    "const": "取值不正确",
}
_FORMAT_MESSAGES = {"date": "日期格式应为 YYYY-MM-DD", "date-time": "时间格式不正确", "email": "邮箱格式不正确"}


def _field_of(error) -> str:
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        return ".".join([*map(str, error.absolute_path), missing]).strip(".")
    return ".".join(map(str, error.absolute_path)) or "_form"


def _message(error) -> str:
    if error.validator == "format":
        return _FORMAT_MESSAGES.get(error.validator_value, _MESSAGES["format"])
    if error.validator == "minItems":
        return f"至少需要 {error.validator_value} 项"
    if error.validator == "maxLength":
        return f"不能超过 {error.validator_value} 个字符"
    return _MESSAGES.get(error.validator, "内容不符合要求")


def validate(schema: dict, data: dict) -> dict[str, list[str]]:
    """Return {field: [messages]}; empty when the data is valid. Unknown fields are refused."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        return {"_form": ["表单数据应为对象"]}
    found = json_problem(data)
    if found:   # NaN/Infinity would be stored on SQLite, served as invalid JSON and refused by PostgreSQL
        errors.setdefault(found[0] or "_form", []).append(found[1])
        return errors
    known = set(schema.get("properties", {}))
    if schema.get("additionalProperties", False) is not True:
        for key in data:
            if key not in known:
                errors.setdefault(key, []).append("表单中没有此字段")
    try:
        found = sorted(form_validator(schema).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    except PatternUnsupported as exc:   # deployed before check/deploy refused such patterns
        errors.setdefault("_form", []).append(f"表单的格式规则不受支持: {exc}")
        return errors
    except Unresolvable as exc:   # a reference outside the form: never fetched (deploy refuses them)
        errors.setdefault("_form", []).append(f"表单定义引用了不可用的外部内容: {exc}")
        return errors
    for error in found:
        if error.validator in ("if", "then", "else", "allOf", "anyOf", "oneOf") and error.context:
            for sub in error.context:
                errors.setdefault(_field_of(sub), []).append(_message(sub))
            continue
        errors.setdefault(_field_of(error), []).append(_message(error))
    return errors
