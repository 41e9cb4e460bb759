"""Keep the case row, work items and timers in step with the engine state, inside the action's transaction.

One writer for every action: `write_projections` takes the engine's `StepResult` (it never calls back
into the engine) and writes through prebuilt statements (`statements.py`). What changes is decided by
pure functions (`plan_work_items`, `new_item_values`, `timer_values`, `case_columns`). Actions that hold
the case as an ORM object call `project_case`, which flushes first and lets the ORM re-read afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy.orm import Session

from service.cases import statements as sql
from service.cases.decisions import NONE as NO_DECISION
from service.cases.decisions import Decision
from service.cases.stats.facts import fact_columns
from service.models import Case
from workflows.engine import ReadyTask, WaitingTimer
from workflows.steps import StepResult

# Case data copied to columns for lists and filters (`restricted_circle`: set at registration by
# jurisdiction.py, read by need to know; the statistics facts, cadre_level among them, are stats/facts.py's;
# what a clue alleges: repeat clues about the same cadre are found by it, cadres.py).
BUSINESS_COLUMNS = {"subject_name": 64, "subject_unit": 128, "clue_no": 32, "restricted_circle": 16,
                    "allegation_summary": 500, "allegation_category": 32}


def parse_due(value: str | None) -> datetime | None:
    if not value:
        return None
    due = datetime.fromisoformat(value)
    if due.tzinfo is None:
        raise ValueError(f"deadline without time zone: {value}")
    return due.astimezone(UTC)  # as the database gives it back


@dataclass(frozen=True)
class WorkItemPlan:
    """Open work items to close (by task id) and ready tasks that need a new work item."""

    completed: list[str]
    cancelled: list[str]
    new: list[ReadyTask]


def plan_work_items(open_task_ids: list[str], ready: list[ReadyTask], completed_task_id: str | None) -> WorkItemPlan:
    """Items no longer ready close (the completed task as completed, others cancelled); new ready tasks open."""
    ready_ids = {t.id for t in ready}
    closing = [task_id for task_id in open_task_ids if task_id not in ready_ids]
    known = set(open_task_ids)
    return WorkItemPlan(completed=[t for t in closing if t == completed_task_id],
                        cancelled=[t for t in closing if t != completed_task_id],
                        new=[t for t in ready if t.id not in known])


def new_item_values(case_id: int, task: ReadyTask, now: datetime, returned_by_item_id: int | None = None) -> dict:
    return dict(case_id=case_id, task_id=task.id, bpmn_id=task.bpmn_id, title=task.name or task.bpmn_id,
                role=task.role or "", lane=task.lane or "", approves=task.approves, form=task.form,
                instructions=task.instructions or "", due_at=parse_due(task.due_at), created_at=now,
                assignee_id=None, returned_by_item_id=returned_by_item_id)


def timer_values(case_id: int, timers: list[WaitingTimer], now: datetime) -> list[dict]:
    return [dict(case_id=case_id, task_id=t.task_id, bpmn_id=t.bpmn_id, name=t.name or "", due_at=t.due_at,
                 created_at=now) for t in timers]


def case_columns(step: StepResult, open_titles, open_dues, now: datetime, closed_at: datetime | None,
                 version: int | None) -> dict:
    """The case row's columns derived from the step and the case's open items after it."""
    values = {"state": step.state, "updated_at": now, "version": (version or 0) + 1,
              "stage": "、".join(sorted(set(open_titles)))[:256]}
    for column, limit in BUSINESS_COLUMNS.items():
        value = step.data.get(column)
        if isinstance(value, str) and value:
            values[column] = value[:limit]
    values.update(fact_columns(step.data))
    if step.completed:
        values.update(status="completed", closed_at=closed_at or now, outcome=step.outcome)
    else:
        values.update(status="open", outcome=step.outcome)
    dues = [due for due in open_dues if due]
    values["due_at"] = min(dues) if dues else None
    return values


@dataclass(frozen=True)
class Projected:
    """What the writer left: the open work items (TaskOut fields), the timer rows and the case columns."""

    open_items: list
    timers: list[dict]
    columns: dict


def write_projections(conn, case_id: int, step: StepResult, open_rows: list, now: datetime, *,
                      actor_id: int | None, completed_task_id: str | None, has_timers: bool,
                      handler_id: int | None, closed_at: datetime | None, version: int | None,
                      decision: Decision = NO_DECISION, completed_item_id: int | None = None,
                      completed_as: str | None = None) -> Projected:
    """Close work items no longer ready (the completed one with its decision and the position it was done as),
    open new ones (marked as returned when the decision returned the work), replace the timer rows, update the
    case row."""
    plan = plan_work_items([r.task_id for r in open_rows], step.ready, completed_task_id)
    if plan.completed:
        conn.execute(sql.CLOSE_ITEMS, {"task_ids": plan.completed, "now": now, "resolution": "completed",
                                       "completed_by_id": actor_id, "decision": decision.label,
                                       "opinion": decision.opinion, "completed_as": completed_as})
    if plan.cancelled:
        conn.execute(sql.CLOSE_ITEMS, {"task_ids": plan.cancelled, "now": now, "resolution": "cancelled",
                                       "completed_by_id": None, "decision": None, "opinion": None,
                                       "completed_as": None})
    returned_by = completed_item_id if decision.returned and plan.completed else None
    new = [new_item_values(case_id, task, now, returned_by) for task in plan.new]
    if new:
        conn.execute(sql.INSERT_ITEMS, new)
    closing = set(plan.completed) | set(plan.cancelled)
    open_items = [r for r in open_rows if r.task_id not in closing] + [SimpleNamespace(**values) for values in new]
    if has_timers:
        conn.execute(sql.DELETE_TIMERS, {"case_id": case_id})
    timers = timer_values(case_id, step.timers, now)
    if timers:
        conn.execute(sql.INSERT_TIMERS, timers)
    columns = case_columns(step, [i.title for i in open_items], [i.due_at for i in open_items], now, closed_at,
                           version)
    conn.execute(sql.UPDATE_CASE, {"case_id": case_id, "handler_id": handler_id, **columns})
    return Projected(open_items, timers, columns)


def project_case(session: Session, case: Case, step: StepResult, now: datetime, actor_id: int | None = None,
                 completed_task_id: str | None = None) -> Projected:
    """`write_projections` for an action holding the case as an ORM object: flush first, re-read after."""
    session.flush()
    conn = session.connection()
    open_rows = conn.execute(sql.OPEN_ITEMS, {"case_id": case.id, "actor_id": None}).all()
    done = write_projections(conn, case.id, step, open_rows, now, actor_id=actor_id,
                             completed_task_id=completed_task_id, has_timers=True, handler_id=case.handler_id,
                             closed_at=case.closed_at, version=case.version)
    session.expire_all()  # the ORM's copies of the rows just written are stale
    return done
