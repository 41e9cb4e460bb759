"""Concurrent completion, the audit hash chain and tamper detection, reporter confidentiality."""

from __future__ import annotations

import logging
import threading

from click.testing import CliRunner
from sqlalchemy import select, text

from service.cases import actions
from service.cases.errors import Conflict
from service.models import AuditEvent, WorkItem
from tests.support.approval import REPORTER_NAME, approval_files, only_task, propose, register, start_demo_case


def test_twenty_concurrent_completions_of_one_task_let_exactly_one_win(api, deploy, svc, users):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    task = only_task(api("handler"), "propose")
    results: list[str] = []
    barrier = threading.Barrier(20)

    def attempt():
        barrier.wait()
        try:
            actions.complete_task(svc, users["handler"], task["id"], {"disposal": "予以了结"})
            results.append("ok")
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("ok") == 1 and results.count("conflict") == 19
    with svc.db.read_session() as session:
        completions = session.scalars(select(AuditEvent).where(
            AuditEvent.case_id == case["id"], AuditEvent.action == "task_completed",
            AuditEvent.task_bpmn_id == "propose")).all()
        assert len(completions) == 1
        assert session.scalar(select(WorkItem.resolution).where(WorkItem.task_id == task["id"])) == "completed"
    trail = api("auditor").get(f"/cases/{case['id']}/audit").json
    assert trail["chain"]["valid"] is True and trail["chain"]["checked"] == len(trail["events"])


def test_twenty_concurrent_api_completions_give_one_200_and_nineteen_409(api, deploy, app, users):
    from tests.conftest import ApiClient

    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    task = only_task(api("handler"), "propose")
    clients = [ApiClient(app, "handler") for _ in range(20)]
    statuses: list[int] = []
    barrier = threading.Barrier(20)

    def attempt(client):
        barrier.wait()
        statuses.append(client.post(f"/tasks/{task['id']}/complete", {"data": {"disposal": "予以了结"}}).status_code)

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * 19


def test_audit_chain_verifies_and_an_edited_row_breaks_it(api, deploy, svc, app):
    from service.cli import main

    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    propose(api)
    trail = api("auditor").get(f"/cases/{case['id']}/audit").json
    assert trail["chain"] == {"valid": True, "checked": 3, "broken_seq": None, "broken_event_id": None, "reason": ""}
    target = trail["events"][1]
    with svc.db.engine.begin() as conn:  # an insider editing the table directly
        conn.execute(text("UPDATE audit_events SET actor_name = '他人' WHERE id = :id"), {"id": target["id"]})
    broken = api("auditor").get(f"/cases/{case['id']}/audit").json["chain"]
    assert broken["valid"] is False and broken["broken_seq"] == 2 and broken["broken_event_id"] == target["id"]
    runner = CliRunner(env={"DATABASE_URL": svc.config.DATABASE_URL})
    result = runner.invoke(main, ["verify-audit"])
    assert result.exit_code == 1 and "损坏，第 2 条事件" in result.output
    result_one = runner.invoke(main, ["verify-audit", "--case", str(case["id"])])
    assert result_one.exit_code == 1


def test_verify_audit_passes_on_untouched_chains(api, deploy, svc):
    from service.cli import main

    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    result = CliRunner(env={"DATABASE_URL": svc.config.DATABASE_URL}).invoke(main, ["verify-audit"])
    assert result.exit_code == 0 and "完好" in result.output


def test_application_code_cannot_update_or_delete_audit_rows(api, deploy, svc):
    import pytest

    from service.models.audit import AuditRowImmutable

    deploy(approval_files())
    start_demo_case(api)
    with pytest.raises(AuditRowImmutable):
        with svc.db.write_session() as session:
            session.scalars(select(AuditEvent)).first().actor_name = "改动"
    with pytest.raises(AuditRowImmutable):
        with svc.db.write_session() as session:
            session.delete(session.scalars(select(AuditEvent)).first())


def test_reporter_name_appears_only_in_the_reporter_response(api, deploy, svc, caplog):
    caplog.set_level(logging.DEBUG)
    deploy(approval_files())
    bodies: list[str] = []
    case = start_demo_case(api)
    bodies.append(str(case))
    bodies.append(str(register(api, case)))
    for role in ("intake", "handler", "auditor", "supervisor"):
        bodies.append(api(role).get(f"/cases/{case['id']}").get_data(as_text=True))
        bodies.append(api(role).get("/tasks").get_data(as_text=True))
        bodies.append(api(role).get("/cases").get_data(as_text=True))
    bodies.append(api("auditor").get(f"/cases/{case['id']}/audit").get_data(as_text=True))
    bodies.append(api("auditor").get(f"/cases/{case['id']}/diagram").get_data(as_text=True))
    bodies.append(api("auditor").post(f"/cases/{case['id']}/reporter", {"reason": "x"}).get_data(as_text=True))
    revealed = api("intake").post(f"/cases/{case['id']}/reporter", {"reason": "回访"}).get_data(as_text=True)
    assert REPORTER_NAME in revealed
    assert all(REPORTER_NAME not in body for body in bodies)
    assert REPORTER_NAME not in caplog.text
    with svc.db.read_session() as session:
        assert REPORTER_NAME not in str([e.summary for e in session.scalars(select(AuditEvent))])
        assert REPORTER_NAME not in str(session.execute(text("SELECT state FROM cases")).all())
