"""queries.list_cases: filters, sorts (undated cases last), the window total, recusals, and the columns callers read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from service.cases import queries
from service.cases.errors import NotAllowed
from service.models import Case, Department, ProcessVersion, Recusal, User
from tests.support.approval import approval_files

# reference: (status, due in days from now or None, process key)
CASES = {
    "A": ("open", -3, "approval_demo"),
    "B": ("open", -1, "approval_demo"),
    "C": ("open", None, "approval_demo"),
    "D": ("open", 5, "approval_demo"),
    "E": ("completed", -10, "approval_demo"),
    "F": ("open", -1, "other"),
    "G": ("open", -2, "approval_demo"),  # the supervisor is recused from this one
    "H": ("open", 5, "approval_demo"),  # the same deadline as D, created later (higher id)
}


@pytest.fixture
def cases(svc, users, deploy, clock) -> dict[str, int]:
    deploy(approval_files())
    now = clock()
    with svc.db.write_session() as session:
        version_id = session.scalar(select(ProcessVersion.id))
        # handled by the supervisor's department: need to know shows a head their department's cases
        department_id = session.scalar(select(Department.id).where(Department.name == "第一监督检查室"))
        rows = {}
        for n, (ref, (status, due_days, process_key)) in enumerate(CASES.items()):
            rows[ref] = Case(reference=ref, title=f"案件{ref}", process_key=process_key,
                             process_version_id=version_id, department_id=department_id, status=status, stage="复核",
                             subject_name=f"张{ref}",
                             handler_id=users["handler"], created_by_id=users["intake"], state={},
                             due_at=None if due_days is None else now + timedelta(days=due_days),
                             created_at=now - timedelta(hours=10 - n), updated_at=now,
                             closed_at=now if status == "completed" else None)
            session.add(rows[ref])
        session.flush()
        session.add(Recusal(case_id=rows["G"].id, user_id=users["supervisor"], reason="亲属",
                            decided_by_id=users["leader"]))
        session.flush()
        return {ref: case.id for ref, case in rows.items()}


def _list(svc, users, clock, who="supervisor", **kw) -> dict:
    with svc.db.read_session() as session:
        return queries.list_cases(session, session.get(User, users[who]), queries.CaseFilter(**kw), clock())


def _refs(page: dict) -> list[str]:
    return [row.reference for row in page["items"]]


def test_sort_by_deadline_puts_undated_cases_last(svc, users, clock, cases):
    # equal deadlines (B/F, D/H): the later case first, by id descending
    assert _refs(_list(svc, users, clock, sort="due")) == ["E", "A", "F", "B", "H", "D", "C"]
    assert _refs(_list(svc, users, clock, sort="-due")) == ["H", "D", "F", "B", "A", "E", "C"]


def test_overdue_open_cases_of_a_process_with_their_total(svc, users, clock, cases):
    page = _list(svc, users, clock, status="open", process_key="approval_demo", overdue=True, sort="due")
    assert _refs(page) == ["A", "B"] and page["total"] == 2  # G is hidden from the recused supervisor
    assert _refs(_list(svc, users, clock, who="handler", status="open", process_key="approval_demo", overdue=True,
                       sort="due")) == ["A", "G", "B"]


def test_total_on_every_page_past_the_end_and_on_an_empty_list(svc, users, clock, cases):
    first = _list(svc, users, clock, sort="created", per_page=3)
    assert _refs(first) == ["A", "B", "C"] and first["total"] == 7
    last = _list(svc, users, clock, sort="created", per_page=3, page=3)
    assert _refs(last) == ["H"] and last["total"] == 7
    past = _list(svc, users, clock, sort="created", per_page=3, page=9)
    assert past["items"] == [] and past["total"] == 7 and past["page"] == 9
    none = _list(svc, users, clock, q="没有这个案件")
    assert none["items"] == [] and none["total"] == 0


def test_rows_carry_what_the_list_page_and_the_api_show(svc, users, clock, cases):
    row = next(r for r in _list(svc, users, clock)["items"] if r.reference == "E")
    assert (row.id, row.title, row.process_key, row.status, row.stage, row.subject_name) == \
        (cases["E"], "案件E", "approval_demo", "completed", "复核", "张E")
    assert row.handler_id == users["handler"] and row.outcome is None and row.version == 1
    assert row.closed_at == clock() and row.due_at == clock() - timedelta(days=10)
    assert row.created_at.tzinfo is not None


def test_roles_without_case_access_are_refused(svc, users, clock, cases):
    with pytest.raises(NotAllowed):
        _list(svc, users, clock, who="designer")


@pytest.mark.parametrize("wildcard", ["%", "_", "\\", "案%", "案_A"])
def test_search_words_are_matched_as_typed_not_as_wildcards(svc, users, clock, cases, wildcard):
    assert _list(svc, users, clock, q=wildcard)["total"] == 0
    assert _refs(_list(svc, users, clock, q="案件A")) == ["A"]
