"""Request and response shapes of the cadre-record endpoints (/api/v1/cadres…)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from service.schemas.cases import CaseSummaryOut
from service.schemas.common import StrictSchema
from service.schemas.fields import Id


class LookupArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    unit = fields.String(load_default="", validate=validate.Length(max=128))
    allegation = fields.String(load_default="", validate=validate.Length(max=2000))
    category = fields.String(load_default="", validate=validate.Length(max=32))
    exclude_case_id = Id(load_default=None, allow_none=True)


class CandidateOut(Schema):
    id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    post = fields.String()
    cadre_level = fields.String()
    exact = fields.Boolean(metadata={"description": "姓名和单位都相同"})


class DuplicateOut(Schema):
    case_id = fields.Integer()
    reference = fields.String()
    clue_no = fields.String()
    title = fields.String()
    allegation_summary = fields.String()
    allegation_category = fields.String()
    same_category = fields.Boolean()
    overlap = fields.Float(metadata={"description": "反映内容重合程度（0–1）"})


class LookupOut(Schema):
    candidates = fields.List(fields.Nested(CandidateOut))
    duplicates = fields.List(fields.Nested(DuplicateOut), metadata={"description": "可能的重复件（由承办人判断）"})


class CadreOut(Schema):
    id = fields.Integer()
    name = fields.String()
    unit = fields.String()
    post = fields.String()
    cadre_level = fields.String()
    management_authority = fields.String()
    is_party_member = fields.Boolean(allow_none=True)
    is_supervision_object = fields.Boolean(allow_none=True)


class MeasureOut(Schema):
    id = fields.Integer()
    measure = fields.String()
    category = fields.String()
    form = fields.Integer()
    effective_date = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True, metadata={"description": "影响期届满后的第一天（不含）"})
    last_day = fields.Date(allow_none=True, metadata={"description": "影响期最后一天"})
    status = fields.String(metadata={"description": "in_force / expired / no_period / changed / revoked"})
    status_label = fields.String()
    status_reason = fields.String()
    decision_no = fields.String()
    case_id = fields.Integer()
    case_reference = fields.String()


class CadrePageOut(Schema):
    cadre = fields.Nested(CadreOut)
    clues = fields.List(fields.Nested(CaseSummaryOut))
    other_cases = fields.List(fields.Nested(CaseSummaryOut))
    follow_ups = fields.List(fields.Nested(CaseSummaryOut))
    sanctions = fields.List(fields.Nested(MeasureOut))
    form1 = fields.List(fields.Nested(MeasureOut))
    merged = fields.List(fields.Nested(CadreOut))


class MergeIn(StrictSchema):
    merge_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class MergeOut(Schema):
    kept = fields.Dict()
    merged = fields.Dict()
    cases_moved = fields.Integer()
    measures_moved = fields.Integer()
    reason = fields.String()


class MeasureStatusIn(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(["changed", "revoked", "effective"]))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class MeasureStatusOut(Schema):
    measure_id = fields.Integer()
    measure = fields.String()
    case_id = fields.Integer()
    to = fields.String()
    reason = fields.String()
