"""The timer worker on the approval demo and on clue_handling, with an injected clock (any database)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from service import create_app
from service.cases import actions, audit
from service.cases.deadline_queries import overdue_work_items
from service.cases.org.positions import task_position
from service.config import Config
from service.deploy import deploy_directory
from service.models import AuditEvent, Case, Timer, WorkItem
from service.timer_worker import run_loop, run_once
from tests.scenarios import Do, Wait
from tests.scenarios.clue_handling import SCENARIOS as CLUE_SCENARIOS
from tests.service.test_deadlines import DUE, demo_case, open_bpmn_ids, open_item, user
from tests.service.test_process_paths import USERS_BY_POSITION, chain_signers

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"


def fired_events(svc, case_id: int | None = None) -> list[AuditEvent]:
    with svc.db.read_session() as session:
        query = select(AuditEvent).where(AuditEvent.action == "timer_fired")
        if case_id is not None:
            query = query.where(AuditEvent.case_id == case_id)
        return list(session.scalars(query))


@pytest.fixture
def demo(svc, users, deploy):
    from tests.support.approval import approval_files

    deploy(approval_files())
    return lambda **kw: demo_case(svc, users, **kw)


def test_a_timer_never_fires_before_its_due_time(svc, clock, demo):
    case_id, _ = demo()
    clock.set("2026-03-09T23:59:59+08:00")                      # the due second itself: not yet past
    assert run_once(svc) == 0 and open_bpmn_ids(svc, case_id) == ["propose"] and fired_events(svc) == []


def test_a_due_timer_fires_once_escalates_and_is_an_audit_event(svc, clock, demo):
    case_id, _ = demo()
    clock.set("2026-03-10T00:00:01+08:00")
    assert run_once(svc) == 1
    assert open_bpmn_ids(svc, case_id) == ["escalate"]
    [event] = fired_events(svc, case_id)
    assert (event.actor_name, event.summary["timers"]) == ("定时器", ["overdue"])
    assert run_once(svc) == 0 and len(fired_events(svc, case_id)) == 1
    with svc.db.read_session() as session:
        assert session.scalar(select(func.count(Timer.id)).where(Timer.case_id == case_id)) == 0
        assert audit.verify(session, audit.case_chain(case_id)).valid


def test_late_timers_fire_on_the_next_pass(svc, clock, demo):
    first, _ = demo()
    second, _ = demo(title="第二件", settings={"propose_days": 7})
    clock.set("2026-04-20T09:00:00+08:00")                      # the worker was down for weeks
    assert run_once(svc) == 2
    assert open_bpmn_ids(svc, first) == open_bpmn_ids(svc, second) == ["escalate"]


def test_limit_bounds_a_pass_and_the_rest_fire_on_the_next(svc, clock, demo):
    cases = [demo(title=f"第{n}件")[0] for n in range(3)]
    clock.set("2026-03-11T09:00:00+08:00")
    assert run_once(svc, limit=2) == 2
    assert run_once(svc, limit=2) == 1
    assert sorted(e.case_id for e in fired_events(svc)) == sorted(cases)


def test_timers_survive_a_restart(svc, app, clock, demo):
    case_id, _ = demo()
    svc.db.dispose()                                             # the first process goes away
    config = Config.from_env(DATABASE_URL=svc.config.DATABASE_URL, SECRET_KEY="test-secret", TESTING=True,
                             BPMN_DIR=str(BPMN_DIR))
    clock.set("2026-03-10T09:00:00+08:00")
    restarted = create_app(config, clock=clock).extensions["qingfeng"]
    try:
        assert run_once(restarted) == 1
        assert open_bpmn_ids(restarted, case_id) == ["escalate"]
    finally:
        restarted.db.dispose()


class Crash(Exception):
    """Stands for a worker dying between firing and commit."""


def test_a_worker_that_dies_before_commit_leaves_the_case_as_it_was_and_the_timer_fires_later(svc, clock, demo):
    case_id, _ = demo()
    with svc.db.read_session() as session:
        version_before = session.get(Case, case_id).version
    clock.set("2026-03-10T09:00:00+08:00")

    def die(_case_id):
        raise Crash

    with pytest.raises(Crash):
        run_once(svc, before_commit=die)
    with svc.db.read_session() as session:
        assert session.get(Case, case_id).version == version_before
        assert session.scalars(select(Timer.due_at).where(Timer.case_id == case_id)).all() == [DUE]
    assert open_bpmn_ids(svc, case_id) == ["propose"] and fired_events(svc) == []
    assert run_once(svc) == 1 and len(fired_events(svc, case_id)) == 1


def test_the_loop_fires_due_timers_until_stopped(svc, clock, demo):
    import threading

    case_id, _ = demo()
    clock.set("2026-03-10T09:00:00+08:00")
    stop = threading.Event()
    original_wait = stop.wait
    stop.wait = lambda _timeout: (stop.set(), original_wait(0))[1]   # one pass, then stop: no real sleeping
    run_loop(svc, interval=30, stop=stop)
    assert open_bpmn_ids(svc, case_id) == ["escalate"]


# ---- clue_handling: the 函询 reply deadline escalates after 15 working days ----

ROLE_USER = {"intake": "intake", "handler": "handler", "committee": "committee", "supervisor": "supervisor",
             "leader": "leader"}


def approved_step_completer(svc, case_id: int, bpmn_id: str | None) -> int | None:
    """Who completed the step an approval approves (the approver must be someone else)."""
    if not bpmn_id:
        return None
    with svc.db.read_session() as session:
        return session.scalar(select(WorkItem.completed_by_id).where(
            WorkItem.case_id == case_id, WorkItem.bpmn_id == bpmn_id, WorkItem.resolution == "completed")
            .order_by(WorkItem.completed_at.desc(), WorkItem.id.desc()).limit(1))


def run_clue_steps(svc, users, clock, steps) -> int:
    scenario = CLUE_SCENARIOS["inquiry_letter_overdue_then_first_form"]
    clock.set(scenario.clock)
    case_id = actions.start_case(svc, users["intake"], "clue_handling", "关于钱样本收受礼品的反映",
                                 scenario.case_data).case_id
    for step in steps:
        if isinstance(step, Do):
            item = open_item(svc, case_id, step.task)
            signed = chain_signers(svc, case_id, item.approves)
            actor = next(users[u] for u in USERS_BY_POSITION[task_position(item.role, item.lane)]
                         if users[u] not in signed)
            actions.complete_task(svc, actor, item.task_id, dict(step.data))
    return case_id


def test_the_clue_handling_letter_reply_deadline_escalates_after_15_working_days(svc, users, clock):
    deploy_directory(svc, BPMN_DIR)
    steps = CLUE_SCENARIOS["inquiry_letter_overdue_then_first_form"].steps
    until_letter = steps[:next(i for i, s in enumerate(steps) if isinstance(s, Wait))]
    case_id = run_clue_steps(svc, users, clock, until_letter)     # letter sent Monday 2026-03-02
    reply_item = open_item(svc, case_id, "record_letter_reply")
    assert reply_item.due_at.isoformat() == "2026-03-23T15:59:59+00:00"   # 15th working day, 23:59:59 +08:00
    clock.set("2026-03-23T18:00:00+08:00")
    assert run_once(svc) == 0 and open_bpmn_ids(svc, case_id) == ["record_letter_reply"]
    clock.set("2026-03-24T09:00:00+08:00")
    assert run_once(svc) == 1
    assert open_bpmn_ids(svc, case_id) == ["escalate_overdue_reply"]
    with svc.db.read_session() as session:
        rows = overdue_work_items(session, user(svc, users["supervisor"]), svc.now())
    [row] = [r for r in rows if r["case"].id == case_id]
    assert (row["kind"], row["item"].bpmn_id, [i.bpmn_id for i in row["escalated_to"]]) == \
        ("escalated", "record_letter_reply", ["escalate_overdue_reply"])
