"""Parse the ISO 8601 text of a BPMN timer the way SpiffWorkflow will when the timer starts."""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

_PARSERS = {"timeDate": TimerEventDefinition.get_datetime,
            "timeDuration": TimerEventDefinition.parse_iso_duration,
            "timeCycle": TimerEventDefinition.parse_iso_recurring_interval}
KINDS = tuple(_PARSERS)


def timer_text_is_valid(kind: str, value: str) -> bool:
    """Whether `value` parses as a `kind` timer (timeDate, timeDuration or timeCycle)."""
    try:
        _PARSERS[kind](value)
    except Exception:  # noqa: BLE001  (Spiff raises bare Exception/ValueError/AttributeError for bad ISO text)
        return False
    return True
