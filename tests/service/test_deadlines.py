"""Deadlines in the service: the DB-backed calendar (overrides, missing-year warnings), clock control
(中止 / 恢复, 延期 on approval) and the overdue view, on the approval demo with an injected clock.

The demo's `propose` task is due 5 working days after registration; its interrupting boundary timer
`overdue` on the same deadline escalates to `escalate` (supervisor). Registration happens on Monday
2026-03-02 09:00 (+08:00), so `propose` is due 2026-03-09 23:59:59 (+08:00) = 15:59:59 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from service.cases import actions, audit, calendar_admin
from service.cases import deadlines as dl
from service.cases.calendar_source import CalendarSource
from service.cases.deadline_queries import deadline_warnings, overdue_work_items, suspended_task_ids, task_counts
from service.cases.errors import Conflict, InvalidInput, NotAllowed
from service.models import AuditEvent, Case, Timer, User, WorkItem
from service.timer_worker import run_once
from tests.conftest import with_settings
from tests.support.approval import REGISTER_DATA, approval_files

DUE = datetime(2026, 3, 9, 15, 59, 59, tzinfo=UTC)


def utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC)


def open_item(svc, case_id: int, bpmn_id: str) -> WorkItem:
    with svc.db.read_session() as session:
        return session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.bpmn_id == bpmn_id,
                                                      WorkItem.completed_at.is_(None))).one()


def open_bpmn_ids(svc, case_id: int) -> list[str]:
    with svc.db.read_session() as session:
        return sorted(session.scalars(select(WorkItem.bpmn_id).where(WorkItem.case_id == case_id,
                                                                     WorkItem.completed_at.is_(None))))


def timer_dues(svc, case_id: int) -> list[datetime]:
    with svc.db.read_session() as session:
        return list(session.scalars(select(Timer.due_at).where(Timer.case_id == case_id)))


def case_actions(svc, case_id: int) -> list[str]:
    with svc.db.read_session() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.chain == audit.case_chain(case_id))
                                    .order_by(AuditEvent.seq)))


def chain_valid(svc, chain: str) -> bool:
    with svc.db.read_session() as session:
        return audit.verify(session, chain).valid


def user(svc, user_id: int) -> User:
    with svc.db.read_session() as session:
        return session.get(User, user_id)


def demo_case(svc, users, settings: dict | None = None, title: str = "关于郝测试的举报") -> tuple[int, str]:
    """Start an approval-demo case and register it: (case id, task id of the open `propose`). With `settings`,
    a designer first deploys a version of the process whose settings document carries them."""
    if settings:
        actions.deploy_process(svc, users["designer"], with_settings(approval_files(), "approval_demo", settings))
    case_id = actions.start_case(svc, users["intake"], "approval_demo", title, {}).case_id
    actions.complete_task(svc, users["intake"], open_item(svc, case_id, "register").task_id, dict(REGISTER_DATA))
    return case_id, open_item(svc, case_id, "propose").task_id


def task_due(view, task_id: str):
    """The task's due time in the case an action returned."""
    return next(t.due_at for t in view.tasks if t.task_id == task_id)


def suspend(svc, users, task_id: str, reason: str, by: str = "handler", approver: str = "supervisor2") -> int:
    """Ask to suspend a deadline and have another person approve it (the clock stops at the approval)."""
    request = dl.suspend_deadline(svc, users[by], task_id, reason).event.summary["suspension_id"]
    dl.approve_suspension(svc, users[approver], request, "同意中止")
    return request


@pytest.fixture
def demo(svc, users, deploy):
    deploy(approval_files())
    return lambda **kw: demo_case(svc, users, **kw)


# ---- calendar: overrides and warnings ----

def test_propose_is_due_five_working_days_after_registration_with_a_matching_timer(svc, demo):
    case_id, task_id = demo()
    assert open_item(svc, case_id, "propose").due_at == DUE
    assert timer_dues(svc, case_id) == [DUE]


def test_an_override_table_closure_moves_a_deadline(svc, users, demo):
    calendar_admin.add_override(svc, users["admin"], "2026-03-04", False, "本地停电闭馆")
    case_id, _ = demo()
    moved = utc("2026-03-10T23:59:59+08:00")
    assert open_item(svc, case_id, "propose").due_at == moved and timer_dues(svc, case_id) == [moved]
    calendar_admin.remove_override(svc, users["admin"], "2026-03-04")
    case2, _ = demo(title="第二件")
    assert open_item(svc, case2, "propose").due_at == DUE


