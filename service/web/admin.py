"""系统管理: accounts and their positions, departments, the working-day override table (admin only; every change
is an audited action)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from service.auth import actor
from service.cases import calendar_admin
from service.cases.errors import Conflict, InvalidInput, NotAllowed
from service.cases.org import admin, positions, queries
from service.reads import read
from service.runtime import services
from service.web.blueprint import bp


def _problem(exc) -> str:
    details = exc.errors.values() if isinstance(exc.errors, dict) else []
    return "：".join([exc.message, "；".join(sum((list(d) for d in details), []))]).rstrip("：")


def _run(done: str, back: str, action, *args):
    """Run one admin action; a refusal of the input is shown on the page instead of an error page."""
    try:
        result = action(services(), actor().id, *args)
    except NotAllowed as exc:
        if exc.code not in admin.ESCALATION_CODES:
            raise   # not an administrator at all: the 403 page
        flash(exc.message, "error")
        return redirect(back), None
    except (InvalidInput, Conflict) as exc:
        flash(_problem(exc), "error")
        return redirect(back), None
    flash(done, "success")
    return redirect(back), result


def _department_id(name: str = "department_id") -> int | None:
    value = request.form.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _context() -> dict:
    grantable = {k: v for k, v in positions.POSITION_LABELS.items() if k not in admin.OPERATOR_ONLY_POSITIONS}
    return {"departments": read(queries.departments), "POSITION_LABELS": grantable,
            "OPERATOR_ONLY": admin.OPERATOR_ONLY_POSITIONS,
            "DEPARTMENT_POSITIONS": positions.DEPARTMENT_POSITIONS, "DEPARTMENT_KINDS": admin.DEPARTMENT_KINDS}


@bp.route("/admin/users")
@login_required
def admin_users():
    queries.require_admin(actor())
    rows = read(queries.users_with_positions, services().now())
    return render_template("admin/users.html", rows=rows, **_context())


@bp.route("/admin/users", methods=["POST"])
@login_required
def admin_create_user():
    kind = request.form.get("kind", "")
    held = [(kind, _department_id())] if kind else []
    response, user_id = _run("账号已创建。", url_for("web.admin_users"), admin.create_user,
                             request.form.get("username", ""), request.form.get("display_name", ""),
                             request.form.get("password", ""), held)
    return redirect(url_for("web.admin_user", user_id=user_id)) if user_id else response


@bp.route("/admin/users/<int:user_id>")
@login_required
def admin_user(user_id: int):
    queries.require_admin(actor())
    record = read(queries.user_record, user_id, services().now())
    return render_template("admin/user.html", record=record, **_context())


@bp.route("/admin/users/<int:user_id>/positions", methods=["POST"])
@login_required
def admin_add_position(user_id: int):
    back = url_for("web.admin_user", user_id=user_id)
    return _run("职务已添加。", back, admin.add_position, user_id, request.form.get("kind", ""), _department_id())[0]


@bp.route("/admin/users/<int:user_id>/positions/<int:position_id>/end", methods=["POST"])
@login_required
def admin_end_position(user_id: int, position_id: int):
    back = url_for("web.admin_user", user_id=user_id)
    return _run("职务已结束，历史记录保留。", back, admin.end_position, position_id)[0]


@bp.route("/admin/users/<int:user_id>/positions/<int:position_id>/move", methods=["POST"])
@login_required
def admin_move_position(user_id: int, position_id: int):
    back = url_for("web.admin_user", user_id=user_id)
    department_id = _department_id()
    if department_id is None:
        flash("请选择调入的部门", "error")
        return redirect(back)
    return _run("已调整部门，原职务的历史记录保留。", back, admin.move_user, position_id, department_id)[0]


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@login_required
def admin_reset_password(user_id: int):
    back = url_for("web.admin_user", user_id=user_id)
    return _run("密码已重置，请通知本人登录后使用新密码。", back, admin.reset_password, user_id,
                request.form.get("password", ""))[0]


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@login_required
def admin_deactivate_user(user_id: int):
    back = url_for("web.admin_user", user_id=user_id)
    response, result = _run("账号已停用。", back, admin.deactivate_user, user_id)
    if result is not None:
        flash(f"已释放其认领的 {len(result['released'])} 项任务；其在办案件 {len(result['open_cases'])} 件"
              "已列入所在部门负责人的待办页面，请重新指定承办人。", "success")
    return response


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
@login_required
def admin_reactivate_user(user_id: int):
    back = url_for("web.admin_user", user_id=user_id)
    return _run("账号已恢复。", back, admin.reactivate_user, user_id)[0]


@bp.route("/admin/departments")
@login_required
def admin_departments():
    queries.require_admin(actor())
    return render_template("admin/departments.html", **_context())


@bp.route("/admin/departments", methods=["POST"])
@login_required
def admin_create_department():
    back = url_for("web.admin_departments")
    return _run("部门已创建。", back, admin.create_department, request.form.get("name", ""),
                request.form.get("kind", "other"))[0]


@bp.route("/admin/departments/<int:department_id>", methods=["POST"])
@login_required
def admin_update_department(department_id: int):
    back = url_for("web.admin_departments")
    return _run("部门已保存。", back, admin.update_department, department_id, request.form.get("name", ""),
                request.form.get("kind", "other"), request.form.get("active") == "on")[0]


@bp.route("/admin/calendar")
@login_required
def admin_calendar():
    """工作日调整表: the days the holiday library gets wrong for this body (调休 working days, closures)."""
    queries.require_admin(actor())
    today = services().now().date()
    raw = request.args.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else today.year
    return render_template("admin/calendar.html", year=year, overrides=read(calendar_admin.list_overrides, year),
                           today=today)


@bp.route("/admin/calendar", methods=["POST"])
@login_required
def admin_add_override():
    day = request.form.get("day", "")
    back = url_for("web.admin_calendar", year=day[:4] if day[:4].isdigit() else None)
    return _run("已保存该日的调整。", back, calendar_admin.add_override, day,
                request.form.get("is_workday") == "1", request.form.get("reason", ""))[0]


@bp.route("/admin/calendar/<string:day>/delete", methods=["POST"])
@login_required
def admin_remove_override(day: str):
    back = url_for("web.admin_calendar", year=day[:4] if day[:4].isdigit() else None)
    return _run("已删除该日的调整，按法定节假日安排计算。", back, calendar_admin.remove_override, day)[0]
