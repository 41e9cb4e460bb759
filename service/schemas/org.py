"""Request and response shapes of the organisation endpoints (/api/v1 departments, users, positions)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.cases.org.admin import DEPARTMENT_KINDS
from service.cases.org.positions import POSITIONS
from service.schemas.common import StrictSchema


class DepartmentIn(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=128))
    kind = fields.String(load_default="other", validate=validate.OneOf(list(DEPARTMENT_KINDS)))


class DepartmentUpdateIn(DepartmentIn):
    active = fields.Boolean(load_default=True)


class DepartmentOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    active = fields.Boolean()


class PositionIn(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(list(POSITIONS)))
    department_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))


class PositionOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    label = fields.String()
    department_id = fields.Integer(allow_none=True)
    department = fields.String(allow_none=True)
    valid_from = fields.DateTime()
    valid_to = fields.DateTime(allow_none=True)
    current = fields.Boolean()


class UserCreateIn(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=256))
    positions = fields.List(fields.Nested(PositionIn), load_default=list)


class PasswordIn(StrictSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=256))


class MoveIn(StrictSchema):
    department_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


class AccountOut(Schema):
    id = fields.Integer(attribute="user.id")
    username = fields.String(attribute="user.username")
    display_name = fields.String(attribute="user.display_name")
    active = fields.Boolean(attribute="user.active")
    roles = fields.List(fields.String(), attribute="user.roles")
    positions = fields.List(fields.Nested(PositionOut))


class AccountDetailOut(AccountOut):
    history = fields.List(fields.Nested(PositionOut))


class OrphanCaseOut(Schema):
    case_id = fields.Integer()
    reference = fields.String()
    title = fields.String()


class TaskRefOut(Schema):
    task_id = fields.String()
    case_id = fields.Integer()
    title = fields.String()


class DeactivationOut(Schema):
    released = fields.List(fields.Nested(TaskRefOut))
    open_cases = fields.List(fields.Nested(OrphanCaseOut))


class CreatedOut(Schema):
    id = fields.Integer()


class VocabularyOut(Schema):
    positions = fields.Dict(keys=fields.String(), values=fields.String())
    task_positions = fields.Dict(keys=fields.String(), values=fields.String())
    department_kinds = fields.Dict(keys=fields.String(), values=fields.String())


class ActingIn(StrictSchema):
    delegate_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    kind = fields.String(required=True, validate=validate.OneOf(list(POSITIONS)))
    department_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    case_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    valid_to = fields.AwareDateTime(required=True)


class GrantIn(StrictSchema):
    user_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    valid_to = fields.AwareDateTime(required=True)
