"""What a completed step decided, read from its form and the submitted data: the decision's label (同意,
退回修改, the option chosen), the opinion given, and whether it returned the work (退回).

An approval form has a `decision` field (`approve` / `return` / …); any other form may name the field whose
choice decides where the case goes with `"x-decision": "<field>"`. The opinion is the `opinion` field.
"""

from __future__ import annotations

from dataclasses import dataclass

RETURN_VALUES = frozenset({"return"})
MAX_OPINION = 2000


@dataclass(frozen=True)
class Decision:
    label: str | None
    opinion: str | None
    returned: bool


NONE = Decision(None, None, False)


def decision_field(schema: dict | None) -> str | None:
    """The field whose value is the step's decision, if the form has one."""
    props = (schema or {}).get("properties", {})
    if "decision" in props:
        return "decision"
    named = (schema or {}).get("x-decision")
    return named if isinstance(named, str) and named in props else None


def _label(prop: dict, value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    labels = prop.get("x-enum-labels") or {}
    return str(labels.get(value, value)) if isinstance(value, (str, int, float)) else str(value)


def decision_of(schema: dict | None, data: dict) -> Decision:
    """The decision a submission takes (label truncated to the column), its opinion, and whether it returns."""
    field = decision_field(schema)
    opinion = data.get("opinion") if isinstance(data.get("opinion"), str) else None
    opinion = (opinion or "").strip()[:MAX_OPINION] or None
    if field is None or data.get(field) in (None, ""):
        return Decision(None, opinion, False)
    value = data[field]
    prop = schema["properties"][field]
    return Decision(_label(prop, value)[:64], opinion, field == "decision" and value in RETURN_VALUES)
