"""One shape for every case action: each returns a `CaseView`, the case as a fresh read shows it after the action,
carrying the one audit event the action appended; the case and task pages read the same `CaseView`."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

from sqlalchemy import select

from service.cases import actions, audit, pages, queries
from service.cases.accounts import load_user
from service.cases.results import CaseView
from service.models import AuditEvent
from service.reads import read_with_services
from tests.support.approval import REGISTER_DATA, approval_files, open_task_id

# They answer with what they act on: a process version (DeployResult), a document, its file, the list (a read),
# a cadre record (merging two records, an appeal's change of a measure: no one case is "after" them).
NOT_CASE_ACTIONS = {"deploy_process", "cancel_document", "document_file", "list_documents", "add_attachment",
                    "attachment_file", "list_attachments", "archive_case", "archive_info", "case_file",
                    "merge_cadres", "change_measure_status"}


def public_functions() -> dict:
    return {name: getattr(actions, name) for name in actions.__all__
            if inspect.isfunction(getattr(actions, name)) and name not in NOT_CASE_ACTIONS}


def test_every_public_case_action_is_declared_to_return_a_case_view():
    functions = public_functions()
    assert set(functions.values()) == set(actions.CASE_ACTIONS)
    assert {name: inspect.signature(f).return_annotation for name, f in functions.items()} == \
        {name: "CaseView" for name in functions}


def last_event(svc, case_id: int) -> AuditEvent:
    with svc.db.read_session() as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.chain == audit.case_chain(case_id))
                               .order_by(AuditEvent.seq.desc()).limit(1)).one()


def assert_is_the_case_after(svc, view, reader: int, action: str) -> None:
    """`view` is a CaseView equal to a fresh read, and its event is the chain's last one, of `action`."""
    assert isinstance(view, CaseView), action
    event = last_event(svc, view.case_id)
    assert view.event is not None, action
    assert (view.event.seq, view.event.action, view.event.summary) == (event.seq, action, event.summary)
    assert view.event.at == event.at
    with svc.db.read_session() as session:
        fresh = queries.case_view(svc, session, load_user(session, reader), view.case_id)
    assert view.case == fresh.case, action
    assert (view.process_version, view.data, view.links, view.deadline_warnings) == \
        (fresh.process_version, fresh.data, fresh.links, fresh.deadline_warnings), action
    assert [(t.task_id, t.assignee_id, t.due_at) for t in view.tasks] == \
        [(t.task_id, t.assignee_id, t.due_at) for t in fresh.tasks], action


