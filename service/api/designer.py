"""Process designer API: check, deploy with a diff, compare versions, download files, migrate open cases.

Status codes: check answers 200 `{ok: true, problems: [], diff, ...}` when the files would deploy, and 422
with the usual error body (`errors` = the problems, each `{file, element_id, message, line}`) when not, so
check and deploy share one failure shape; an oversize file is 413.
"""

from __future__ import annotations

from flask import Response, request
from marshmallow import ValidationError

from service.api.common import api_login_required
from service.api.contract import ApiBlueprint
from service.auth import actor
from service.cases import versioning
from service.cases.errors import InvalidInput
from service.runtime import services
from service.schemas.common import Extended
from service.schemas.designer import (
    UPLOAD_BODY,
    CheckOut,
    DesignerDeployOut,
    DiffOut,
    MigrateIn,
    MigrationOut,
    ProcessFilesIn,
    SourceOut,
)

blp = ApiBlueprint("designer", __name__, description="流程设计：检查、部署、比较、下载、迁移")


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
    return Extended(report, problems=[])


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
