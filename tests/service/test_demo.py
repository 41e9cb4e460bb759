"""Demo data loads through the real actions and covers every process at a meaningful stage."""

from pathlib import Path

from sqlalchemy import func, select

from service.cases import audit
from service.demo import load_demo
from service.deploy import deploy_directory
from service.models import Case, User, WorkItem

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"


def test_demo_data_has_users_and_a_case_of_every_process(svc):
    deploy_directory(svc, BPMN_DIR)
    assert load_demo(svc) is True
    assert load_demo(svc) is False  # only when the database is empty
    with svc.db.read_session() as session:
        assert session.scalar(select(func.count(User.id))) >= 10
        keys = set(session.scalars(select(Case.process_key)))
        assert keys == {"clue_handling", "four_forms_disposition", "fault_tolerance", "false_report_clearance",
                        "follow_up_visit", "integrity_opinion"}
        assert session.scalar(select(func.count(Case.id)).where(Case.status == "completed")) >= 2
        open_roles = set(session.scalars(select(WorkItem.role).where(WorkItem.completed_at.is_(None))))
        assert {"intake", "handler", "supervisor"} <= open_roles
        for chain in audit.all_chains(session):
            assert audit.verify(session, chain).valid


def test_processes_endpoint_lists_the_six_processes_for_intake_and_handler_together(app, svc, users):
    from service.cases import accounts
    from tests.conftest import ApiClient

    deploy_directory(svc, BPMN_DIR)
    accounts.create_user(svc, "registrar", "甄登记", "qingfeng-demo", ["intake", "handler"])
    keys = [p["key"] for p in ApiClient(app, "registrar").get("/processes").json]
    assert keys == ["clue_handling", "false_report_clearance", "fault_tolerance", "follow_up_visit",
                    "four_forms_disposition", "integrity_opinion"]
    assert "clue_handling" not in [p["key"] for p in ApiClient(app, "handler").get("/processes").json]
