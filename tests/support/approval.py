"""The approval demo (tests/service/fixtures/approval_demo): its files, one registration payload, and
steps that drive it through the API or find its open tasks."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.conftest import read_files

FIXTURES = Path(__file__).resolve().parent.parent / "service" / "fixtures"
DEMO = FIXTURES / "approval_demo"
REPORTER_NAME = "冯哑元"
REGISTER_DATA = {
    "subject_name": "郝测试", "amount": 1200, "received_date": "2026-03-02", "is_real_name": True,
    "reporter_name": REPORTER_NAME, "reporter_phone": "13800000000",
}


def approval_files() -> dict[str, bytes]:
    return read_files(DEMO)


def demo_files() -> dict[str, bytes]:
    """The approval demo with a computed diagram (bpmndi), so bpmn-js can draw it."""
    from tools.bpmn_layout import layout_bytes

    files = approval_files()
    files["approval_demo.bpmn"] = layout_bytes(files["approval_demo.bpmn"])
    return files


def open_task_id(svc, case_id: int, bpmn_id: str) -> str | None:
    """The task id of the case's open work item for `bpmn_id`."""
    from service.models import WorkItem

    with svc.db.read_session() as session:
        return session.scalar(select(WorkItem.task_id).where(
            WorkItem.case_id == case_id, WorkItem.bpmn_id == bpmn_id, WorkItem.completed_at.is_(None)))


def only_task(client, bpmn_id: str) -> dict:
    tasks = [t for t in client.get("/tasks").json if t["bpmn_id"] == bpmn_id]
    assert len(tasks) == 1, tasks
    return tasks[0]


def start_demo_case(api, title: str = "关于郝测试公车私用的举报") -> dict:
    response = api("intake").post("/cases", {"process_key": "approval_demo", "title": title,
                                     "data": {"department": "第一监督检查室"}})
    assert response.status_code == 201, response.json
    return response.json


def register(api, case: dict, data: dict | None = None) -> dict:
    task = only_task(api("intake"), "register")
    response = api("intake").post(f"/tasks/{task['id']}/complete", {"data": data or REGISTER_DATA})
    assert response.status_code == 200, response.json
    return response.json


def propose(api, who: str = "handler", disposal: str = "予以了结") -> dict:
    task = only_task(api(who), "propose")
    response = api(who).post(f"/tasks/{task['id']}/complete", {"data": {"disposal": disposal}})
    assert response.status_code == 200, response.json
    return response.json
