"""审计查询: the auditor's cross-case audit search (who read a reporter's identity, who did what, when)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required
from marshmallow import ValidationError

from service.auth import actor
from service.cases import audit_search
from service.reads import read
from service.runtime import services
from service.schemas.audit import AuditSearchArgs
from service.web.blueprint import bp

FIELD_LABELS = {"actor": "人员", "action": "操作", "from": "起始日期", "to": "截止日期", "case": "案件编号",
                "page": "页码", "per_page": "每页条数"}


@bp.route("/audit")
@login_required
def audit_search_page():
    errors, status = {}, 200
    try:
        args = AuditSearchArgs().load({k: v for k, v in request.args.items() if v.strip()})
    except ValidationError as exc:
        errors = {FIELD_LABELS.get(k, k): v for k, v in exc.messages.items()}
        args, status = {"page": 1, "per_page": 50}, 422
    chosen = audit_search.AuditFilter(actor_id=args.get("actor"), action=args.get("action"),
                                      date_from=args.get("date_from"), date_to=args.get("date_to"),
                                      case=args.get("case"), page=args["page"], per_page=args["per_page"],
                                      zone=services().config.TIMEZONE)
    view = read(audit_search.audit_search_page, actor(), chosen)
    pages = max(1, -(-view["total"] // view["per_page"]))
    return render_template("audit/search.html", **view, args=request.args, errors=errors, pages=pages), status