def test_an_extra_working_day_in_the_override_table_shortens_a_deadline(svc, users, demo):
    calendar_admin.add_override(svc, users["admin"], "2026-03-07", True, "调休上班")   # a Saturday
    case_id, _ = demo()
    assert open_item(svc, case_id, "propose").due_at == utc("2026-03-07T23:59:59+08:00")


def test_only_admins_edit_overrides_and_each_edit_is_a_system_audit_event(svc, users):
    with pytest.raises(NotAllowed):
        calendar_admin.add_override(svc, users["supervisor"], "2026-03-04", False, "x")
    calendar_admin.add_override(svc, users["admin"], "2026-03-04", False, "闭馆")
    calendar_admin.add_override(svc, users["admin"], "2026-03-04", True, "改为上班")
    calendar_admin.remove_override(svc, users["admin"], "2026-03-04")
    with svc.db.read_session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.chain == "system").order_by(AuditEvent.seq)).all()
        assert [e.action for e in events] == ["holiday_override_set", "holiday_override_set",
                                              "holiday_override_removed"]
        assert events[1].summary["before"] is False and events[1].actor_name == "卫管理"
        assert calendar_admin.list_overrides(session) == []
    assert chain_valid(svc, "system")


def test_the_calendar_reloads_in_another_process_when_the_revision_moves(svc, users):
    other = CalendarSource(svc.db, ttl=0)      # as built in a second process
    assert other().is_workday("2026-03-04")
    calendar_admin.add_override(svc, users["admin"], "2026-03-04", False, "闭馆")
    assert other().is_workday("2026-03-04")                    # expressions only read the cache...
    assert not other.refresh().is_workday("2026-03-04")        # ...which the service refreshes before running
    assert not other().is_workday("2026-03-04")


def test_a_deadline_in_a_year_without_holiday_data_warns(svc, users, demo):
    case_id, _ = demo(settings={"propose_days": 250})          # lands in 2027: chinese_calendar has no data yet
    assert open_item(svc, case_id, "propose").due_at.year == 2027
    with svc.db.read_session() as session:
        warnings = deadline_warnings(svc, session, case_id)
    assert warnings and "2027" in warnings[0]
    calendar_admin.declare_year(svc, users["admin"], 2027, "已按国务院通知录入")
    with svc.db.read_session() as session:
        assert deadline_warnings(svc, session, case_id) == []


def test_a_deadline_in_a_covered_year_has_no_warning(svc, demo):
    case_id, _ = demo()
    with svc.db.read_session() as session:
        assert deadline_warnings(svc, session, case_id) == []


# ---- clock control: suspension ----

def test_suspension_for_four_working_days_moves_the_due_date_by_four_working_days(svc, users, clock, demo):
    case_id, task_id = demo()
    suspend(svc, users, task_id, "等待调取银行流水")
    assert open_item(svc, case_id, "propose").due_at is None
    with svc.db.read_session() as session:
        assert suspended_task_ids(session, [task_id]) == {task_id}
    clock.set("2026-03-06T09:00:00+08:00")                       # Friday: Tue–Fri = 4 working days
    new_due = task_due(dl.resume_deadline(svc, users["handler"], task_id, "银行流水已调取"), task_id)
    assert new_due == utc("2026-03-13T23:59:59+08:00")          # 03-09 + 4 working days
    assert open_item(svc, case_id, "propose").due_at == new_due
    assert timer_dues(svc, case_id) == [new_due]
    with svc.db.read_session() as session:
        assert session.get(Case, case_id).due_at == new_due


def test_a_suspended_deadline_does_not_fire_and_fires_later_by_the_suspended_days(svc, users, clock, demo):
    case_id, task_id = demo()
    suspend(svc, users, task_id, "中止：等待证据", by="supervisor")
    clock.set("2026-03-10T09:00:00+08:00")                       # past the original due time
    assert run_once(svc) == 0 and open_bpmn_ids(svc, case_id) == ["propose"]
    dl.resume_deadline(svc, users["handler"], task_id, "恢复")   # 6 working days (03-03..03-10)
    assert open_item(svc, case_id, "propose").due_at == utc("2026-03-17T23:59:59+08:00")
    clock.set("2026-03-17T23:59:00+08:00")
    assert run_once(svc) == 0
    clock.set("2026-03-18T00:00:01+08:00")
    assert run_once(svc) == 1 and open_bpmn_ids(svc, case_id) == ["escalate"]


