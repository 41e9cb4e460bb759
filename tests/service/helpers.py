"""Helpers for service tests: deploy the approval demo and drive it through the API."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import read_files

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPORTER_NAME = "冯哑元"
REGISTER_DATA = {
    "subject_name": "郝测试", "amount": 1200, "received_date": "2026-03-02", "is_real_name": True,
    "reporter_name": REPORTER_NAME, "reporter_phone": "13800000000",
}


def approval_files() -> dict[str, bytes]:
    return read_files(FIXTURES / "approval_demo")


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
