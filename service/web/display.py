"""Template helpers: dates in the configured zone, deadlines in working days, values and labels in Chinese."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, g
from flask_login import current_user
from markupsafe import Markup

from service.cases import pages, queries
from service.cases.audit import ACTION_LABELS
from service.cases.permissions import (
    may_administer_org,
    may_deploy,
    may_read_cases,
    may_search_audit,
    may_see_recusal_queue,
    may_view_overdue,
    redact_case_data,
)
from service.models.cases import STATUS_LABELS
from service.models.users import ROLE_LABELS
from service.reads import read, read_with_services
from service.runtime import services


def workdays_between(a: date, b: date) -> int:
    """Working days in (a, b] on the service calendar (admin overrides included), memoised per request."""
    memo = g.setdefault("qf_workdays", {})
    if (a, b) not in memo:
        calendar = g.get("qf_calendar") or services().calendar()
        g.qf_calendar = calendar
        memo[(a, b)] = calendar.workdays_between(a, b)
    return memo[(a, b)]


def _zone() -> ZoneInfo:
    return ZoneInfo(services().config.TIMEZONE)


def local(value: datetime | None) -> datetime | None:
    return value.astimezone(_zone()) if value is not None else None


def fmt_date(value) -> str:
    """YYYY-MM-DD in the configured zone ('' for nothing)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return local(value).strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fmt_datetime(value: datetime | None) -> str:
    return local(value).strftime("%Y-%m-%d %H:%M") if value is not None else ""


def deadline(due: datetime | None) -> dict | None:
    """Working days left until `due`: {date, days, overdue, soon, text} for the deadline cell."""
    if due is None:
        return None
    now = services().now()
    today, due_day = now.astimezone(_zone()).date(), due.astimezone(_zone()).date()
    soon_limit = services().config.DUE_SOON_WORKDAYS
    if due < now:
        late = workdays_between(due_day, today)
        text = f"已逾期 {late} 个工作日" if late > 0 else "今日到期，已逾期"
        return {"date": due_day.isoformat(), "days": -late, "overdue": True, "soon": False, "text": text}
    left = workdays_between(today, due_day)
    text = "今日到期" if left == 0 else f"剩 {left} 个工作日"
    return {"date": due_day.isoformat(), "days": left, "overdue": False, "soon": left <= soon_limit, "text": text}


def value_text(value, prop: dict | None = None) -> str:
    """A data value as people read it: 是/否, enum labels, lists joined with 、, dates as YYYY-MM-DD."""
    prop = prop or {}
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        item_prop = prop.get("items", {}) if isinstance(prop.get("items"), dict) else {}
        return "、".join(value_text(v, item_prop) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{k}：{value_text(v)}" for k, v in value.items()) or "—"
    labels = prop.get("x-enum-labels") or {}
    if isinstance(value, str) and value in labels:
        return labels[value]
    return str(value)


def shown_facts(data: dict, labels: dict[str, dict]) -> list[tuple[str, str]]:
    """(label, text) for the case data fields a form asked for, in a stable order; internals are skipped."""
    return [(labels[k].get("title", k), value_text(v, labels[k])) for k, v in data.items()
            if k in labels and not k.startswith("reporter_")]


# Keys the engine and the service put into case data and audit payloads, as a person reads them.
FIELD_LABELS = {"title": "案件标题", "settings": "流程设置", "decision": "决定", "opinion": "意见", "reason": "理由",
                "note": "意见", "comment": "说明", "outcome": "结果"}


def field_label(key: str, labels: dict[str, dict] | None = None) -> str:
    """The Chinese label of a data key: the form's title, a known internal key's label, else 其他填报项."""
    title = ((labels or {}).get(key) or {}).get("title")
    return title or FIELD_LABELS.get(key, "其他填报项")


def role_labels(roles) -> str:
    return "、".join(ROLE_LABELS.get(r, r) for r in roles)


def nl2br(text: str) -> Markup:
    return Markup("<br>").join((text or "").splitlines())


def install(app: Flask) -> None:
    """Register filters and the header's context."""
    app.jinja_env.filters.update(date=fmt_date, datetime=fmt_datetime, value=value_text, nl2br=nl2br,
                                 roles=role_labels)
    app.jinja_env.globals.update(deadline=deadline, shown_facts=shown_facts, redact=_redact, field_label=field_label,
                                 STATUS_LABELS=STATUS_LABELS, ACTION_LABELS=ACTION_LABELS, ROLE_LABELS=ROLE_LABELS)

    @app.context_processor
    def _header():
        user = _nav_user()
        config = services().config
        return {"nav_user": user, "show_designer": user is not None and may_deploy(user),
                "show_admin": user is not None and may_administer_org(user),
                "show_cases": user is not None and may_read_cases(user), "timezone": config.TIMEZONE,
                "due_soon_days": config.DUE_SOON_WORKDAYS, "nav_counts": _task_counts(user),
                "show_overdue": user is not None and may_view_overdue(user), "show_start": _may_start_any(user),
                "show_audit": user is not None and may_search_audit(user),
                "show_recusals": user is not None and may_see_recusal_queue(user)}


def _nav_user():
    """The logged-in user the header shows. A server-error page never loads the user itself (the error may be the
    database's own): it shows the user only if the request had already loaded it (flask-login keeps it in g)."""
    if g.get("qf_server_error") and "_login_user" not in g:
        return None
    return current_user if current_user.is_authenticated else None


def _task_counts(user) -> dict | None:
    """The header's overdue and due-soon counts: only for a logged-in user, and not on a server-error page."""
    if user is None or g.get("qf_server_error"):
        return None
    return read_with_services(pages.task_counts, user)


def _may_start_any(user) -> bool:
    """发起案件 is in the menu only for someone who may start at least one process."""
    if user is None or g.get("qf_server_error"):
        return False
    return read(queries.may_start_any, user)


def _redact(data: dict) -> dict:
    """Submitted data as the current user may see it (auditors do not read the report's content)."""
    return redact_case_data(current_user, data if isinstance(data, dict) else {})