def test_suspension_and_resumption_appear_in_the_audit_trail_with_their_reasons(svc, users, clock, demo):
    case_id, task_id = demo()
    suspend(svc, users, task_id, "等待调取银行流水")
    clock.set("2026-03-06T09:00:00+08:00")
    dl.resume_deadline(svc, users["handler"], task_id, "已调取")
    with svc.db.read_session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.chain == audit.case_chain(case_id))
                                 .order_by(AuditEvent.seq)).all()
    requested, suspended, resumed = events[-3], events[-2], events[-1]
    assert (requested.action, requested.summary["reason"], requested.actor_name) == \
        ("deadline_suspension_requested", "等待调取银行流水", "郝承办")
    assert (suspended.action, suspended.summary["reason"], suspended.task_bpmn_id, suspended.actor_name,
            suspended.summary["note"], suspended.summary["requested_by"]) == \
        ("deadline_suspended", "等待调取银行流水", "propose", "李主任", "同意中止", "郝承办")
    assert (resumed.action, resumed.summary["workdays"], resumed.summary["reason"]) == ("deadline_resumed", 4, "已调取")
    assert chain_valid(svc, audit.case_chain(case_id))


def test_suspending_twice_or_resuming_a_running_deadline_is_a_conflict(svc, users, demo):
    _, task_id = demo()
    with pytest.raises(Conflict):
        dl.resume_deadline(svc, users["handler"], task_id, "恢复")
    suspend(svc, users, task_id, "中止")
    with pytest.raises(Conflict):
        dl.suspend_deadline(svc, users["handler"], task_id, "再次中止")


def test_only_the_task_role_or_overseers_may_suspend_and_a_reason_is_required(svc, users, demo):
    _, task_id = demo()
    with pytest.raises(NotAllowed):
        dl.suspend_deadline(svc, users["intake"], task_id, "不是我的任务")
    with pytest.raises(InvalidInput):
        dl.suspend_deadline(svc, users["handler"], task_id, "  ")


def test_a_suspension_request_stops_nothing_until_another_person_approves_it(svc, users, clock, demo):
    case_id, task_id = demo()
    request = dl.suspend_deadline(svc, users["supervisor"], task_id, "等待外调材料").event.summary["suspension_id"]
    assert open_item(svc, case_id, "propose").due_at == DUE and timer_dues(svc, case_id) == [DUE]
    with svc.db.read_session() as session:
        assert suspended_task_ids(session, [task_id]) == set()
    with pytest.raises(Conflict) as twice:
        dl.suspend_deadline(svc, users["handler"], task_id, "再次申请")
    assert twice.value.code == "suspension_pending"
    with pytest.raises(NotAllowed) as own:
        dl.approve_suspension(svc, users["supervisor"], request)          # nobody stops their own clock
    assert own.value.code == "four_eyes"
    with pytest.raises(NotAllowed) as handler:
        dl.approve_suspension(svc, users["handler"], request)             # a handler decides on no request
    assert handler.value.code == "wrong_role"
    dl.approve_suspension(svc, users["leader"], request, "同意")
    assert open_item(svc, case_id, "propose").due_at is None
    with pytest.raises(Conflict):
        dl.approve_suspension(svc, users["supervisor2"], request)         # decided already


def test_an_overdue_step_stays_overdue_until_its_suspension_is_approved(svc, users, clock, demo):
    case_id, task_id = demo()
    clock.set("2026-03-10T09:00:00+08:00")                               # past due, no worker pass yet
    request = dl.suspend_deadline(svc, users["handler"], task_id, "等待证据").event.summary["suspension_id"]
    with svc.db.read_session() as session:
        rows = overdue_work_items(session, user(svc, users["supervisor"]), svc.now())
        assert [(r["kind"], r["item"].bpmn_id) for r in rows] == [("overdue", "propose")]
        counts = task_counts(session, user(svc, users["handler"]), svc.now(), 3, svc.calendar(), svc.config.TIMEZONE)
        assert counts["overdue"] == 1
    dl.approve_suspension(svc, users["supervisor"], request, "同意")
    with svc.db.read_session() as session:
        assert overdue_work_items(session, user(svc, users["supervisor"]), svc.now()) == []


