"""`qingfeng workdays`, `qingfeng holidays` and `qingfeng run-timers` against the test database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from service.cli import main
from service.models import AuditEvent, WorkItem
from tests.service.test_deadlines import demo_case, open_bpmn_ids
from workflows.calendar import WorkCalendar


@pytest.fixture
def cli(svc, monkeypatch):
    """Run `qingfeng ...` on the test database (svc has wiped it); returns the click Result."""
    monkeypatch.setenv("DATABASE_URL", svc.config.DATABASE_URL)
    monkeypatch.setenv("QINGFENG_SECRET_KEY", "test-secret")
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def test_workdays_add_prints_the_due_date_across_national_day(cli):
    result = cli("workdays", "add", "2026-09-25", "15")
    assert result.exit_code == 0
    assert result.stdout == "2026-10-22\n"        # 10-01..10-07 off, Saturday 10-10 worked (调休)
    assert result.stderr == ""


def test_workdays_between_prints_the_n_that_add_turns_back_into_the_end_date(cli):
    assert cli("workdays", "between", "2026-09-25", "2026-10-22").stdout == "15\n"
    for n in (0, 1, 7, 40):
        end = WorkCalendar().add_workdays("2026-09-25", n)
        if n:
            assert cli("workdays", "between", "2026-09-25", end.isoformat()).stdout == f"{n}\n"


def test_workdays_between_a_rest_day_notes_it_on_stderr(cli):
    result = cli("workdays", "between", "2026-09-25", "2026-10-04")
    assert result.stdout == "3\n" and "不是工作日" in result.stderr


def test_a_year_without_holiday_data_warns_on_stderr_only(cli):
    result = cli("workdays", "add", "2027-03-01", "5")
    assert result.exit_code == 0 and result.stdout == "2027-03-08\n"
    assert "2027" in result.stderr and "警告" in result.stderr


def test_holiday_overrides_from_the_command_line_change_workdays(cli, svc):
    assert cli("holidays", "add", "2026-09-28", "--closed", "--reason", "台风停工").exit_code == 0
    assert cli("workdays", "add", "2026-09-25", "1").stdout == "2026-09-29\n"
    assert cli("holidays", "list", "--year", "2026").stdout == "2026-09-28\t休息\t台风停工\n"
    assert cli("holidays", "remove", "2026-09-28").exit_code == 0
    assert cli("workdays", "add", "2026-09-25", "1").stdout == "2026-09-28\n"
    assert cli("holidays", "remove", "2026-09-28").exit_code == 1
    with svc.db.read_session() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.chain == "system")).all()
    assert actions == ["holiday_override_set", "holiday_override_removed"]


def test_a_declared_year_stops_the_warning(cli):
    assert cli("holidays", "declare-year", "2027", "--note", "已录入").exit_code == 0
    assert cli("workdays", "add", "2027-03-01", "5").stderr == ""


def test_holiday_edits_as_a_non_admin_are_refused(cli, users):
    result = cli("holidays", "add", "2026-09-28", "--as", "handler")
    assert result.exit_code == 1 and "管理员" in result.stderr


def test_run_timers_once_fires_due_timers_and_prints_the_count(cli, svc, users, deploy):
    from tests.support.approval import approval_files

    deploy(approval_files())
    case_id, _ = demo_case(svc, users)                 # due 2026-03-09; the command's own app reads the real clock
    assert cli("run-timers", "--once").stdout == "1\n"
    assert open_bpmn_ids(svc, case_id) == ["escalate"]
    assert cli("run-timers", "--once").stdout == "0\n"
    with svc.db.read_session() as session:
        assert session.scalar(select(WorkItem.bpmn_id).where(WorkItem.case_id == case_id,
                                                             WorkItem.resolution == "cancelled")) == "propose"
