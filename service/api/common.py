"""Small helpers shared by the API views."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from service.cases.errors import AuthenticationFailed


def api_login_required(view):
    """Like flask-login's login_required, but answers with the API's 401 error body."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise AuthenticationFailed("请先登录")
        return view(*args, **kwargs)

    return wrapper


def case_detail_body(detail: dict) -> dict:
    case = detail["case"]
    return {
        "id": case.id, "reference": case.reference, "title": case.title, "process_key": case.process_key,
        "process_version": detail["version"].version, "status": case.status, "outcome": case.outcome,
        "stage": case.stage, "subject_name": case.subject_name, "handler_id": case.handler_id,
        "due_at": case.due_at, "created_at": case.created_at, "closed_at": case.closed_at, "version": case.version,
        "data": detail["data"], "tasks": detail["tasks"], "links": detail["links"],
    }