def test_a_rejected_suspension_keeps_the_clock_running_and_both_reasons_are_audited(svc, users, clock, demo):
    case_id, task_id = demo()
    request = dl.suspend_deadline(svc, users["handler"], task_id, "等待证据").event.summary["suspension_id"]
    with pytest.raises(InvalidInput):
        dl.reject_suspension(svc, users["supervisor"], request, " ")        # a refusal says why
    dl.reject_suspension(svc, users["supervisor"], request, "证据已齐，不需中止")
    assert open_item(svc, case_id, "propose").due_at == DUE and timer_dues(svc, case_id) == [DUE]
    with svc.db.read_session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.chain == audit.case_chain(case_id))
                                .order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.summary["reason"], event.summary["note"], event.summary["requested_by"]) == \
        ("deadline_suspension_rejected", "等待证据", "证据已齐，不需中止", "郝承办")
    dl.suspend_deadline(svc, users["handler"], task_id, "新的理由")       # a new request may follow
    assert chain_valid(svc, audit.case_chain(case_id))


def test_pending_requests_wait_in_the_approvers_list_and_count_never_the_requesters(svc, users, clock, demo):
    from service.cases.deadline_queries import count_pending_approvals, pending_approvals

    case_id, task_id = demo()
    suspension = dl.suspend_deadline(svc, users["supervisor"], task_id, "等待外调材料").event.summary["suspension_id"]
    extension = dl.request_extension(svc, users["handler"], task_id, 3, "需补充调查").event.summary["extension_id"]

    def waiting(name):
        with svc.db.read_session() as session:
            rows = pending_approvals(session, user(svc, users[name]), svc.now())
            assert count_pending_approvals(session, user(svc, users[name]), svc.now()) == len(rows)
            return [(r["kind"], r["request"].id, r["item"].bpmn_id, r["case"].id, r["requested_by"]) for r in rows]

    assert waiting("supervisor2") == [("extension", extension, "propose", case_id, "郝承办"),   # same moment:
                                      ("suspension", suspension, "propose", case_id, "孙主任")]  # by kind
    assert waiting("supervisor") == [("extension", extension, "propose", case_id, "郝承办")]   # not its own
    assert waiting("handler") == [] and waiting("intake") == []
    dl.approve_extension(svc, users["leader"], extension)
    dl.reject_suspension(svc, users["leader"], suspension, "不同意")
    assert waiting("supervisor2") == []


# ---- clock control: extension ----

def test_an_extension_is_refused_without_approval(svc, users, demo):
    case_id, task_id = demo()
    ext = dl.request_extension(svc, users["handler"], task_id, 5, "需补充调查").event.summary["extension_id"]
    assert open_item(svc, case_id, "propose").due_at == DUE       # a request alone moves nothing
    with pytest.raises(NotAllowed):
        dl.approve_extension(svc, users["handler"], ext)         # a handler cannot approve
    with pytest.raises(NotAllowed):
        dl.approve_extension(svc, users["handler2"], ext)        # nor can another handler
    with pytest.raises(Conflict):
        dl.request_extension(svc, users["handler"], task_id, 3, "再申请")   # one pending request at a time
    dl.reject_extension(svc, users["supervisor"], ext, "理由不充分")
    assert open_item(svc, case_id, "propose").due_at == DUE and timer_dues(svc, case_id) == [DUE]
    with pytest.raises(Conflict):
        dl.approve_extension(svc, users["supervisor2"], ext)     # decided already


def test_an_approved_extension_moves_the_deadline_and_its_timer(svc, users, clock, demo):
    case_id, task_id = demo()
    ext = dl.request_extension(svc, users["handler"], task_id, 5, "需补充调查").event.summary["extension_id"]
    new_due = task_due(dl.approve_extension(svc, users["supervisor"], ext, "同意延期"), task_id)
    assert new_due == utc("2026-03-16T23:59:59+08:00")
    assert open_item(svc, case_id, "propose").due_at == new_due and timer_dues(svc, case_id) == [new_due]
    clock.set("2026-03-12T09:00:00+08:00")
    assert run_once(svc) == 0
    clock.set("2026-03-17T09:00:00+08:00")
    assert run_once(svc) == 1 and open_bpmn_ids(svc, case_id) == ["escalate"]


