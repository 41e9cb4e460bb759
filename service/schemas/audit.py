"""Request and response shapes of the auditor's cross-case audit search."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from service.schemas.cases import CasePageOut
from service.schemas.fields import Id, Page


class AuditSearchArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    actor = Id(metadata={"description": "办理人（用户 id）"})
    action = fields.String(validate=validate.Length(min=1, max=48),
                           metadata={"description": "操作，如 reporter_viewed（查看举报人信息）"})
    date_from = fields.Date(data_key="from", metadata={"description": "起始日期（含），YYYY-MM-DD"})
    date_to = fields.Date(data_key="to", metadata={"description": "截止日期（含），YYYY-MM-DD"})
    case = fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "案件编号"})
    page = Page(load_default=1)
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class AuditHitOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String()
    action = fields.String()
    case_id = fields.Integer(allow_none=True)
    case_reference = fields.String(allow_none=True)
    task_title = fields.String(allow_none=True)
    summary = fields.Dict(metadata={"description": "事件摘要（不含提交的案件内容）"})


class AuditSearchOut(CasePageOut):
    """A page of audit events: the case list's page shape with events for items."""

    items = fields.List(fields.Nested(AuditHitOut))
