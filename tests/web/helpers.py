"""Shared by the page tests and the browser tests: the approval demo with a diagram, task lookup."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.conftest import read_files

DEMO = Path(__file__).resolve().parent.parent / "service" / "fixtures" / "approval_demo"
REGISTER = {"subject_name": "郝测试", "received_date": "2026-03-02", "is_real_name": True,
            "reporter_name": "钱举报", "reporter_phone": "13800000000"}


def demo_files() -> dict[str, bytes]:
    """The approval demo with a computed diagram (bpmndi), so bpmn-js can draw it."""
    from tools.bpmn_layout import layout_bytes

    files = read_files(DEMO)
    files["approval_demo.bpmn"] = layout_bytes(files["approval_demo.bpmn"])
    return files


def open_task_id(svc, case_id: int, bpmn_id: str) -> str | None:
    """The task id of the case's open work item for `bpmn_id`."""
    from service.models import WorkItem

    with svc.db.read_session() as session:
        return session.scalar(select(WorkItem.task_id).where(
            WorkItem.case_id == case_id, WorkItem.bpmn_id == bpmn_id, WorkItem.completed_at.is_(None)))
