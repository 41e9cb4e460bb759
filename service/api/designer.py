"""Process designer API: check, deploy with a diff, compare versions, download files, migrate open cases.

Status codes: check answers 200 `{ok: true, problems: [], diff, ...}` when the files would deploy, and 422
with the usual error body (`errors` = the problems, each `{file, element_id, message, line}`) when not, so
check and deploy share one failure shape; an oversize file is 413.
"""

from __future__ import annotations

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.api.common import api_login_required
from service.auth import actor
from service.cases import versioning
from service.cases.errors import InvalidInput
from service.runtime import services

blp = Blueprint("designer", __name__, description="流程设计：检查、部署、比较、下载、迁移")


class ProblemOut(Schema):
    file = fields.String()
    element_id = fields.String(allow_none=True)
    message = fields.String()
    line = fields.Integer(allow_none=True)


class NodeOut(Schema):
    id = fields.String()
    name = fields.String()
    type = fields.String()
    was = fields.Dict()
    changed_fields = fields.List(fields.String(), data_key="fields", attribute="fields")
    labels = fields.List(fields.String())


class DiffOut(Schema):
    from_version = fields.Integer(allow_none=True)
    to_version = fields.Integer(allow_none=True)
    added = fields.List(fields.Nested(NodeOut))
    removed = fields.List(fields.Nested(NodeOut))
    changed = fields.List(fields.Nested(NodeOut))
    files = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class CheckOut(Schema):
    ok = fields.Boolean()
    problems = fields.List(fields.Nested(ProblemOut))
    process_key = fields.String()
    name = fields.String()
    sha256 = fields.String()
    notes = fields.List(fields.String())
    base_version = fields.Integer(allow_none=True)
    same_as_version = fields.Integer(allow_none=True)
    diff = fields.Nested(DiffOut, allow_none=True)


class DesignerDeployOut(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    created = fields.Boolean()
    notes = fields.List(fields.String())
    diff = fields.Nested(DiffOut)


class SourceOut(Schema):
    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    name = fields.String()
    sha256 = fields.String()
    files = fields.Dict(keys=fields.String(), values=fields.String())


class MigrateIn(Schema):
    case_ids = fields.List(fields.Integer(), load_default=None, allow_none=True)
    dry_run = fields.Boolean(load_default=False)


class MigrationOut(Schema):
    case_id = fields.Integer()
    reference = fields.String()
    migrated = fields.Boolean()
    from_version = fields.Integer(allow_none=True)
    to_version = fields.Integer()
    reason = fields.String()
    dry_run = fields.Boolean()


def uploaded_files() -> tuple[dict[str, bytes], str]:
    """Files and comment from multipart (field `files`, file names kept) or JSON `{files: {name: text}}`."""
    if request.files:
        files = {f.filename: f.read() for f in request.files.getlist("files") if f.filename}
        return files, request.form.get("comment", "")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("files"), dict) or not body["files"]:
        raise InvalidInput("请上传流程文件", {"files": ["至少需要一个 .bpmn 文件"]}, code="invalid_process")
    files = body["files"]
    wrong = sorted(str(name) for name, text in files.items() if not isinstance(text, str))
    if wrong:
        raise InvalidInput("文件内容必须是文本", {"files": [f"{name} 不是文本" for name in wrong]},
                           code="invalid_process")
    return {str(name): text.encode("utf-8") for name, text in files.items()}, str(body.get("comment") or "")


@blp.route("/process-definitions/check", methods=["POST"])
@blp.response(200, CheckOut)
@api_login_required
def check():
    """Run every deployment check without storing anything (designer/admin); 422 lists the problems."""
    files, _comment = uploaded_files()
    report = versioning.check_upload(services(), actor().id, files)
    return {**report.__dict__, "problems": []}


@blp.route("/process-definitions/deploy", methods=["POST"])
@blp.response(201, DesignerDeployOut)
@api_login_required
def deploy():
    """Deploy a new immutable version after the designer checks; answers with the diff to the previous one."""
    files, comment = uploaded_files()
    return versioning.deploy_version(services(), actor().id, files, comment[:512])


@blp.route("/process-definitions/<int:version_id>")
@blp.response(200, SourceOut)
@api_login_required
def source(version_id: int):
    """One version with all its files as text (designer, admin, auditor)."""
    return versioning.version_source(services(), actor().id, version_id)


@blp.route("/process-definitions/<int:version_id>/files/<path:name>")
@api_login_required
def download(version_id: int, name: str):
    """Download one file of a version as stored."""
    data, mimetype = versioning.version_file(services(), actor().id, version_id, name)
    filename = name.rsplit("/", 1)[-1]
    return Response(data, mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blp.route("/process-definitions/<int:version_id>/diff")
@blp.response(200, DiffOut)
@api_login_required
def diff(version_id: int):
    """Flow nodes added, removed and changed against the previous version of the process."""
    return versioning.version_diff(services(), actor().id, version_id)


@blp.route("/process-definitions/<int:version_id>/migrate", methods=["POST"])
@blp.arguments(MigrateIn)
@blp.response(200, MigrationOut(many=True))
@api_login_required
def migrate(body: dict, version_id: int):
    """Move open cases of other versions to this one where safe (dry_run only reports); each one audited."""
    return versioning.migrate_cases(services(), actor().id, version_id, body.get("case_ids"),
                                    bool(body.get("dry_run")))
