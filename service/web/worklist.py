"""我的待办: the tasks the user may act on, most urgent first; claim and release."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from service.auth import actor
from service.bounds import MAX_PAGE
from service.cases import actions, deadline_queries, pages
from service.reads import read
from service.runtime import services
from service.web.blueprint import bp
from service.web.targets import safe_target

DUE_FILTERS = {"overdue": "已逾期", "soon": "即将到期", "": "全部"}
PER_PAGE = 50


def _due_before(choice: str):
    """The cut-off for the deadline filter: now (overdue) or the end of the last 'due soon' working day."""
    svc = services()
    if choice == "overdue":
        return svc.now()
    if choice == "soon":
        return deadline_queries.due_soon_limit(svc.calendar(), svc.now(), svc.config.DUE_SOON_WORKDAYS,
                                               svc.config.TIMEZONE)
    return None


@bp.route("/worklist")
@login_required
def worklist():
    process_key = request.args.get("process_key") or None
    due = request.args.get("due", "") if request.args.get("due", "") in DUE_FILTERS else ""
    scope = "claimed" if request.args.get("scope") == "claimed" else "mine"
    page = min(max(1, request.args.get("page", 1, type=int) or 1), MAX_PAGE)
    view = read(pages.worklist_page, actor(), scope, process_key, _due_before(due), services().now(),
                limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template("worklist.html", **view, process_key=process_key or "", due=due, scope=scope,
                           due_filters=DUE_FILTERS, page=page, pages=max(1, -(-view["total"] // PER_PAGE)))


@bp.route("/overdue")
@login_required
def overdue():
    """逾期督办: open tasks past due and steps escalated by a deadline timer (supervisors and leaders)."""
    return render_template("overdue.html", **read(pages.overdue_page, actor(), services().now()))


def _back() -> str:
    return safe_target(request.form.get("next"), url_for("web.worklist"))


@bp.route("/tasks/<string:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: str):
    actions.claim_task(services(), actor().id, task_id)
    flash("已认领任务，其他人将不能办理此任务。", "success")
    return redirect(_back())


@bp.route("/tasks/<string:task_id>/release", methods=["POST"])
@login_required
def release(task_id: str):
    actions.release_task(services(), actor().id, task_id)
    flash("已释放任务，同角色的其他人可以认领。", "success")
    return redirect(_back())
