"""Schemas of the operators' endpoints: liveness and readiness."""

from marshmallow import Schema, fields


class ReadyOut(Schema):
    status = fields.String(metadata={"description": "ready 或 not_ready"})
    checks = fields.Dict(keys=fields.String(), values=fields.Dict(),
                         metadata={"description": "database, migrations, timer_worker: 每项 {ok, ...}"})


class HealthOut(Schema):
    status = fields.String()
