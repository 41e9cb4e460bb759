"""Request and response shapes of logging in and out, the current user and API tokens."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.schemas.common import StrictSchema


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
