"""The one place that maps domain errors to HTTP responses, JSON for the API and HTML for pages."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from service.bounds import json_refusal
from service.cases import errors as ce
from workflows.errors import WorkflowError

log = logging.getLogger(__name__)

STATUS = {
    ce.NotFound: 404,
    ce.NotAllowed: 403,
    ce.Conflict: 409,
    ce.InvalidInput: 422,
    ce.TooLarge: 413,
    ce.AuthenticationFailed: 401,
    ce.Throttled: 429,
}
PHRASES = {
    400: "请求格式错误", 401: "未登录或登录已失效", 403: "无权执行此操作", 404: "未找到", 405: "不支持的请求方法",
    409: "数据已被他人更新，请刷新后重试", 413: "上传内容过大", 415: "不支持的内容类型", 422: "提交的内容有误",
    429: "尝试次数过多，请稍后再试", 500: "服务器内部错误",
}
INVALID_JSON = "请求体不是有效的 JSON"


def error_body(status: int, code: str, message: str, errors=None) -> dict:
    """The one error shape (`Error`): `errors` is always an object; a list of problems (the designer's
    checks) is sent as `{"problems": [...]}`."""
    if isinstance(errors, list | tuple):
        errors = {"problems": list(errors)}
    return {"code": code, "status": status, "message": message, "errors": errors or {}}


def _validation_messages(exc: HTTPException) -> dict:
    """webargs/flask-smorest put validation messages, keyed by location, on the exception's `data`."""
    data = getattr(exc, "data", None)
    messages = data.get("messages") if isinstance(data, dict) else None
    return messages if isinstance(messages, dict) else {}


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def respond(status: int, code: str, message: str, errors=None):
    body = error_body(status, code, message, errors)
    if _wants_json():
        return jsonify(body), status
    if status >= 500:
        g.qf_server_error = True  # the page's header then reads nothing more from the database (web/display.py)
    return render_template("errors/error.html", error=body), status


def _refuse_unreadable_json():
    """A JSON body nested too deep, not UTF-8, or with text PostgreSQL cannot store (a NUL character, a lone
    surrogate) is 400 invalid_json before anything parses it: one check of the raw bytes (`bounds.json_refusal`)."""
    if not request.is_json or request.content_length == 0:
        return None
    problem = json_refusal(request.get_data(cache=True))
    if problem is not None:
        return respond(400, "invalid_json", problem, {"json": [problem]})
    return None


def _nul_in_request_text():
    """No NUL character in the path, the query string or form fields either (PostgreSQL refuses it in text):
    a path with one names nothing (404); a query or form field with one is invalid input (422), before any query."""
    if "\x00" in request.path:
        return respond(404, "not_found", PHRASES[404])
    for location, fields in (("query", request.args), ("form", request.form)):
        bad = sorted({key or "" for key, value in fields.items(multi=True)
                      if "\x00" in (key or "") or "\x00" in (value or "")})   # a multipart part may lack a name
        if bad:
            return respond(422, "invalid_input", PHRASES[422], {location: {key: ["不能包含 NUL 字符"] for key in bad}})
    return None


def register_error_handlers(app: Flask) -> None:
    """Install handlers for domain errors, engine errors, HTTP errors and the unexpected."""
    app.before_request(_nul_in_request_text)
    app.before_request(_refuse_unreadable_json)

    @app.errorhandler(ce.CaseError)
    def _case_error(exc: ce.CaseError):
        status = STATUS.get(type(exc), next((s for k, s in STATUS.items() if isinstance(exc, k)), 400))
        # a 404 reads the same whether the thing does not exist or lies outside the reader's need to know, and
        # never names the case a task, document or attachment belongs to (the cold try read case ids off them)
        message = PHRASES[404] if status == 404 else exc.message
        body, status = respond(status, exc.code, message, exc.errors)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, ce.Throttled) else {}
        return body, status, headers

    @app.errorhandler(WorkflowError)
    def _workflow_error(exc: WorkflowError):
        return respond(422, "process_error", str(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        messages = _validation_messages(exc)
        if status == 400 and isinstance(messages.get("json"), list):  # webargs: the body is not JSON at all
            return respond(400, "invalid_json", INVALID_JSON, {"json": [INVALID_JSON]})
        if isinstance(messages.get("json"), dict) and len(messages) == 1:
            messages = messages["json"]  # body fields are named at the top level, other locations by location
        code = {422: "invalid_input", 413: "too_large"}.get(status, (exc.name or "error").lower().replace(" ", "_"))
        return respond(status, code, PHRASES.get(status, exc.description or ""), messages)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return respond(500, "internal_error", PHRASES[500])
