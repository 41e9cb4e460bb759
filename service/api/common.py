"""Small helpers shared by the API views."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from service.cases import queries
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


def case_body(user, view: CaseView) -> CaseView:
    """The typed case any action or the case query returned, as the reader may see it (its data redacted);
    `schemas.cases.CaseDetailOut` dumps it."""
    queries.require_reader(user)
    return view.for_reader(user)
