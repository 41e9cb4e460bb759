"""Request and response shapes of deadlines: overdue view, counts, flags, suspension, extensions, holidays."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.cases.deadlines import MAX_EXTENSION_WORKDAYS
from service.schemas.cases import CaseRefOut
from service.schemas.common import StrictSchema
from service.schemas.tasks import TaskOut


class OverdueOut(Schema):
    kind = fields.String(metadata={"description": "overdue（逾期未办）或 escalated（逾期已升级督办）"})
    task = fields.Nested(TaskOut, attribute="item")
    case = fields.Nested(CaseRefOut)
    due_at = fields.DateTime()
    escalated_to = fields.List(fields.Nested(TaskOut))


class CountsOut(Schema):
    overdue = fields.Integer()
    due_soon = fields.Integer()
    due_soon_workdays = fields.Integer()
    approvals = fields.Integer(metadata={"description": "等待我审批的延期和中止申请数"})
    approval_steps = fields.Integer(metadata={"description": "我的待办中的审批步骤数"})


class FlaggedTaskOut(TaskOut):
    """A task of my worklist with its due flag: dumped from `Extended(item, flag=…)`."""

    flag = fields.String(allow_none=True, metadata={"description": "overdue / due_soon / null"})


class ReasonIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class ExtensionIn(StrictSchema):
    workdays = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_EXTENSION_WORKDAYS))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class DecisionIn(StrictSchema):
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class NoteIn(StrictSchema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class ExtensionOut(Schema):
    """A `DeadlineExtension` row."""

    id = fields.Integer()
    case_id = fields.Integer()
    task_id = fields.String()
    workdays = fields.Integer()
    reason = fields.String()
    status = fields.String()
    requested_by_id = fields.Integer()
    requested_at = fields.DateTime()
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String()
    due_before = fields.DateTime(allow_none=True)
    due_after = fields.DateTime(allow_none=True)


class SuspensionOut(Schema):
    """A `DeadlineSuspension` row: a request to stop a deadline's clock (中止) and its decision."""

    id = fields.Integer()
    case_id = fields.Integer()
    task_id = fields.String()
    reason = fields.String()
    status = fields.String(metadata={"description": "pending（待审批）/ approved（已批准）/ rejected（不批准）"})
    requested_by_id = fields.Integer(attribute="suspended_by_id")
    requested_at = fields.DateTime(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String()
    suspended_at = fields.DateTime(allow_none=True, metadata={"description": "期限停止计算的时间（批准时）"})
    resumed_at = fields.DateTime(allow_none=True)


class PendingApprovalOut(Schema):
    """A request waiting for my decision: kind, the request, its task and case, who asked."""

    kind = fields.String(metadata={"description": "extension（延期）或 suspension（中止）"})
    request_id = fields.Function(lambda row: row["request"].id)
    reason = fields.Function(lambda row: row["request"].reason)
    workdays = fields.Function(lambda row: getattr(row["request"], "workdays", None), allow_none=True)
    task = fields.Nested(TaskOut, attribute="item")
    case = fields.Nested(CaseRefOut)
    requested_by = fields.String()
    requested_at = fields.DateTime(allow_none=True)


class TaskDeadlineOut(Schema):
    task_id = fields.String()
    bpmn_id = fields.String()
    title = fields.String()
    due_at = fields.DateTime(allow_none=True)
    suspended = fields.Boolean()
    suspended_at = fields.DateTime(allow_none=True)


class TimerOut(Schema):
    task_id = fields.String()
    bpmn_id = fields.String()
    name = fields.String()
    due_at = fields.DateTime()


class CaseDeadlinesOut(Schema):
    case_id = fields.Integer()
    tasks = fields.List(fields.Nested(TaskDeadlineOut))
    extensions = fields.List(fields.Nested(ExtensionOut))
    suspensions = fields.List(fields.Nested(SuspensionOut))
    timers = fields.List(fields.Nested(TimerOut))
    warnings = fields.List(fields.String(), metadata={"description": "期限所在年份缺少节假日数据时的提示"})


class OverrideIn(StrictSchema):
    day = fields.Date(required=True)
    is_workday = fields.Boolean(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=256))


class OverrideOut(Schema):
    day = fields.Date()
    is_workday = fields.Boolean()
    reason = fields.String()
    created_at = fields.DateTime()


class YearArgs(Schema):
    year = fields.Integer(validate=validate.Range(min=1900, max=2200))