def test_the_requester_may_not_approve_their_own_extension(svc, users, demo):
    _, task_id = demo()
    ext = dl.request_extension(svc, users["supervisor"], task_id, 2, "统筹安排").event.summary["extension_id"]
    with pytest.raises(NotAllowed) as refused:
        dl.approve_extension(svc, users["supervisor"], ext)
    assert refused.value.code == "four_eyes"
    dl.approve_extension(svc, users["supervisor2"], ext)


def test_extension_request_approval_and_rejection_appear_in_the_audit_trail(svc, users, demo):
    case_id, task_id = demo()
    first = dl.request_extension(svc, users["handler"], task_id, 5, "需补充调查").event.summary["extension_id"]
    dl.reject_extension(svc, users["supervisor"], first, "不同意")
    second = dl.request_extension(svc, users["handler"], task_id, 2, "补充材料").event.summary["extension_id"]
    dl.approve_extension(svc, users["leader"], second, "同意")
    assert case_actions(svc, case_id)[-4:] == ["deadline_extension_requested", "deadline_extension_rejected",
                                               "deadline_extension_requested", "deadline_extended"]
    assert chain_valid(svc, audit.case_chain(case_id))


def test_an_extension_approved_while_suspended_applies_on_resumption(svc, users, clock, demo):
    case_id, task_id = demo()
    suspend(svc, users, task_id, "中止")
    ext = dl.request_extension(svc, users["handler"], task_id, 2, "延期").event.summary["extension_id"]
    dl.approve_extension(svc, users["supervisor"], ext)
    clock.set("2026-03-06T09:00:00+08:00")
    resumed = dl.resume_deadline(svc, users["handler"], task_id, "恢复")
    assert task_due(resumed, task_id) == utc("2026-03-17T23:59:59+08:00")
    assert timer_dues(svc, case_id) == [utc("2026-03-17T23:59:59+08:00")]


# ---- overdue view and counts ----

def test_an_overdue_task_shows_on_the_overdue_view_for_supervisors_only(svc, users, clock, demo):
    case_id, _ = demo()
    clock.set("2026-03-10T09:00:00+08:00")                       # past due, no worker pass yet
    with svc.db.read_session() as session:
        rows = overdue_work_items(session, user(svc, users["supervisor"]), svc.now())
        assert [(r["kind"], r["item"].bpmn_id, r["case"].id) for r in rows] == [("overdue", "propose", case_id)]
        with pytest.raises(NotAllowed):
            overdue_work_items(session, user(svc, users["handler"]), svc.now())


def test_an_escalation_by_the_boundary_timer_shows_on_the_overdue_view_until_handled(svc, users, clock, demo):
    case_id, _ = demo()
    clock.set("2026-03-10T09:00:00+08:00")
    assert run_once(svc) == 1
    with svc.db.read_session() as session:
        [row] = overdue_work_items(session, user(svc, users["leader"]), svc.now())
    assert (row["kind"], row["item"].bpmn_id, [i.bpmn_id for i in row["escalated_to"]]) == \
        ("escalated", "propose", ["escalate"])
    actions.complete_task(svc, users["supervisor"], open_item(svc, case_id, "escalate").task_id, {"note": "已督办"})
    with svc.db.read_session() as session:
        assert overdue_work_items(session, user(svc, users["leader"]), svc.now()) == []


def test_each_user_sees_counts_of_overdue_and_due_soon_tasks(svc, users, clock, demo):
    demo()
    demo(title="第二件", settings={"propose_days": 10})           # due 2026-03-16
    handler = user(svc, users["handler"])

    def counts():
        with svc.db.read_session() as session:
            return task_counts(session, handler, svc.now(), 3, svc.calendar(), svc.config.TIMEZONE)

    assert counts() == {"overdue": 0, "due_soon": 0}              # 03-02: due soon means by 03-05
    clock.set("2026-03-04T09:00:00+08:00")
    assert counts() == {"overdue": 0, "due_soon": 1}              # by 03-09
    clock.set("2026-03-10T09:00:00+08:00")
    assert counts() == {"overdue": 1, "due_soon": 0}              # due soon means by 03-13; 03-16 is later
    clock.set("2026-03-11T09:00:00+08:00")
    assert counts() == {"overdue": 1, "due_soon": 1}              # by 03-16
    with svc.db.read_session() as session:
        assert task_counts(session, user(svc, users["intake"]), svc.now(), 3, svc.calendar(), svc.config.TIMEZONE) == \
            {"overdue": 0, "due_soon": 0}
