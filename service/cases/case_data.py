"""What start data and task data may contain: never an engine-reserved name, only what the form declares.

The reserved names are defined once, in `workflows/reserved.py`; the process's settings come from its
deployed version (`settings/<process_key>.json`), never from case data.
"""

from __future__ import annotations

from datetime import date

from service.cases import forms
from service.cases.errors import InvalidInput
from service.cases.org.handling import START_KEY as DEPARTMENT_KEY
from service.cases.reporters import REPORTER_PREFIX
from workflows.reserved import reserved_keys
from workflows.specs import ProcessBundle

# Start parameters the service takes out before the engine sees the data (not case data, so not in start forms).
START_PARAMETERS = (DEPARTMENT_KEY,)
RESERVED_MESSAGE = "此名称由流程引擎保留，不能由数据设置（流程设置属于已部署的流程版本）"


def refuse_reserved(data: dict) -> None:
    """422 when the data sets an engine-reserved name (settings, linked_from, outcome, start_case_*, …)."""
    found = reserved_keys(data) if isinstance(data, dict) else []
    if found:
        raise InvalidInput("提交的数据含有引擎保留的名称", {k: [RESERVED_MESSAGE] for k in found},
                           code="reserved_name")


def check_form_data(schema: dict | None, data: dict, no_form: str = "此步骤没有表单，不接受提交数据",
                    today: date | None = None) -> None:
    """Refuse reserved names first, then validate against the form (no form: the data must be empty); with `today`,
    dates the form marks `x-not-future` must not lie after it."""
    if not isinstance(data, dict):
        raise InvalidInput("数据应为对象", {"data": ["数据应为对象"]})
    refuse_reserved(data)
    if schema is None:
        if data:
            raise InvalidInput(no_form, {k: ["表单中没有此字段"] for k in data})
        return
    errors = forms.validate(schema, data, today)
    if errors:
        raise InvalidInput("表单内容有误，请按提示修改", errors)


def check_start_data(bundle: ProcessBundle, data: dict, today: date | None = None) -> None:
    """A user's start data, validated against the process's start form (start parameters aside)."""
    schema = bundle.forms.get(bundle.start_form) if bundle.start_form else None
    fields = {k: v for k, v in data.items() if k not in START_PARAMETERS} if isinstance(data, dict) else data
    check_form_data(schema, fields, "此流程没有开始表单，发起时不接受数据", today)


def without_read_only(schema: dict | None, data: dict) -> dict:
    """The submission without the fields the form marks `readOnly` (numbers the system assigns, such as the
    线索编号): they are shown, never taken from a user."""
    props = (schema or {}).get("properties", {})
    return {k: v for k, v in data.items() if not (isinstance(props.get(k), dict) and props[k].get("readOnly"))}


def check_link_data(bundle: ProcessBundle, data: dict, where: str) -> None:
    """The data a process passes to a linked case: the target's start form, and no reporter identity."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: 关联案件的数据应为对象", code="invalid_link_data")
    reporter = sorted(k for k in data if k.startswith(REPORTER_PREFIX))
    try:
        if reporter:
            raise InvalidInput("举报人信息不能传给关联案件", {k: ["举报人信息单独保密存放"] for k in reporter})
        check_start_data(bundle, data)
    except InvalidInput as exc:
        message = f"{where}: 关联案件的数据不符合“{bundle.name}”的开始表单：{exc.message}（{_fields(exc.errors)}）"
        raise InvalidInput(message, exc.errors, code="invalid_link_data") from exc


def _fields(errors) -> str:
    if isinstance(errors, dict):
        return "；".join(f"{k}: {'、'.join(map(str, v))}" for k, v in errors.items())
    return str(errors)
