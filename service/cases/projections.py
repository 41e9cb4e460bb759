"""Keep the case row, work items and timers in step with the engine state, inside the action's transaction.

What changes is decided once, by pure functions (`plan_work_items`, `new_item_values`, `timer_values`,
`case_columns`). Two appliers write it: the ORM ones (`sync_*`) for the rarer actions that hold ORM
objects, and the Core ones (`write_*`, prebuilt statements) for the task-completion path
(`actions.complete_task`), the hot path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.cases import statements as sql
from service.models import Case, Timer, WorkItem
from workflows.engine import ReadyTask, WorkflowEngine

BUSINESS_COLUMNS = {"subject_name": 64, "subject_unit": 128, "clue_no": 32}


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


def new_item_values(case_id: int, task: ReadyTask, now: datetime) -> dict:
    return dict(case_id=case_id, task_id=task.id, bpmn_id=task.bpmn_id, title=task.name or task.bpmn_id,
                role=task.role or "", lane=task.lane or "", approves=task.approves, form=task.form,
                instructions=task.instructions or "", due_at=parse_due(task.due_at), created_at=now,
                assignee_id=None)


def timer_values(case_id: int, engine: WorkflowEngine, wf, now: datetime) -> list[dict]:
    return [dict(case_id=case_id, task_id=t.task_id, bpmn_id=t.bpmn_id, name=t.name or "", due_at=t.due_at,
                 created_at=now) for t in engine.waiting_timers(wf)]


def case_columns(engine: WorkflowEngine, wf, data: dict, open_titles, open_dues, now: datetime,
                 closed_at: datetime | None, version: int | None) -> dict:
    """The case row's columns derived from the workflow (`data` = engine.case_data(wf)) and its open items."""
    values = {"state": engine.dump(wf), "updated_at": now, "version": (version or 0) + 1,
              "stage": "、".join(sorted(set(open_titles)))[:256]}
    for column, limit in BUSINESS_COLUMNS.items():
        value = data.get(column)
        if isinstance(value, str) and value:
            values[column] = value[:limit]
    if engine.is_completed(wf):
        values.update(status="completed", closed_at=closed_at or now, outcome=engine.outcome(wf, data))
    else:
        outcome = data.get("outcome")
        values.update(status="open", outcome=outcome if isinstance(outcome, str) else None)
    dues = [due for due in open_dues if due]
    values["due_at"] = min(dues) if dues else None
    return values


# ---- ORM appliers ----

def sync_work_items(
    session: Session, engine: WorkflowEngine, case: Case, wf, now: datetime, actor_id: int | None,
    completed_task_id: str | None,
) -> list[WorkItem]:
    """Close work items that are no longer ready, open one for each new ready human task."""
    open_items = session.scalars(
        select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.completed_at.is_(None))
    ).all()
    plan = plan_work_items([item.task_id for item in open_items], engine.ready_human_tasks(wf), completed_task_id)
    closing = set(plan.completed) | set(plan.cancelled)
    still_open = []
    for item in open_items:
        if item.task_id not in closing:
            still_open.append(item)
            continue
        item.completed_at = now
        if item.task_id in plan.completed:
            item.resolution, item.completed_by_id = "completed", actor_id
        else:
            item.resolution = "cancelled"
    for task in plan.new:
        item = WorkItem(**new_item_values(case.id, task, now))
        session.add(item)
        still_open.append(item)
    return still_open


def sync_timers(session: Session, engine: WorkflowEngine, case: Case, wf, now: datetime) -> None:
    session.execute(delete(Timer).where(Timer.case_id == case.id))
    for values in timer_values(case.id, engine, wf, now):
        session.add(Timer(**values))


def sync_case_row(engine: WorkflowEngine, case: Case, wf, open_items: list[WorkItem], now: datetime) -> None:
    """Copy the state and the list columns onto the case row and bump its version."""
    values = case_columns(engine, wf, engine.case_data(wf), [item.title for item in open_items],
                          [item.due_at for item in open_items], now, case.closed_at, case.version)
    for column, value in values.items():
        setattr(case, column, value)


# ---- Core appliers (the completion path) ----

def write_work_items(conn, engine: WorkflowEngine, case_id: int, open_rows: list, wf, now: datetime, actor_id: int,
                     completed_task_id: str) -> list:
    """`sync_work_items` in prebuilt statements, from the open items already read; returns the open items after."""
    plan = plan_work_items([r.task_id for r in open_rows], engine.ready_human_tasks(wf), completed_task_id)
    if plan.completed:
        conn.execute(sql.CLOSE_ITEMS, {"task_ids": plan.completed, "now": now, "resolution": "completed",
                                       "completed_by_id": actor_id})
    if plan.cancelled:
        conn.execute(sql.CLOSE_ITEMS, {"task_ids": plan.cancelled, "now": now, "resolution": "cancelled",
                                       "completed_by_id": None})
    new = [new_item_values(case_id, task, now) for task in plan.new]
    if new:
        conn.execute(sql.INSERT_ITEMS, new)
    closing = set(plan.completed) | set(plan.cancelled)
    return [r for r in open_rows if r.task_id not in closing] + [SimpleNamespace(**values) for values in new]


def write_timers(conn, engine: WorkflowEngine, case_id: int, has_rows: bool, wf, now: datetime) -> list[dict]:
    """`sync_timers` in prebuilt statements (no delete when the case had no timer rows); returns the rows."""
    if has_rows:
        conn.execute(sql.DELETE_TIMERS, {"case_id": case_id})
    timers = timer_values(case_id, engine, wf, now)
    if timers:
        conn.execute(sql.INSERT_TIMERS, timers)
    return timers
