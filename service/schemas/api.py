"""Request and response shapes of /api/v1."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from service.bounds import MAX_ID
from service.schemas.fields import Id, Page


class StrictSchema(Schema):
    class Meta:
        unknown = "raise"


class LoginIn(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)
    issue_token = fields.Boolean(load_default=False)


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    department = fields.String()


class LoginOut(Schema):
    user = fields.Nested(UserOut)
    token = fields.String(allow_none=True, metadata={"description": "bearer token (issue_token), shown once"})


class TokenOut(Schema):
    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()


class PasswordChangeIn(StrictSchema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class ProcessOut(Schema):
    key = fields.String(attribute="process_key")
    name = fields.String()
    version = fields.Integer()


class CaseCreateIn(StrictSchema):
    process_key = fields.String(required=True, validate=validate.Length(min=1, max=64))
    title = fields.String(required=True, validate=validate.Length(min=1, max=256))
    data = fields.Dict(keys=fields.String(validate=validate.Length(max=64)), load_default=dict)


class CaseListArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(["open", "completed"]))
    process_key = fields.String()
    q = fields.String(validate=validate.Length(max=100))
    mine = fields.Boolean(load_default=False)
    overdue = fields.Boolean(load_default=False)
    sort = fields.String(load_default="-created",
                         validate=validate.OneOf(["due", "-due", "created", "-created", "reference", "-reference"]))
    page = Page(load_default=1)
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class CaseSummaryOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    title = fields.String()
    process_key = fields.String()
    status = fields.String()
    outcome = fields.String(allow_none=True)
    stage = fields.String()
    subject_name = fields.String()
    handler_id = fields.Integer(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    version = fields.Integer()


class CasePageOut(Schema):
    items = fields.List(fields.Nested(CaseSummaryOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class TaskOut(Schema):
    id = fields.String(attribute="task_id")
    case_id = fields.Integer()
    bpmn_id = fields.String()
    title = fields.String()
    role = fields.String()
    lane = fields.String()
    approves = fields.String(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    instructions = fields.String()


class TaskDetailOut(TaskOut):
    case_reference = fields.String()
    case_version = fields.Integer()
    form = fields.Dict(allow_none=True)


class LinkOut(Schema):
    direction = fields.String()
    name = fields.String()
    case_id = fields.Integer()
    reference = fields.String()
    title = fields.String()
    process_key = fields.String()
    status = fields.String()


class CaseDetailOut(CaseSummaryOut):
    process_version = fields.Integer()
    data = fields.Dict()
    tasks = fields.List(fields.Nested(TaskOut))
    links = fields.List(fields.Nested(LinkOut))
    closed_at = fields.DateTime(allow_none=True)
    deadline_warnings = fields.List(fields.String(), metadata={"description": "期限落在缺少节假日数据的年份时的提示"})


class CompleteIn(StrictSchema):
    data = fields.Dict(keys=fields.String(), load_default=dict)
    case_version = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0, max=MAX_ID))


class ReporterIn(Schema):
    class Meta:
        unknown = EXCLUDE

    reason = fields.String(load_default="", metadata={"description": "why the identity is needed (required, ≤ 500)"})


class ReporterOut(Schema):
    reporter = fields.Dict(keys=fields.String(), metadata={"description": "the reporter_* fields; empty if none"})


class AuditEventOut(Schema):
    id = fields.Integer()
    seq = fields.Integer()
    at = fields.DateTime()
    actor_name = fields.String()
    action = fields.String()
    task_bpmn_id = fields.String(allow_none=True)
    task_title = fields.String(allow_none=True)
    summary = fields.Dict()
    prev_hash = fields.String()
    hash = fields.String()
    request_id = fields.String(allow_none=True, metadata={"description": "写入该事件的请求（或定时器轮次）编号"})


class ChainOut(Schema):
    valid = fields.Boolean()
    checked = fields.Integer()
    broken_seq = fields.Integer(allow_none=True)
    broken_event_id = fields.Integer(allow_none=True)
    reason = fields.String()


class AuditOut(Schema):
    events = fields.List(fields.Nested(AuditEventOut))
    chain = fields.Nested(ChainOut)


class DiagramOut(Schema):
    bpmn_xml = fields.String()
    completed = fields.List(fields.String())
    active = fields.List(fields.String())
    history = fields.List(fields.Dict())


class ProcessVersionOut(Schema):
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
    id = fields.Integer(attribute="version_id")
    process_key = fields.String()
    version = fields.Integer()
    created = fields.Boolean()


class RecusalIn(StrictSchema):
    user_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class HealthOut(Schema):
    status = fields.String()
