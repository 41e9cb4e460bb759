"""Cross-field checks a form declares (`x-checks`): submissions whose fields contradict each other are refused.

JSON Schema checks one field at a time; some rules relate two fields, or a field and the case so far (a team
smaller than the process's setting, 基本属实 together with 举报不实). A form lists them as

    "x-checks": [{"when": "<sandbox expression>", "fields": ["a", "b"], "message": "中文说明"}]

`when` is evaluated by the sandbox over the task's data with the submitted fields laid over it; when it is
true the submission is refused and the message is reported on every field named, so the user sees both
sides of the contradiction. Nothing is sent back or looped: the task stays where it was.
"""

from __future__ import annotations

from .sandbox import check_expression

KEY = 'x-checks'


def declared(schema: dict | None) -> list[dict]:
    """The form's checks (empty when it declares none)."""
    checks = schema.get(KEY) if isinstance(schema, dict) else None
    return checks if isinstance(checks, list) else []


def problems(schema: dict) -> list[str]:
    """Why the form's `x-checks` cannot run (static check at deployment)."""
    raw = schema.get(KEY) if isinstance(schema, dict) else None
    if raw is None:
        return []
    if not isinstance(raw, list):
        return [f"{KEY} 应为列表"]
    found, fields = [], set(schema.get('properties') or {})
    for index, check in enumerate(raw, 1):
        if not isinstance(check, dict) or not isinstance(check.get('when'), str) \
                or not isinstance(check.get('message'), str) or not isinstance(check.get('fields'), list) \
                or not check['fields']:
            found.append(f"{KEY} 第 {index} 条应包含 when（表达式）、fields（字段列表）和 message（说明）")
            continue
        message = check_expression(check['when'])
        if message:
            found.append(f"{KEY} 第 {index} 条的表达式不被沙箱接受: {message}")
        unknown = [f for f in check['fields'] if f not in fields]
        if unknown:
            found.append(f"{KEY} 第 {index} 条引用了表单中没有的字段: {', '.join(map(str, unknown))}")
    return found


def violations(evaluate, checks: list[dict], task_data: dict, submitted: dict) -> dict[str, list[str]]:
    """{field: [messages]} of the checks whose `when` holds for the task data overlaid with the submission."""
    context = {**task_data, **submitted}
    errors: dict[str, list[str]] = {}
    for check in checks:
        if evaluate(check['when'], context):
            for name in check['fields']:
                errors.setdefault(name, []).append(check['message'])
    return errors
