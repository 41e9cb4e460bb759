"""The one error body of the API, as service/errors.py sends it."""

from __future__ import annotations

from marshmallow import Schema, fields


class Error(Schema):
    """Every error response: `{code, status, message, errors}` (component `Error` in openapi.json)."""

    code = fields.String(required=True, metadata={"description": "机器可读的错误名，如 not_found、invalid_input"})
    status = fields.Integer(required=True, metadata={"description": "HTTP 状态码"})
    message = fields.String(required=True, metadata={"description": "给用户看的说明（简体中文）"})
    errors = fields.Dict(
        required=True,
        metadata={"description": "逐项问题：字段名 → 问题列表（查询参数在 query 下）；流程检查的问题在 problems 下，"
                                 "每项 {file, element_id, message, line}；没有逐项问题时为空对象"},
    )
