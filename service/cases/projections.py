"""Keep the case row, work items and timers in step with the engine state, inside the action's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.models import Case, Timer, WorkItem
from workflows.engine import WorkflowEngine

BUSINESS_COLUMNS = {"subject_name": 64, "subject_unit": 128, "clue_no": 32}


def parse_due(value: str | None) -> datetime | None:
    if not value:
        return None
    due = datetime.fromisoformat(value)
    if due.tzinfo is None:
        raise ValueError(f"deadline without time zone: {value}")
    return due


def sync_work_items(
    session: Session, engine: WorkflowEngine, case: Case, wf, now: datetime, actor_id: int | None,
    completed_task_id: str | None,
) -> list[WorkItem]:
    """Close work items that are no longer ready, open one for each new ready human task."""
    ready = {t.id: t for t in engine.ready_human_tasks(wf)}
    open_items = session.scalars(
        select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.completed_at.is_(None))
    ).all()
    still_open = []
    for item in open_items:
        if item.task_id in ready:
            still_open.append(item)
            continue
        item.completed_at = now
        if item.task_id == completed_task_id:
            item.resolution, item.completed_by_id = "completed", actor_id
        else:
            item.resolution = "cancelled"
    known = {item.task_id for item in open_items}
    for task in ready.values():
        if task.id in known:
            continue
        item = WorkItem(
            case_id=case.id, task_id=task.id, bpmn_id=task.bpmn_id, title=task.name or task.bpmn_id,
            role=task.role or "", lane=task.lane or "", approves=task.approves, form=task.form,
            instructions=task.instructions or "", due_at=parse_due(task.due_at), created_at=now,
        )
        session.add(item)
        still_open.append(item)
    return still_open


def sync_timers(session: Session, engine: WorkflowEngine, case: Case, wf, now: datetime) -> None:
    session.execute(delete(Timer).where(Timer.case_id == case.id))
    for timer in engine.waiting_timers(wf):
        session.add(Timer(case_id=case.id, task_id=timer.task_id, bpmn_id=timer.bpmn_id, name=timer.name or "",
                          due_at=timer.due_at, created_at=now))


def sync_case_row(engine: WorkflowEngine, case: Case, wf, open_items: list[WorkItem], now: datetime) -> None:
    """Copy the state and the list columns onto the case row and bump its version."""
    data = engine.case_data(wf)
    case.state = engine.dump(wf)
    for column, limit in BUSINESS_COLUMNS.items():
        value = data.get(column)
        if isinstance(value, str) and value:
            setattr(case, column, value[:limit])
    if engine.is_completed(wf):
        case.status, case.closed_at = "completed", case.closed_at or now
        case.outcome = engine.outcome(wf)
    else:
        case.status = "open"
        case.outcome = data.get("outcome") if isinstance(data.get("outcome"), str) else None
    case.stage = "、".join(sorted({item.title for item in open_items}))[:256]
    dues = [item.due_at for item in open_items if item.due_at]
    case.due_at = min(dues) if dues else None
    case.updated_at = now
    case.version = (case.version or 0) + 1
