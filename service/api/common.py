"""Small helpers shared by the API views."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from service.cases import permissions, queries
from service.cases.errors import AuthenticationFailed
from service.cases.results import CaseView


def api_login_required(view):
    """Like flask-login's login_required, but answers with the API's 401 error body."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise AuthenticationFailed("请先登录")
        return view(*args, **kwargs)

    return wrapper


def case_body(user, view: CaseView) -> dict:
    """The API's case detail, from the typed case any action or the case query returned (data redacted)."""
    queries.require_reader(user)
    case = view.case
    return {
        "id": case.id, "reference": case.reference, "title": case.title, "process_key": case.process_key,
        "process_version": view.process_version, "status": case.status, "outcome": case.outcome,
        "stage": case.stage, "subject_name": case.subject_name, "handler_id": case.handler_id,
        "due_at": case.due_at, "created_at": case.created_at, "closed_at": case.closed_at, "version": case.version,
        "data": permissions.redact_case_data(user, view.data), "tasks": view.tasks, "links": view.links,
        "deadline_warnings": view.deadline_warnings,
    }
