"""Validate task form data against the task's JSON Schema, with a Chinese message per field."""

from __future__ import annotations

import re
from datetime import date

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


_DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _message(error) -> str:
    if error.validator == "format":
        if error.validator_value == "date" and isinstance(error.instance, str) and _DATE_SHAPE.match(error.instance):
            return "日期不存在"   # 2026-02-30: the shape is right, the day is not in the calendar
        return _FORMAT_MESSAGES.get(error.validator_value, _MESSAGES["format"])
    if error.validator == "minItems":
        return f"至少需要 {error.validator_value} 项"
    if error.validator == "maxLength":
        return f"不能超过 {error.validator_value} 个字符"
    return _MESSAGES.get(error.validator, "内容不符合要求")


_MISSING = ("required", "minLength", "pattern")


def _field_message(schema: dict, field: str, error) -> str:
    """A property's own wording for a missing or empty value (`x-error`), else the generic message."""
    prop = schema.get("properties", {}).get(field)
    custom = prop.get("x-error") if isinstance(prop, dict) and error.validator in _MISSING else None
    return custom if isinstance(custom, str) and custom else _message(error)


def _future_dates(schema: dict, data: dict, today: date) -> dict[str, list[str]]:
    """Dates a form marks `"x-not-future": true` that lie after today (a receipt date cannot be tomorrow)."""
    errors: dict[str, list[str]] = {}
    for name, prop in schema.get("properties", {}).items():
        value = data.get(name)
        if not (isinstance(prop, dict) and prop.get("x-not-future") and isinstance(value, str)):
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            continue    # the format check says what is wrong with it
        if day > today:
            errors[name] = [f"不能晚于今天（{today.isoformat()}）"]
    return errors


def validate(schema: dict, data: dict, today: date | None = None) -> dict[str, list[str]]:
    """Return {field: [messages]}; empty when the data is valid. Unknown fields are refused. With `today`, dates
    marked `x-not-future` must not lie after it."""
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
                field = _field_of(sub)
                errors.setdefault(field, []).append(_field_message(schema, field, sub))
            continue
        field = _field_of(error)
        errors.setdefault(field, []).append(_field_message(schema, field, error))
    if today is not None:
        for field, messages in _future_dates(schema, data, today).items():
            errors.setdefault(field, []).extend(messages)
    return errors
