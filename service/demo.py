"""Demo data: the users of design.md and a case of every process at a meaningful stage, built through
the real actions (fictional names from domain.md §10)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from service.cases import actions
from service.cases.org import admin as org_admin
from service.cases.org import positions
from service.cases.runtime import Services
from service.models import ProcessVersion, User, WorkItem

DEMO_PASSWORD = "qingfeng-demo"  # noqa: S105  (documented demo password, demo data only)
FIRST, SECOND = "第一监督检查室", "第二监督检查室"
DEMO_DEPARTMENTS = [
    ("信访室", "intake"), ("案件监督管理室", "case_management"), (FIRST, "supervision"), (SECOND, "supervision"),
    ("审查调查室", "investigation"), ("案件审理室", "review"), ("办公室", "office"),
]
# username, display name, positions [(kind, department name or None)]
DEMO_USERS = [
    ("intake", "甄受理", [("intake", None)]),
    ("caseadmin", "钟案管", [("case_management", None)]),
    ("handler", "郝承办", [("member", FIRST)]),
    ("supervisor", "孙主任", [("head", FIRST)]),
    ("handler2", "钱承办", [("member", SECOND)]),
    ("supervisor2", "李主任", [("head", SECOND)]),
    ("deputy", "赵副书记", [("deputy", "信访室"), ("deputy", "案件监督管理室"), ("deputy", FIRST)]),
    ("deputy2", "王副书记", [("deputy", SECOND), ("deputy", "审查调查室"), ("deputy", "案件审理室")]),
    ("leader", "周书记", [("principal", None)]),
    ("committee", "吴记录", [("committee_recorder", None)]),
    ("investigator", "陈审查", [("member", "审查调查室")]),
    ("investigator2", "林调查", [("member", "审查调查室")]),
    ("reviewer", "何审理", [("review", None)]),
    ("reviewer2", "许审理", [("review", None)]),
    ("designer", "郑设计", [("designer", None)]),
    ("auditor", "冯审计", [("auditor", None)]),
    ("admin", "卫管理", [("admin", None)]),
]
# Who does a step of a demo case, by the position the task names (positions.task_position) and the
# case's department: the organisation above, read the way the worklists resolve it.
CASE_DEPARTMENTS = [FIRST, SECOND]  # demo cases alternate between the two supervision departments
TEAM = {
    FIRST: {"dept_member": ["handler"], "dept_head": ["supervisor"], "deputy": ["deputy"]},
    SECOND: {"dept_member": ["handler2"], "dept_head": ["supervisor2"], "deputy": ["deputy2"]},
}
BODY = {"principal": ["leader"], "committee": ["committee"], "intake": ["intake"]}
CASES_FILE = Path(__file__).with_name("demo_cases.json")
DATA_ANCHOR = date(2026, 3, 2)  # the Monday the dates in demo_cases.json are written around
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(.*)$")


def _shift_dates(value, days: int):
    """Move every ISO date in the demo data by `days`, so demo deadlines are current, not long past."""
    if isinstance(value, dict):
        return {k: _shift_dates(v, days) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift_dates(v, days) for v in value]
    if isinstance(value, str) and (match := _ISO_DATE.match(value)):
        try:
            moved = date.fromisoformat(match.group(1)) + timedelta(days=days)
        except ValueError:
            return value
        return moved.isoformat() + match.group(2)
    return value


def _title(spec: dict, process_name: str) -> str:
    if spec.get("title"):
        return spec["title"]
    first = spec["steps"][0]["data"] if spec["steps"] else {}
    subject = spec["start_data"].get("subject_name") or first.get("subject_name") or first.get("applicant_name") or ""
    return f"{process_name}：{subject}" if subject else process_name


def _people(department: str, role: str, lane: str) -> list[str]:
    position = positions.task_position(role, lane)
    return TEAM[department].get(position) or BODY[position]


def _run_case(svc: Services, ids: dict[str, int], spec: dict, department: str) -> None:
    with svc.db.read_session() as session:
        name = session.scalar(select(ProcessVersion.name).where(ProcessVersion.process_key == spec["process_key"])
                              .order_by(ProcessVersion.version.desc()).limit(1))
    start_position = {"handler": "dept_member", "intake": "intake"}[spec["start_role"]]
    starter = ids[(TEAM[department].get(start_position) or BODY[start_position])[0]]
    data = {**spec["start_data"], "department": department}
    case_id = actions.start_case(svc, starter, spec["process_key"], _title(spec, name or ""), data).case_id
    for step in spec["steps"]:
        with svc.db.read_session() as session:
            item = session.scalar(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.bpmn_id == step["task"],
                                                         WorkItem.completed_at.is_(None)))
            signed = set(session.scalars(select(WorkItem.completed_by_id).where(
                WorkItem.case_id == case_id, WorkItem.resolution == "completed",
                WorkItem.completed_by_id.is_not(None))))
        people = [ids[u] for u in _people(department, item.role, item.lane)]
        actor = next((p for p in people if not (item.approves and p in signed)), people[0])
        actions.complete_task(svc, actor, item.task_id, dict(step["data"]))


def create_office(svc: Services) -> dict[str, int]:
    """The demo departments and accounts with their positions; username -> user id."""
    department_ids = {name: org_admin.create_department(svc, None, name, kind) for name, kind in DEMO_DEPARTMENTS}
    return {username: org_admin.create_user(svc, None, username, name, DEMO_PASSWORD,
                                            [(kind, department_ids.get(dept)) for kind, dept in held])
            for username, name, held in DEMO_USERS}


def load_demo(svc: Services, only_if_empty: bool = True) -> bool:
    """Create demo users and cases; with only_if_empty, do nothing when any user exists."""
    with svc.db.read_session() as session:
        if only_if_empty and session.scalar(select(func.count(User.id))):
            return False
    ids = create_office(svc)
    today = svc.now().astimezone(ZoneInfo(svc.config.TIMEZONE)).date()
    shift = (today - DATA_ANCHOR).days // 7 * 7  # whole weeks keep every weekday a weekday
    for number, spec in enumerate(json.loads(CASES_FILE.read_text(encoding="utf-8"))):
        _run_case(svc, ids, _shift_dates(spec, shift), CASE_DEPARTMENTS[number % len(CASE_DEPARTMENTS)])
    return True
