"""Task forms in HTML: typed values from posted strings, and the field list a template renders."""

from __future__ import annotations

from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

RADIO_MAX_OPTIONS = 5
APPROVAL_DECISIONS = ("approve", "return")


@dataclass
class Field:
    name: str
    title: str
    kind: str  # text textarea date integer number radio select checkboxes lines boolean
    required: bool
    description: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    value: str | list[str] = ""
    errors: list[str] = field(default_factory=list)


def _items(prop: dict) -> dict:
    return prop.get("items") if isinstance(prop.get("items"), dict) else {}


def kind_of(prop: dict) -> str:
    """The widget for one JSON Schema property (docs/conventions.md)."""
    kind = prop.get("type")
    if kind == "array":
        return "checkboxes" if "enum" in _items(prop) else "lines"
    if kind == "boolean":
        return "boolean"
    if kind in ("integer", "number"):
        return kind
    if "enum" in prop:
        return "radio" if len(prop["enum"]) <= RADIO_MAX_OPTIONS else "select"
    if prop.get("format") == "date":
        return "date"
    return "textarea" if prop.get("x-widget") == "textarea" else "text"


def _number(text: str, kind: str):
    try:
        return int(text) if kind == "integer" or ("." not in text and "e" not in text.lower()) else float(text)
    except ValueError:
        return text  # the schema check reports the wrong type next to the field


def coerce(schema: dict, form: MultiDict) -> dict:
    """Turn posted strings into the types the schema asks for; empty inputs are left out."""
    data: dict = {}
    for name, prop in (schema or {}).get("properties", {}).items():
        if isinstance(prop, dict) and prop.get("readOnly"):
            continue    # assigned by the system (线索编号): shown with the case facts, never typed
        kind = kind_of(prop)
        if kind == "checkboxes":
            values = [v for v in form.getlist(name) if v != ""]
        elif kind == "lines":
            values = [line.strip() for line in form.get(name, "").splitlines() if line.strip()]
        else:
            values = None
        if values is not None:
            if values:
                data[name] = values
            continue
        text = form.get(name, "").strip()
        if text == "":
            continue
        if kind == "boolean":
            if text in ("true", "false"):
                data[name] = text == "true"
            continue
        data[name] = _number(text, kind) if kind in ("integer", "number") else text
    return data


def _as_text(value, kind: str) -> str | list[str]:
    """A typed value back as the string(s) an input shows."""
    if value is None:
        return [] if kind == "checkboxes" else ""
    if kind == "checkboxes":
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if kind == "lines":
        return "\n".join(map(str, value)) if isinstance(value, list) else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _options(prop: dict, kind: str) -> list[tuple[str, str]]:
    source = _items(prop) if kind == "checkboxes" else prop
    labels = source.get("x-enum-labels") or prop.get("x-enum-labels") or {}
    # null in an enum means "not given" (no choice made), never an option to click
    return [(str(v), labels.get(v, str(v))) for v in source.get("enum", []) if v is not None]


def _field_errors(errors: dict) -> dict[str, list[str]]:
    """Errors keyed by top-level field ("talkers.0" → "talkers")."""
    out: dict[str, list[str]] = {}
    for key, messages in (errors or {}).items():
        out.setdefault(str(key).split(".")[0], []).extend(messages if isinstance(messages, list) else [messages])
    return out


def build_fields(schema: dict, *, posted: MultiDict | None = None, initial: dict | None = None,
                 errors: dict | None = None) -> list[Field]:
    """The fields to render, with what was typed (posted) or the starting values, and errors per field."""
    required = set((schema or {}).get("required", []))
    by_field = _field_errors(errors)
    out = []
    for name, prop in (schema or {}).get("properties", {}).items():
        if isinstance(prop, dict) and prop.get("readOnly"):
            continue    # assigned by the system (线索编号): shown with the case facts, never typed
        kind = kind_of(prop)
        if posted is not None:
            value = posted.getlist(name) if kind == "checkboxes" else posted.get(name, "")
        else:
            start = (initial or {}).get(name, prop.get("default"))
            value = _as_text(start, kind)
        out.append(Field(name=name, title=prop.get("title", name), kind=kind, required=name in required,
                         description=prop.get("description", ""), options=_options(prop, kind), value=value,
                         errors=by_field.get(name, [])))
    return out


def other_errors(schema: dict, errors: dict | None) -> list[str]:
    """Messages that belong to no field of the form (shown above it)."""
    names = set((schema or {}).get("properties", {}))
    return [m for key, messages in _field_errors(errors).items() if key not in names for m in messages]


def is_approval(schema: dict | None) -> bool:
    """Approval forms carry `decision` with approve / return (docs/conventions.md)."""
    decision = (schema or {}).get("properties", {}).get("decision", {})
    return set(decision.get("enum", [])) == set(APPROVAL_DECISIONS)
