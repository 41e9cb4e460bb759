"""案件: the searchable case list, the case page, and revealing the reporter to those who need to know."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required
from marshmallow import ValidationError

from service.auth import actor
from service.cases import actions, pages, queries
from service.cases.errors import InvalidInput
from service.reads import read, read_with_services
from service.runtime import services
from service.schemas.cases import CaseListArgs
from service.web.blueprint import bp

PER_PAGE = 50
SORT_LABELS = {"-created": "最新发起", "created": "最早发起", "due": "期限最近", "-due": "期限最远",
               "reference": "案件编号升序", "-reference": "案件编号降序"}


def _list_args() -> dict:
    raw = {k: v.strip() for k, v in request.args.items() if v.strip()}
    try:
        args = CaseListArgs().load({"per_page": PER_PAGE, **raw})
    except ValidationError as exc:
        raise InvalidInput("筛选条件有误", exc.messages)
    return args


@bp.route("/cases")
@login_required
def case_list():
    args = _list_args()
    chosen = queries.CaseFilter(**args, zone=services().config.TIMEZONE)
    view = read(pages.case_list_page, actor(), chosen, services().now())
    page = view["page"]
    return render_template("cases/list.html", **view, pages=max(1, -(-page["total"] // page["per_page"])), args=args,
                           sort_labels=SORT_LABELS)


def _render_case(case_id: int, reporter: dict | None = None, reporter_error: str | None = None, status: int = 200):
    view = read_with_services(pages.case_page, actor(), case_id)
    return render_template("cases/detail.html", **view, reporter=reporter, reporter_error=reporter_error), status


@bp.route("/cases/<int:case_id>")
@login_required
def case_detail(case_id: int):
    return _render_case(case_id)


@bp.route("/cases/<int:case_id>/reporter", methods=["POST"])
@login_required
def reveal_reporter(case_id: int):
    """Show the reporter after a stated reason; the read is recorded in the audit trail."""
    try:
        reporter = actions.read_reporter(services(), actor().id, case_id, request.form.get("reason", "")).reporter
    except InvalidInput as exc:
        return _render_case(case_id, reporter_error=exc.message, status=422)
    return _render_case(case_id, reporter=reporter)
