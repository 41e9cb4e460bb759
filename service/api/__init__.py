"""JSON API under /api/v1 (flask-smorest documents it at /api/v1/openapi.json)."""

from flask import Flask

from service.extensions import api


def register_api(app: Flask) -> None:
    from service.api import cases, deadlines, designer, health, org, processes, session, tasks

    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("cookieAuth", {"type": "apiKey", "in": "cookie", "name": "session"})
    api.spec.options["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]  # public operations say `security: []`
    for module in (health, session, processes, designer, cases, tasks, deadlines, org):
        api.register_blueprint(module.blp, url_prefix="/api/v1")
