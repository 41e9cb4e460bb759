"""The auditor's cross-case audit search: events by person, action, date and case, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.cases import permissions
from service.cases.errors import NotAllowed
from service.models import AuditEvent, Case, User

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    case: str | None = None  # 案件编号, exactly as shown
    page: int = 1
    per_page: int = 50
    zone: str = "Asia/Shanghai"


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def search_audit(session: Session, user: User, f: AuditFilter) -> dict:
    """A page of audit events across cases (auditors only); the submitted case data stays out of it."""
    if not permissions.may_search_audit(user):
        raise NotAllowed("只有审计人员可以跨案件查询审计记录", code="not_auditor")
    conditions = []
    if f.actor_id:
        conditions.append(AuditEvent.actor_id == f.actor_id)
    if f.action:
        conditions.append(AuditEvent.action == f.action)
    if f.date_from:
        conditions.append(AuditEvent.at >= _day_start(f.date_from, f.zone))
    if f.date_to:
        conditions.append(AuditEvent.at < _day_start(f.date_to + timedelta(days=1), f.zone))
    if f.case:
        conditions.append(Case.reference == f.case.strip())
    per_page = max(1, min(f.per_page, MAX_PER_PAGE))
    page = max(1, f.page)
    rows = session.execute(
        select(AuditEvent, Case.reference, func.count().over().label("total"))
        .outerjoin(Case, Case.id == AuditEvent.case_id)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    total = rows[0].total if rows else (_count(session, conditions) if page > 1 else 0)
    items = [{"id": e.id, "at": e.at, "actor_id": e.actor_id, "actor_name": e.actor_name, "action": e.action,
              "case_id": e.case_id, "case_reference": reference, "task_title": e.task_title,
              "summary": {k: v for k, v in (e.summary or {}).items() if k != "data"}}
             for e, reference, _total in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def _count(session: Session, conditions: list) -> int:
    return session.scalar(select(func.count(AuditEvent.id)).outerjoin(Case, Case.id == AuditEvent.case_id)
                          .where(*conditions)) or 0


def audit_search_page(session: Session, user: User, f: AuditFilter) -> dict:
    """The search page: a page of events and everyone who may appear in them (the person filter)."""
    found = search_audit(session, user, f)
    people = [(r.id, r.display_name) for r in session.execute(
        select(User.id, User.display_name).order_by(User.display_name, User.id))]
    return {**found, "people": people}
