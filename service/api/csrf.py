"""Cross-site request forgery on the JSON API: cookie-authenticated writes must come from this site.

A browser sends the session cookie along with a request that another site makes it send, so an unsafe
API call carrying the cookie must prove where it comes from: the page's CSRF token in `X-CSRFToken`,
or an `Origin` (else a `Referer`) of this site or of one listed in QINGFENG_TRUSTED_ORIGINS.
Bearer-token calls are exempt: a browser never adds an `Authorization` header for another site
(the API sends no CORS headers, so no other site may set it either), and a request that carries one is
authenticated by it alone, never by the cookie beside it (`service/auth.py`), so a junk token cannot
carry a forged cookie call past this check.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from service.cases.errors import NotAllowed

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
TOKEN_HEADERS = ("X-CSRFToken", "X-CSRF-Token")


def install_api_csrf(app: Flask, trusted_origins: tuple[str, ...] = ()) -> None:
    """Refuse cookie-authenticated unsafe /api/ calls that prove no same-site origin (403 csrf_failed)."""
    trusted = frozenset(_origin(o) for o in trusted_origins if o)

    @app.before_request
    def _check_api_csrf():
        if not request.path.startswith("/api/") or request.method in SAFE_METHODS:
            return None
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return None
        if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            return None  # nothing for a forged request to ride on (e.g. a script's first login)
        if _has_valid_token() or _from_this_site(trusted):
            return None
        raise NotAllowed("跨站请求被拒绝：请从本系统页面操作，或使用 API 令牌", code="csrf_failed")


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}" if parts.scheme and parts.netloc else ""


def _from_this_site(trusted: frozenset[str]) -> bool:
    claimed = request.headers.get("Origin") or request.headers.get("Referer") or ""
    origin = _origin(claimed)
    return bool(origin) and (origin == _origin(request.host_url) or origin in trusted)


def _has_valid_token() -> bool:
    token = next((request.headers[h] for h in TOKEN_HEADERS if request.headers.get(h)), None)
    if not token:
        return False
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True
