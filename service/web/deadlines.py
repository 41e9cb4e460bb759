"""期限调整 on the case page and the worklist: ask to suspend or extend a deadline, approve or reject such a request,
resume a suspended deadline."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import login_required

from service.auth import actor
from service.cases import deadlines, pages, queries
from service.cases.errors import InvalidInput
from service.reads import read
from service.runtime import services
from service.web.blueprint import bp
from service.web.targets import safe_target


def _case_page(case_id: int):
    return redirect(url_for("web.case_detail", case_id=case_id) + "#tasks-title")


def _readable(case_id: int) -> int:
    """The case id to return to, if the user may read the case (else 404, as for a case that does not exist)."""
    read(queries.require_readable, actor(), case_id, services().now())
    return case_id


def _case_of_task(task_id: str) -> int:
    return _readable(read(pages.case_id_of_task, task_id))


def _back(case_id: int):
    """Back where the form was (the worklist's 待审批事项 or the case page)."""
    fallback = url_for("web.case_detail", case_id=case_id) + "#tasks-title"
    return redirect(safe_target(request.form.get("next"), fallback))


def _run(case_id: int, done: str, action, *args):
    """Run one deadline action; an input problem is shown where the form was instead of an error page."""
    try:
        action(services(), actor().id, *args)
    except InvalidInput as exc:
        flash(f"{exc.message}：{'；'.join(sum(exc.errors.values(), [])) if isinstance(exc.errors, dict) else ''}",
              "error")
        return _back(case_id)
    flash(done, "success")
    return _back(case_id)


@bp.route("/tasks/<string:task_id>/deadline/suspend", methods=["POST"])
@login_required
def suspend_deadline(task_id: str):
    case_id = _case_of_task(task_id)
    return _run(case_id, "中止申请已提交，待负责人批准；批准前期限照常计算。", deadlines.suspend_deadline, task_id,
                request.form.get("reason", ""))


def _case_of_suspension(suspension_id: int) -> int:
    return _readable(read(pages.suspension, suspension_id).case_id)


@bp.route("/suspensions/<int:suspension_id>/approve", methods=["POST"])
@login_required
def approve_suspension(suspension_id: int):
    case_id = _case_of_suspension(suspension_id)
    return _run(case_id, "已批准中止，期限自现在起停止计算，恢复后顺延。", deadlines.approve_suspension, suspension_id,
                request.form.get("note", ""))


@bp.route("/suspensions/<int:suspension_id>/reject", methods=["POST"])
@login_required
def reject_suspension(suspension_id: int):
    case_id = _case_of_suspension(suspension_id)
    return _run(case_id, "已不批准中止，期限照常计算。", deadlines.reject_suspension, suspension_id,
                request.form.get("note", ""))


@bp.route("/tasks/<string:task_id>/deadline/resume", methods=["POST"])
@login_required
def resume_deadline(task_id: str):
    case_id = _case_of_task(task_id)
    return _run(case_id, "期限已恢复并顺延。", deadlines.resume_deadline, task_id, request.form.get("reason", ""))


@bp.route("/tasks/<string:task_id>/deadline/extensions", methods=["POST"])
@login_required
def request_extension(task_id: str):
    case_id = _case_of_task(task_id)
    workdays = request.form.get("workdays", type=int)
    if workdays is None:
        flash("请填写延长的工作日数（整数）", "error")
        return _case_page(case_id)
    return _run(case_id, "延期申请已提交，待负责人审批。", deadlines.request_extension, task_id, workdays,
                request.form.get("reason", ""))


def _case_of_extension(extension_id: int) -> int:
    return _readable(read(pages.extension, extension_id).case_id)


@bp.route("/extensions/<int:extension_id>/approve", methods=["POST"])
@login_required
def approve_extension(extension_id: int):
    case_id = _case_of_extension(extension_id)
    return _run(case_id, "已批准延期，期限已顺延。", deadlines.approve_extension, extension_id,
                request.form.get("note", ""))


@bp.route("/extensions/<int:extension_id>/reject", methods=["POST"])
@login_required
def reject_extension(extension_id: int):
    case_id = _case_of_extension(extension_id)
    return _run(case_id, "已不批准延期。", deadlines.reject_extension, extension_id, request.form.get("note", ""))
