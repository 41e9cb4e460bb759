"""Small helpers shared by the API views."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from service.cases import permissions, queries
from service.cases.actions import Completion
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
    return _body(detail["case"], detail["version"].version, detail["data"], detail["tasks"], detail["links"])


def completion_body(user, done: Completion) -> dict:
    """The case detail after a completion, from what the action returned: no second read of the case."""
    queries.require_reader(user)
    body = _body(done.case, done.process_version, permissions.redact_case_data(user, done.data), done.tasks,
                 done.links)
    return {**body, "deadline_warnings": done.deadline_warnings}


def _body(case, process_version: int, data: dict, tasks: list, links: list) -> dict:
    return {
        "id": case.id, "reference": case.reference, "title": case.title, "process_key": case.process_key,
        "process_version": process_version, "status": case.status, "outcome": case.outcome,
        "stage": case.stage, "subject_name": case.subject_name, "handler_id": case.handler_id,
        "due_at": case.due_at, "created_at": case.created_at, "closed_at": case.closed_at, "version": case.version,
        "data": data, "tasks": tasks, "links": links,
    }
