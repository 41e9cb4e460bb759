"""JSON API under /api/v1 (flask-smorest documents it at /api/v1/openapi.json)."""

from flask import Flask

from service.extensions import api
from service.schemas.errors import Error


def register_api(app: Flask) -> None:
    from service.api import (
        audit,
        cadres,
        cases,
        deadlines,
        designer,
        documents,
        health,
        org,
        processes,
        recusals,
        session,
        stats,
        tasks,
    )

    # The error body as sent, and no catch-all `default` response: each operation declares its errors
    # (service/api/contract.py). Set before init_app, which registers the error responses.
    api.ERROR_SCHEMA = Error
    api.DEFAULT_ERROR_RESPONSE_NAME = None
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("cookieAuth", {"type": "apiKey", "in": "cookie", "name": "session"})
    api.spec.options["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]  # public operations say `security: []`
    for module in (health, session, processes, designer, cases, recusals, tasks, deadlines, org, documents, stats,
                   audit, cadres):
        api.register_blueprint(module.blp, url_prefix="/api/v1")
