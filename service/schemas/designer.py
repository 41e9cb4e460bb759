"""Request and response shapes of processes and the designer: versions, check, deploy, diff, source, migration."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from service.schemas.fields import Id


class ProcessOut(Schema):
    key = fields.String(attribute="process_key")
    name = fields.String()
    version = fields.Integer()


class ProcessVersionOut(Schema):
    """A `ProcessVersion` row: dumped from `Extended(version, open_cases=…, files=[names])`."""

    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    name = fields.String()
    sha256 = fields.String()
    deployed_at = fields.DateTime()
    deployed_by_id = fields.Integer(allow_none=True)
    open_cases = fields.Integer()
    files = fields.List(fields.String())


class DeployOut(Schema):
    """A `DeployResult` (or the designer's `DeployReport`): the version stored, or found with the same content."""

    id = fields.Integer(attribute="version_id")
    process_key = fields.String()
    version = fields.Integer()
    created = fields.Boolean()


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
    """A `CheckReport` (a check that passed: `problems` is empty; failures are the 422 error body)."""

    ok = fields.Boolean()
    problems = fields.List(fields.Nested(ProblemOut))
    process_key = fields.String()
    name = fields.String()
    sha256 = fields.String()
    notes = fields.List(fields.String())
    base_version = fields.Integer(allow_none=True)
    same_as_version = fields.Integer(allow_none=True)
    diff = fields.Nested(DiffOut, allow_none=True)


class DesignerDeployOut(DeployOut):
    """A `DeployReport`: the deploy with the upload's notes and the diff to the previous version."""

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
