"""Request and response shapes of 回避 (/api/v1/cases/{id}/recusals…, /recusal-requests/{id}/decide)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.cases.recusal import CHALLENGERS, GROUNDS, KIND_LABELS, STATUS_LABELS
from service.schemas.common import StrictSchema
from service.schemas.fields import Id

_GROUND = {"description": "回避事由：" + "；".join(f"{k} {v}" for k, v in GROUNDS.items())}


class DeclareIn(StrictSchema):
    ground = fields.String(required=True, validate=validate.OneOf(list(GROUNDS)), metadata=_GROUND)
    grounds = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                            metadata={"description": "具体理由（必填）"})


class ChallengeIn(DeclareIn):
    user_id = Id(required=True, metadata={"description": "被申请回避的工作人员"})
    challenger = fields.String(required=True, validate=validate.OneOf(list(CHALLENGERS)),
                               metadata={"description": "申请人：subject 被反映人，reporter 检举控告人"})


class RecusalDecisionIn(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["uphold", "reject"]),
                             metadata={"description": "uphold 决定回避，reject 不予回避"})
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class RecusalRequestOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    user_id = fields.Integer()
    kind = fields.String(metadata={"description": "、".join(f"{k} {v}" for k, v in KIND_LABELS.items())})
    challenger = fields.String(allow_none=True)
    ground = fields.String()
    grounds = fields.String()
    requested_by_id = fields.Integer()
    requested_at = fields.DateTime()
    status = fields.String(metadata={"description": "、".join(f"{k} {v}" for k, v in STATUS_LABELS.items())})
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    lifted_by_id = fields.Integer(allow_none=True)
    lifted_at = fields.DateTime(allow_none=True)
    lift_reason = fields.String(allow_none=True)


class RecusalsOut(Schema):
    requests = fields.List(fields.Nested(RecusalRequestOut))
    recused_user_ids = fields.List(fields.Integer(), attribute="recused")
