"""Statistics: the filters a figure group takes and the group's tables (`service/cases/stats`)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from service.cases.stats.report import Count
from service.schemas.fields import Id


class StatsArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    date_from = fields.Date(data_key="from", metadata={"description": "登记日期起（含），YYYY-MM-DD"})
    date_to = fields.Date(data_key="to", metadata={"description": "登记日期止（含），YYYY-MM-DD"})
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
