"""Request and response shapes of cases: start, list, detail (a `CaseView`), audit, diagram, reporter, recusal."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from service.cases.recusal import GROUNDS as RECUSAL_GROUNDS
from service.cases.stats.filters import FORM_VALUES, NONE, TASK_STATES
from service.schemas.common import StrictSchema
from service.schemas.fields import DATE_RANGE, Id, Page
from service.schemas.tasks import TaskOut


class CaseCreateIn(StrictSchema):
    process_key = fields.String(required=True, validate=validate.Length(min=1, max=64))
    title = fields.String(required=True, validate=validate.Length(min=1, max=256))
    data = fields.Dict(keys=fields.String(validate=validate.Length(max=64)), load_default=dict)


def Fact() -> fields.String:  # noqa: N802 - a field factory, read like a field class
    """A recorded fact of the case (干部层级, 线索来源, ...); the value 未登记 selects cases without it."""
    return fields.String(validate=validate.Length(min=1, max=64),
                         metadata={"description": f"统计事实的取值；“{NONE}”表示未记录"})


class StartForm(Schema):
    """The 发起案件 page's form (the API's body is `CaseCreateIn`)."""

    class Meta:
        unknown = EXCLUDE

    process_key = fields.String(required=True, validate=validate.Length(min=1, max=64),
                                error_messages={"required": "请选择流程"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=256, error="标题应为 1 至 256 个字"),
                          error_messages={"required": "此项为必填项"})


class CaseListArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(["open", "completed"]))
    process_key = fields.String(validate=validate.Length(max=64))
    q = fields.String(validate=validate.Length(max=100))
    # The statistics facets (service/cases/stats/filters.py): a figure's drill-down is a case list.
    date_from = fields.Date(data_key="from", validate=DATE_RANGE, metadata={"description": "登记日期起（含）"})
    date_to = fields.Date(data_key="to", validate=DATE_RANGE, metadata={"description": "登记日期止（含）"})
    department = Id(metadata={"description": "承办部门 id"})
    version_id = Id(metadata={"description": "流程版本 id"})
    cadre_level = Fact()
    form = fields.String(validate=validate.OneOf(FORM_VALUES), metadata={"description": "四种形态 1–4，any = 已认定"})
    measure = Fact()
    source = Fact()
    channel = Fact()
    real_name = fields.Boolean()
    disposal = Fact()
    outcome = Fact()
    finding = Fact()
    cleared = fields.Boolean()
    report_type = Fact()
    grade = Fact()
    visited = fields.Boolean()
    task = fields.String(validate=validate.Length(max=128), metadata={"description": "BPMN 用户任务 id"})
    task_state = fields.String(validate=validate.OneOf(TASK_STATES))
    mine = fields.Boolean(load_default=False)
    overdue = fields.Boolean(load_default=False)
    sort = fields.String(load_default="-created",
                         validate=validate.OneOf(["due", "-due", "created", "-created", "reference", "-reference"]))
    page = Page(load_default=1)
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class CaseRefOut(Schema):
    """A case named where something else is the subject (an overdue task's case)."""

    id = fields.Integer()
    reference = fields.String()
    title = fields.String()
    process_key = fields.String()
    status = fields.String()


class CaseSummaryOut(CaseRefOut):
    """A case in a list: its list columns."""

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


class LinkOut(Schema):
    direction = fields.String()
    name = fields.String()
    case_id = fields.Integer()
    reference = fields.String()
    title = fields.String()
    process_key = fields.String()
    status = fields.String()


class CaseDetailOut(CaseSummaryOut):
    """A `CaseView` (what every case action and GET /cases/{id} return), its data redacted for the reader."""

    process_version = fields.Integer()
    data = fields.Dict()
    tasks = fields.List(fields.Nested(TaskOut))
    links = fields.List(fields.Nested(LinkOut))
    closed_at = fields.DateTime(allow_none=True)
    deadline_warnings = fields.List(fields.String(), metadata={"description": "期限落在缺少节假日数据的年份时的提示"})
    waiting = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "无人可签批的审批步骤（有权签批者均已提出或签批本审批链的其他环节）：任务 id → 说明；"
                       "该步骤等待主要负责人指定代理人"})


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


class RecusalIn(StrictSchema):
    user_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    ground = fields.String(load_default="other", validate=validate.OneOf(list(RECUSAL_GROUNDS)),
                           metadata={"description": "回避事由（同 /cases/{id}/recusals/declare）"})
