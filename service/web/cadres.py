"""干部记录: the cadre page (need to know), the registration lookup (candidate records and possible repeat clues),
merging two records of one person and marking a measure changed on appeal (principal and 案管)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from service.auth import actor
from service.cases import actions, cadre_queries
from service.reads import read
from service.runtime import services
from service.schemas.cadres import LookupArgs
from service.web.blueprint import bp


@bp.route("/cadres/<int:cadre_id>")
@login_required
def cadre_detail(cadre_id: int):
    svc = services()
    page = read(cadre_queries.cadre_page, actor(), cadre_id, svc.now(), svc.config.TIMEZONE)
    return render_template("cadres/detail.html", page=page)


@bp.route("/cadres/lookup")
@login_required
def cadre_lookup():
    raw = {k: v.strip() for k, v in request.args.items() if v.strip()}
    found, errors = None, {}
    if raw.get("name"):
        try:
            args = LookupArgs().load(raw)
        except ValidationError as exc:
            errors = exc.messages
        else:
            found = read(cadre_queries.registration_lookup, actor(), args["name"], args["unit"], args["allegation"],
                         args["category"], services().now(), args["exclude_case_id"])
    return render_template("cadres/lookup.html", found=found, args=raw, errors=errors)


@bp.route("/cadres/<int:cadre_id>/merge", methods=["POST"])
@login_required
def cadre_merge(cadre_id: int):
    """A refusal is the error page (403 for a non-keeper, 422 for the input, 404 for an unknown record),
    never a redirect that would differ between a record that exists and one that does not."""
    merge_id = request.form.get("merge_id", "").strip()
    actions.merge_cadres(services(), actor().id, cadre_id, int(merge_id) if merge_id.isdigit() and len(merge_id) < 10
                         else 0, request.form.get("reason", ""))
    flash(f"已将干部记录 {merge_id} 并入本记录", "success")
    return redirect(url_for("web.cadre_detail", cadre_id=cadre_id))


@bp.route("/cadre-measures/<int:measure_id>/status", methods=["POST"])
@login_required
def cadre_measure_status(measure_id: int):
    done = actions.change_measure_status(services(), actor().id, measure_id, request.form.get("status", ""),
                                         request.form.get("reason", ""))
    flash("已记录申诉处理结果", "success")
    return redirect(url_for("web.cadre_detail", cadre_id=done["cadre_id"]))
