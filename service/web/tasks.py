"""办理任务: the task form rendered from its JSON Schema, with server-side errors next to each field."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from service.auth import actor
from service.cases import actions, permissions, queries
from service.cases.errors import InvalidInput
from service.reads import read_with_services
from service.runtime import services
from service.web.blueprint import bp
from service.web.formdata import build_fields, coerce, is_approval, other_errors


def _render(view: dict, *, posted=None, errors=None, message: str | None = None, status: int = 200):
    schema = view["form"] or {}
    approval = is_approval(schema)
    initial = {} if approval else view["case"].data
    fields = build_fields(schema, posted=posted, initial=initial, errors=errors)
    me = actor()
    item = view["item"]
    return render_template(
        "tasks/form.html", **view, fields=fields, approval=approval, message=message,
        form_errors=other_errors(schema, errors),
        case_version=posted.get("case_version") if posted is not None else view["case"].version,
        may_act=permissions.may_take_task(me, item.role, item.assignee_id),
    ), status


@bp.route("/tasks/<string:task_id>")
@login_required
def task_form(task_id: str):
    return _render(read_with_services(queries.task_page, actor(), task_id))


@bp.route("/tasks/<string:task_id>", methods=["POST"])
@login_required
def task_submit(task_id: str):
    view = read_with_services(queries.task_page, actor(), task_id)
    data = coerce(view["form"] or {}, request.form)
    version = request.form.get("case_version", "")
    try:
        done = actions.complete_task(services(), actor().id, task_id, data,
                                     int(version) if version.isdigit() else None)
    except InvalidInput as exc:
        errors = exc.errors if isinstance(exc.errors, dict) else {}
        return _render(view, posted=request.form, errors=errors, message=exc.message, status=422)
    item = view["item"]
    again = next((t for t in done.tasks if t.bpmn_id == item.bpmn_id and t.task_id != task_id), None)
    if again is not None:   # the process brought this step back on purpose: say why, not "submitted"
        reason = read_with_services(queries.loop_reason, done.case_id, item.bpmn_id)
        flash(f"“{item.title}”需要重新办理：{reason}", "warning")
        return redirect(url_for("web.task_form", task_id=again.task_id))
    stage = "、".join(t.title for t in done.tasks)
    moved = f"案件进入“{stage}”。" if stage else ("案件已办结。" if done.case.status == "completed" else "")
    flash(f"已提交“{item.title}”，{moved}" if moved else f"已提交“{item.title}”。", "success")
    return redirect(url_for("web.case_detail", case_id=done.case_id))