def test_every_case_action_returns_the_case_after_it_with_the_event_it_appended(svc, users, deploy, clock):
    deploy(approval_files())
    called = set()

    def act(action, reader: str, event: str, *args) -> CaseView:
        view = action(svc, *args)
        assert_is_the_case_after(svc, view, users[reader], event)
        called.add(action)
        return view

    case_id = act(actions.start_case, "intake", "case_started", users["intake"], "approval_demo", "关于郝测试的举报",
                  {}).case_id
    act(actions.complete_task, "intake", "task_completed", users["intake"], open_task_id(svc, case_id, "register"),
        dict(REGISTER_DATA))
    propose = open_task_id(svc, case_id, "propose")
    view = act(actions.claim_task, "handler", "task_claimed", users["handler"], propose)
    assert [t.assignee_id for t in view.tasks] == [users["handler"]]
    act(actions.release_task, "handler", "task_released", users["handler"], propose)
    view = act(actions.suspend_deadline, "handler", "deadline_suspension_requested", users["handler"], propose,
               "等待证据")
    act(actions.reject_suspension, "supervisor", "deadline_suspension_rejected", users["supervisor"],
        view.event.summary["suspension_id"], "证据已齐")
    view = act(actions.suspend_deadline, "handler", "deadline_suspension_requested", users["handler"], propose,
               "等待调取银行流水")
    assert [t.due_at for t in view.tasks] == [datetime(2026, 3, 9, 15, 59, 59, tzinfo=UTC)]   # not yet approved
    view = act(actions.approve_suspension, "supervisor", "deadline_suspended", users["supervisor"],
               view.event.summary["suspension_id"], "同意")
    assert [t.due_at for t in view.tasks] == [None]
    clock.set("2026-03-06T09:00:00+08:00")
    view = act(actions.resume_deadline, "handler", "deadline_resumed", users["handler"], propose, "已调取")
    assert [t.due_at for t in view.tasks] == [datetime(2026, 3, 13, 15, 59, 59, tzinfo=UTC)]
    view = act(actions.request_extension, "handler", "deadline_extension_requested", users["handler"], propose, 2,
               "需补充调查")
    act(actions.reject_extension, "supervisor", "deadline_extension_rejected", users["supervisor"],
        view.event.summary["extension_id"], "理由不充分")
    view = act(actions.request_extension, "handler", "deadline_extension_requested", users["handler"], propose, 2,
               "补充材料")
    view = act(actions.approve_extension, "supervisor", "deadline_extended", users["supervisor"],
               view.event.summary["extension_id"], "同意")
    assert [t.due_at for t in view.tasks] == [datetime(2026, 3, 17, 15, 59, 59, tzinfo=UTC)]
    view = act(actions.read_reporter, "intake", "reporter_viewed", users["intake"], case_id, "核实举报人身份")
    assert view.reporter == {"reporter_name": REGISTER_DATA["reporter_name"],
                             "reporter_phone": REGISTER_DATA["reporter_phone"]}
    assert REGISTER_DATA["reporter_name"] not in repr(view)   # the identity stays out of logs
    view = act(actions.declare_recusal, "supervisor", "recusal_declared", users["handler"], case_id, "witness",
               "曾作为证人")
    act(actions.decide_recusal, "supervisor", "recusal_rejected", users["deputy"],
        view.event.summary["request_id"], False, "经核实，理由不成立")
    view = act(actions.record_challenge, "supervisor", "recusal_challenged", users["intake"], case_id,
               users["handler"], "subject", "interest", "被反映人称其与本案有利害关系")
    act(actions.decide_recusal, "supervisor", "user_recused", users["deputy"], view.event.summary["request_id"],
        True, "同意回避")
    act(actions.lift_recusal, "supervisor", "recusal_lifted", users["deputy"], case_id, users["handler"], "系同名误认")
    act(actions.recuse_user, "supervisor", "user_recused", users["deputy"], case_id, users["handler"],
        "与被反映人系近亲属")
    clock.set("2026-03-18T09:00:00+08:00")   # past the extended deadline: the boundary timer escalates
    view = act(actions.fire_due_timers, "supervisor", "timer_fired", case_id)
    assert view.event.summary["timers"] == ["overdue"] and [t.bpmn_id for t in view.tasks] == ["escalate"]
    assert actions.fire_due_timers(svc, case_id).event is None   # nothing due: no event, the case as it is
    assert called == set(actions.CASE_ACTIONS)   # a new action must be driven here too


def test_the_case_and_task_pages_read_the_case_as_a_case_view(app, svc, users, deploy):
    deploy(approval_files())
    case_id = actions.start_case(svc, users["intake"], "approval_demo", "关于郝测试的举报", {}).case_id
    task_id = open_task_id(svc, case_id, "register")
    assert not hasattr(queries, "case_detail")   # the untyped dict the pages used to read
    with app.test_request_context():
        intake = load_user_detached(svc, users["intake"])
        page = read_with_services(pages.case_page, intake, case_id)
        task = read_with_services(queries.task_page, intake, task_id)
    assert isinstance(page["case"], CaseView) and isinstance(task["case"], CaseView)
    assert [t.task_id for t in page["case"].tasks] == [task_id]
    assert page["case"].event is None and task["case"].case_id == case_id


def load_user_detached(svc, user_id: int):
    with svc.db.read_session() as session:
        return load_user(session, user_id)
