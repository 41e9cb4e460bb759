"""流程设计 pages: the version list and the browser modeler (BPMN, DMN, forms); the work is done by the API."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from service.auth import actor
from service.cases import permissions, versioning
from service.cases.errors import NotAllowed
from service.cases.org import positions
from service.runtime import services
from service.web.blueprint import bp as web_bp
from service.web.formdata import build_fields
from workflows.errors import SpecInvalid
from workflows.lint import ROLES
from workflows.specs import parse_form

bp = Blueprint("designer_web", __name__, url_prefix="/designer")


@bp.route("/")
@login_required
def index():
    """Every process with its versions: who deployed, when, content hash, open cases."""
    if not permissions.may_read_versions(actor()):
        raise NotAllowed("只有流程设计员、管理员和审计员可以查看流程版本")
    processes: dict[str, list[dict]] = {}
    for row in versioning.version_list(services(), actor().id):
        processes.setdefault(row["process_key"], []).append(row)
    return render_template("designer/index.html", processes=processes,
                           may_edit=permissions.may_deploy(actor()))


@bp.route("/versions/<int:version_id>")
@login_required
def editor(version_id: int):
    """The modeler for one version: edit, check, deploy, compare, migrate."""
    if not permissions.may_read_versions(actor()):
        raise NotAllowed("只有流程设计员、管理员和审计员可以查看流程版本")
    rows = [r for r in versioning.version_list(services(), actor().id) if r["id"] == version_id]
    if not rows:
        abort(404)
    return render_template("designer/editor.html", version=rows[0], roles=sorted(ROLES),
                           positions=positions.task_role_choices(),
                           may_edit=permissions.may_deploy(actor()))


@web_bp.route("/designer/form-preview", methods=["POST"])
@login_required
def form_preview():
    """The designer's live preview: the posted schema text rendered by the task pages' own field macro.

    On the `web` blueprint so the session's CSRF token is required; 422 with the reason (plain text) when the
    text is not a JSON Schema object. Whoever may open the editor (read-only included) sees its preview.
    """
    if not permissions.may_read_versions(actor()):
        raise NotAllowed("只有流程设计员、管理员和审计员可以预览表单")
    try:
        schema = parse_form(request.form.get("schema", ""))
    except SpecInvalid as exc:
        return exc.problems[0].message, 422, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("designer/_form_preview.html", form=schema, fields=build_fields(schema))
