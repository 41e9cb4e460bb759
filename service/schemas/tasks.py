"""Request and response shapes of the worklist and of one task (claim, release, complete answer a case)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.bounds import MAX_ID
from service.schemas.common import StrictSchema


class TaskListArgs(Schema):
    scope = fields.String(load_default="mine", validate=validate.OneOf(["mine", "claimed"]))
    process_key = fields.String()


class TaskOut(Schema):
    """An open task: dumped from a `WorkItem` or a row of the open-items statement."""

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
    returned = fields.Function(lambda item: getattr(item, "returned_by_item_id", None) is not None,
                               metadata={"description": "审批退回后重新打开的步骤（已退回）"})


class ReturnedOut(Schema):
    """Who returned a step (退回), when, at which step, with which decision and opinion."""

    step = fields.String()
    by = fields.String()
    at = fields.DateTime()
    decision = fields.String(allow_none=True)
    opinion = fields.String()


class TaskDetailOut(TaskOut):
    """A task with its case and form: dumped from `Extended(item, case=…, form=…, returned=…)`."""

    case_reference = fields.String(attribute="case.reference")
    case_version = fields.Integer(attribute="case.version")
    form = fields.Dict(allow_none=True)
    returned_by = fields.Nested(ReturnedOut, attribute="returned", allow_none=True)
    waiting_note = fields.String(allow_none=True, metadata={
        "description": "审批步骤无人可签批时的说明（等待主要负责人指定代理人），否则为 null"})


class CompleteIn(StrictSchema):
    data = fields.Dict(keys=fields.String(), load_default=dict)
    case_version = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0, max=MAX_ID))
