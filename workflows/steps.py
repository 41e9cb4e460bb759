"""What a workflow looks like after an engine step, as one value the service projects without calling back."""

from __future__ import annotations

from dataclasses import dataclass

from .engine import ReadyTask, WaitingTimer, WorkflowEngine


@dataclass(frozen=True)
class StepResult:
    """The workflow after a step (start, completion, timers, migration): everything the case rows need."""

    state: dict                 # the JSON state to store (engine.dump)
    ready: list[ReadyTask]      # READY human tasks
    timers: list[WaitingTimer]  # waiting timers with their due times
    data: dict                  # the case data (engine.case_data)
    completed: bool
    outcome: str | None
    case_requests: dict[str, dict]  # `start_case_<name>` requests in the data, by name


def step_result(engine: WorkflowEngine, wf) -> StepResult:
    """Read everything the projections need from `wf`, once."""
    data = engine.case_data(wf)
    ready, timers = engine.ready_human_tasks(wf), engine.waiting_timers(wf)
    completed = engine.is_completed(wf)
    outcome = engine.outcome(wf, data) if completed else data.get("outcome")
    return StepResult(
        ready=ready, timers=timers, data=data, completed=completed,
        outcome=outcome if isinstance(outcome, str) else None, case_requests=engine.case_requests(wf, data),
        state=engine.dump(wf))  # last: dumping prunes the finished history from `wf`
