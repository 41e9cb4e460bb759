"""Demo data: the users of design.md and a case of every process at a meaningful stage, built through
the real actions (fictional names from domain.md §10)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from service.cases import accounts, actions
from service.cases.runtime import Services
from service.models import ProcessVersion, User, WorkItem

DEMO_PASSWORD = "qingfeng-demo"  # noqa: S105  (documented demo password, demo data only)
DEMO_USERS = [
    ("intake", "甄受理", ["intake"], "信访室"),
    ("handler", "郝承办", ["handler"], "第一监督检查室"),
    ("handler2", "钱承办", ["handler"], "第二监督检查室"),
    ("supervisor", "孙主任", ["supervisor"], "第一监督检查室"),
    ("supervisor2", "李副书记", ["supervisor"], "纪工委"),
    ("leader", "周书记", ["leader"], "纪工委"),
    ("committee", "吴记录", ["committee"], "纪工委办公室"),
    ("designer", "郑设计", ["designer"], "案件监督管理室"),
    ("auditor", "冯审计", ["auditor"], "案件监督管理室"),
    ("admin", "卫管理", ["admin"], "信息中心"),
]
ROLE_USERS = {"intake": ["intake"], "handler": ["handler", "handler2"], "supervisor": ["supervisor", "supervisor2"],
              "leader": ["leader"], "committee": ["committee"]}
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


def _run_case(svc: Services, ids: dict[str, int], spec: dict) -> None:
    with svc.db.read_session() as session:
        name = session.scalar(select(ProcessVersion.name).where(ProcessVersion.process_key == spec["process_key"])
                              .order_by(ProcessVersion.version.desc()).limit(1))
    starter = ids[ROLE_USERS[spec["start_role"]][0]]
    case_id = actions.start_case(svc, starter, spec["process_key"], _title(spec, name or ""), dict(spec["start_data"]))
    for step in spec["steps"]:
        with svc.db.read_session() as session:
            item = session.scalar(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.bpmn_id == step["task"],
                                                         WorkItem.completed_at.is_(None)))
            approved_by = session.scalar(select(WorkItem.completed_by_id).where(
                WorkItem.case_id == case_id, WorkItem.bpmn_id == item.approves, WorkItem.resolution == "completed")
                .order_by(WorkItem.id.desc()).limit(1)) if item.approves else None
        actor = next(ids[u] for u in ROLE_USERS[step["role"]] if ids[u] != approved_by)
        actions.complete_task(svc, actor, item.task_id, dict(step["data"]))


def load_demo(svc: Services, only_if_empty: bool = True) -> bool:
    """Create demo users and cases; with only_if_empty, do nothing when any user exists."""
    with svc.db.read_session() as session:
        if only_if_empty and session.scalar(select(func.count(User.id))):
            return False
    ids = {username: accounts.create_user(svc, username, name, DEMO_PASSWORD, roles, department)
           for username, name, roles, department in DEMO_USERS}
    today = svc.now().astimezone(ZoneInfo(svc.config.TIMEZONE)).date()
    shift = (today - DATA_ANCHOR).days // 7 * 7  # whole weeks keep every weekday a weekday
    for spec in json.loads(CASES_FILE.read_text(encoding="utf-8")):
        _run_case(svc, ids, _shift_dates(spec, shift))
    return True
