"""How much one engine run may do, and which timer values are sane.

A deployed process must not be able to stall the service.  Two kinds of bound:

- Static (check/deploy, workflows.lint): a cycle of flow nodes with no wait state, a cycle timer
  firing more often than `min_cycle_seconds`, durations longer than `max_duration_days` and dates
  outside `min_year`..`max_year` are refused.
- Dynamic (every engine run inside a request or a timer firing, workflows.engine): at most
  `max_steps` automatic tasks and `max_seconds` of the thread's CPU time, and the same timer rules
  applied to the values timer expressions produce at run time (they may depend on case data).

Timer values are checked here before SpiffWorkflow computes them: its duration arithmetic loops
once per month of the duration (`P99999999999Y` never returns) and a zero cycle fires forever.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .errors import RunLimitExceeded

TIMER_KINDS = ('timeDate', 'timeDuration', 'timeCycle')
_DAYS = {'years': 366, 'months': 31, 'weeks': 7, 'days': 1, 'hours': 1 / 24, 'minutes': 1 / 1440,
         'seconds': 1 / 86400}
_LOW_SECONDS = {'years': 365 * 86400, 'months': 28 * 86400, 'weeks': 7 * 86400, 'days': 86400, 'hours': 3600,
                'minutes': 60, 'seconds': 1}


@dataclass(frozen=True)
class RunBounds:
    """Limits of engine runs and timer values (service settings; these defaults are the documented ones)."""

    max_steps: int = 1000            # automatic tasks (scripts, gateways, events) run by one request/firing
    max_seconds: float = 5.0         # CPU seconds of the running thread for one engine run
    min_cycle_seconds: int = 60      # shortest interval of a cycle timer
    max_duration_days: int = 3660    # longest timer duration or cycle interval (about ten years)
    min_year: int = 1970             # timer dates must lie in these years
    max_year: int = 2100


DEFAULT_BOUNDS = RunBounds()


def _duration_days(text: str) -> float:
    """Upper estimate of an ISO 8601 duration in days, without Spiff's per-month loop."""
    parsed = TimerEventDefinition.parse_iso_duration(text)   # raises on malformed text
    return sum(_DAYS[unit] * float(value) for unit, value in parsed.items())


def _duration_seconds_at_least(text: str) -> float:
    parsed = TimerEventDefinition.parse_iso_duration(text)
    return sum(_LOW_SECONDS[unit] * float(value) for unit, value in parsed.items())


def _date_problem(text: str, bounds: RunBounds) -> str | None:
    try:
        moment = TimerEventDefinition.parse_time_or_duration(text)
    except Exception:
        return f"{text} 不是有效的 ISO 8601 时间"
    if not isinstance(moment, datetime):
        return f"{text} 不是时间"
    if not bounds.min_year <= moment.year <= bounds.max_year:
        return f"时间 {text} 超出允许范围 ({bounds.min_year}–{bounds.max_year} 年)"
    return None


def _duration_problem(text: str, bounds: RunBounds) -> str | None:
    try:
        days = _duration_days(text)
    except Exception:
        return f"{text} 不是有效的 ISO 8601 时长"
    if days > bounds.max_duration_days:
        return f"时长 {text} 超过上限 {bounds.max_duration_days} 天"
    return None


def _cycle_problem(text: str, bounds: RunBounds) -> str | None:
    parts = text.upper().replace('--', '/').split('/')
    if len(parts) not in (2, 3) or not parts[0].startswith('R') or not (parts[0][1:] == '' or parts[0][1:].isdigit()):
        return f"{text} 不是有效的 ISO 8601 循环 (例如 R/PT1H 或 R3/2026-01-01T09:00/P1D)"
    durations = [p for p in parts[1:] if p.startswith('P')]
    if len(durations) != 1:
        return f"循环 {text} 须恰好包含一个时长"
    for part in parts[1:]:
        problem = _duration_problem(part, bounds) if part.startswith('P') else _date_problem(part, bounds)
        if problem:
            return problem
    if _duration_seconds_at_least(durations[0]) < bounds.min_cycle_seconds:
        return f"循环定时器间隔 {durations[0]} 短于下限 {bounds.min_cycle_seconds} 秒"
    return None


def timer_problem(kind: str, value, bounds: RunBounds = DEFAULT_BOUNDS) -> str | None:
    """Why a timer value (`kind` one of TIMER_KINDS) is refused, or None when it is sane."""
    if not isinstance(value, str):
        return f"定时器表达式应得到 ISO 8601 字符串，而不是 {type(value).__name__}"
    text = value.strip()
    if kind == 'timeCycle':
        return _cycle_problem(text, bounds)
    if kind == 'timeDuration' or text.upper().startswith('P'):
        return _duration_problem(text, bounds)
    return _date_problem(text, bounds)


class RunBudget:
    """Counts the automatic tasks of one engine run; pass as `will_complete_task` to do_engine_steps."""

    def __init__(self, bounds: RunBounds):
        self.bounds = bounds
        self.steps = 0
        self.deadline = time.thread_time() + bounds.max_seconds

    def __call__(self, task) -> None:
        self.steps += 1
        spec = task.task_spec
        where = getattr(spec, 'bpmn_id', None) or spec.name
        if self.steps > self.bounds.max_steps:
            raise _exceeded(task, f"{where}: 流程一次运行的自动步骤超过上限 {self.bounds.max_steps} 步"
                                  "（可能是没有等待环节的循环），已撤销本次操作")
        if time.thread_time() > self.deadline:
            raise _exceeded(task, f"{where}: 流程一次运行超过时间上限 {self.bounds.max_seconds:g} 秒，已撤销本次操作")


def _exceeded(task, message: str) -> RunLimitExceeded:
    error = RunLimitExceeded(message)
    error.bpmn_id = getattr(task.task_spec, 'bpmn_id', None) or task.task_spec.name
    error.task_id = str(task.id)
    return error
