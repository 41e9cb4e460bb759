"""发起案件: start a case of a process the user's roles may start."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from service.auth import actor
from service.cases import actions, queries
from service.reads import read
from service.runtime import services
from service.schemas.cases import StartForm
from service.web.blueprint import bp


def _render(errors: dict | None = None, status: int = 200):
    processes = read(queries.startable_processes, actor())
    return render_template("start.html", processes=processes, errors=errors or {}, form=request.form), status


@bp.route("/start", methods=["GET", "POST"])
@login_required
def start_case():
    if request.method == "GET":
        return _render()
    try:
        body = StartForm().load({k: v.strip() for k, v in request.form.items() if v.strip()})
    except ValidationError as exc:
        return _render(exc.messages, 422)
    case_id = actions.start_case(services(), actor().id, body["process_key"], body["title"], {}).case_id
    flash("案件已发起，请办理下面的待办步骤。", "success")
    return redirect(url_for("web.case_detail", case_id=case_id))
