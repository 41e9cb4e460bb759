"""Statistics: the filters a figure group takes and the group's tables (`service/cases/stats`)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from service.cases.stats.report import Count
from service.schemas.fields import DATE_RANGE, Id


class StatsArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    date_from = fields.Date(data_key="from", validate=DATE_RANGE, metadata={"description": "登记日期起（含）"})
    date_to = fields.Date(data_key="to", validate=DATE_RANGE, metadata={"description": "登记日期止（含）"})
    department = Id(metadata={"description": "承办部门 id"})
    cadre_level = fields.String(validate=validate.Length(min=1, max=16))
    process_key = fields.String(validate=validate.Length(min=1, max=64),
                                metadata={"description": "流程（办理时效、流程分析）；其他统计组的流程是固定的"})
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "xlsx", "csv"]),
                           metadata={"description": "json，或导出 xlsx / csv"})


class Cell(fields.Field):
    """A table cell: a count `{value, cases_url}`, a number, a text or null."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, Count):
            return {"value": value.value, "cases_url": value.cases_url}
        return value


class TableOut(Schema):
    id = fields.String()
    title = fields.String()
    columns = fields.List(fields.String())
    rows = fields.List(fields.List(Cell()), metadata={
        "description": "每行首格为行名；计数格为 {value, cases_url}，cases_url 的 total 等于 value"})
    note = fields.String()


class FiltersOut(Schema):
    date_from = fields.Date(data_key="from", allow_none=True)
    date_to = fields.Date(data_key="to", allow_none=True)
    department = fields.Integer(allow_none=True)
    cadre_level = fields.String(allow_none=True)
    process_key = fields.String(allow_none=True)


class StatsOut(Schema):
    group = fields.String()
    title = fields.String()
    filters = fields.Nested(FiltersOut)
    generated_at = fields.DateTime()
    tables = fields.List(fields.Nested(TableOut))
    notes = fields.List(fields.String())


class AnalyticsArgs(StatsArgs):
    class Meta:
        unknown = EXCLUDE
        exclude = ("format",)

    version = fields.Integer(validate=validate.Range(min=1, max=1_000_000),
                             metadata={"description": "流程版本号；不填则统计全部版本、图为最新版本"})


class ElementOut(Schema):
    id = fields.String()
    name = fields.String()
    passages = fields.Integer(metadata={"description": "办理次数（完成的工作项）"})
    cases = Cell(metadata={"description": "{value, cases_url}：办结过此步骤的案件"})
    open = fields.Integer(metadata={"description": "当前在办"})
    avg_days = fields.Float(allow_none=True)
    median_days = fields.Float(allow_none=True)
    p90_days = fields.Float(allow_none=True)


class FlowOut(Schema):
    id = fields.String()
    name = fields.String()
    source = fields.String()
    target = fields.String()
    source_name = fields.String()
    target_name = fields.String()
    cases = fields.Integer(metadata={"description": "经过此连线的案件数"})
    share = fields.String(metadata={"description": "占统计范围内案件的比例"})


class AnalyticsOut(Schema):
    process_key = fields.String()
    name = fields.String()
    version = fields.Integer()
    all_versions = fields.Boolean()
    generated_at = fields.DateTime()
    cases = Cell()
    filters = fields.Nested(FiltersOut)
    bpmn_xml = fields.String()
    elements = fields.List(fields.Nested(ElementOut))
    flows = fields.List(fields.Nested(FlowOut))
    bottlenecks = fields.List(fields.String(), metadata={"description": "耗时最长（90% 用时）的步骤 id"})


class WorkbookArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    period = fields.String(required=True, validate=validate.Regexp(r"^(19|20|21)\d{2}-(0[1-9]|1[0-2]|Q[1-4])$"),
                           metadata={"description": "月报 YYYY-MM 或季报 YYYY-Qn"})
    department = Id(metadata={"description": "承办部门 id"})
    cadre_level = fields.String(validate=validate.Length(min=1, max=16))
