"""Process designer API: check, deploy with a diff, compare versions, download files, migrate open cases.

Status codes: check answers 200 `{ok: true, problems: [], diff, ...}` when the files would deploy, and 422
with the usual error body (`errors` = the problems, each `{file, element_id, message, line}`) when not, so
check and deploy share one failure shape; an oversize file is 413.
"""

from __future__ import annotations

from flask import Response, request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from service.api.common import api_login_required
from service.api.contract import ApiBlueprint
from service.auth import actor
from service.cases import versioning
from service.cases.errors import InvalidInput
from service.runtime import services
from service.schemas.fields import Id

blp = ApiBlueprint("designer", __name__, description="流程设计：检查、部署、比较、下载、迁移")


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
    case_ids = fields.List(Id(), load_default=None, allow_none=True)
    dry_run = fields.Boolean(load_default=False)


class MigrationOut(Schema):
    case_id = fields.Integer()
    reference = fields.String()
    migrated = fields.Boolean()
    from_version = fields.Integer(allow_none=True)
    to_version = fields.Integer()
    reason = fields.String()
    dry_run = fields.Boolean()


class ProcessFilesIn(Schema):
    """The JSON form of an upload: file name → file text."""

    class Meta:
        unknown = RAISE

    files = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=255)), values=fields.String(),
                        required=True, validate=validate.Length(min=1),
                        metadata={"description": "文件名 → 文件内容（文本），如 clue_handling.bpmn、forms/x/y.json"})
    comment = fields.String(load_default="", validate=validate.Length(max=512), metadata={"description": "部署说明"})


class ProcessFilesForm(Schema):
    """The multipart form of an upload (documentation only: Flask reads the parts)."""

    files = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}), required=True,
                        metadata={"description": "一个或多个文件，保留文件名（forms/ 下的表单用带目录的文件名）"})
    comment = fields.String(validate=validate.Length(max=512), metadata={"description": "部署说明"})


UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": ProcessFilesForm},
                                                             "application/json": {"schema": ProcessFilesIn}}}}


def uploaded_files() -> tuple[dict[str, bytes], str]:
    """Files and comment from multipart (field `files`, file names kept) or JSON `{files: {name: text}}`."""
    if request.mimetype == "multipart/form-data":
        files = {f.filename: f.read() for f in request.files.getlist("files") if f.filename}
        if not files:
            raise InvalidInput("请上传流程文件", {"files": ["至少需要一个 .bpmn 文件"]}, code="invalid_process")
        comment = request.form.get("comment", "")
        if len(comment) > 512:
            raise InvalidInput("部署说明过长", {"comment": ["最多 512 个字符"]})
        return files, comment
    try:
        body = ProcessFilesIn().load(request.get_json(silent=True) or {})
    except ValidationError as exc:
        raise InvalidInput("请上传流程文件", exc.messages, code="invalid_process")
    return {name: text.encode("utf-8") for name, text in body["files"].items()}, body["comment"]


@blp.route("/process-definitions/check", methods=["POST"])
@blp.response(200, CheckOut)
@blp.doc(**UPLOAD_BODY)
@blp.errors(400, 401, 403, 413, 422)
@api_login_required
def check():
    """Run every deployment check without storing anything (designer/admin); 422 lists the problems."""
    files, _comment = uploaded_files()
    report = versioning.check_upload(services(), actor().id, files)
    return {**report.__dict__, "problems": []}


@blp.route("/process-definitions/deploy", methods=["POST"])
@blp.response(201, DesignerDeployOut)
@blp.doc(**UPLOAD_BODY)
@blp.errors(400, 401, 403, 413, 422)
@api_login_required
def deploy():
    """Deploy a new immutable version after the designer checks; answers with the diff to the previous one."""
    files, comment = uploaded_files()
    return versioning.deploy_version(services(), actor().id, files, comment)


@blp.route("/process-definitions/<int:version_id>")
@blp.response(200, SourceOut)
@blp.errors(401, 403, 404)
@api_login_required
def source(version_id: int):
    """One version with all its files as text (designer, admin, auditor)."""
    return versioning.version_source(services(), actor().id, version_id)


@blp.route("/process-definitions/<int:version_id>/files/<path:name>")
@blp.alt_response(200, success=True, description="文件原文：BPMN/DMN 为 XML，表单为 JSON Schema",
                  content_type="application/xml", schema={"type": "string"})
@blp.alt_response(200, success=True, description="文件原文：BPMN/DMN 为 XML，表单为 JSON Schema",
                  content_type="application/json", schema={"type": "object"})
@blp.errors(401, 403, 404)
@api_login_required
def download(version_id: int, name: str):
    """Download one file of a version as stored."""
    data, mimetype = versioning.version_file(services(), actor().id, version_id, name)
    filename = name.rsplit("/", 1)[-1]
    return Response(data, mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blp.route("/process-definitions/<int:version_id>/diff")
@blp.response(200, DiffOut)
@blp.errors(401, 403, 404)
@api_login_required
def diff(version_id: int):
    """Flow nodes added, removed and changed against the previous version of the process."""
    return versioning.version_diff(services(), actor().id, version_id)


@blp.route("/process-definitions/<int:version_id>/migrate", methods=["POST"])
@blp.arguments(MigrateIn)
@blp.response(200, MigrationOut(many=True))
@blp.errors(401, 403, 404)
@api_login_required
def migrate(body: dict, version_id: int):
    """Move open cases of other versions to this one where safe (dry_run only reports); each one audited."""
    return versioning.migrate_cases(services(), actor().id, version_id, body.get("case_ids"),
                                    bool(body.get("dry_run")))
