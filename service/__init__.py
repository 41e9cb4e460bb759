"""Qingfeng service: the Flask application factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask

from service.config import ROOT, Config


def create_app(config: Config | None = None, clock: Callable[[], datetime] | None = None) -> Flask:
    """Build the app: configuration, database, engine, extensions, blueprints, error handlers."""
    from service.api import register_api
    from service.api.csrf import install_api_csrf
    from service.bounds import IdConverter
    from service.errors import register_error_handlers
    from service.extensions import csrf, login_manager
    from service.observability import http as observability
    from service.observability import logs
    from service.reads import close_request_session
    from service.runtime import build_services
    from service.security import install_security_headers
    from service.web import register_web

    config = config or Config.from_env()
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "service" / "static"))
    app.url_map.converters["int"] = IdConverter  # before any route: every <int:…> is a bounded database id
    app.config.update(config.flask_settings())
    app.json.ensure_ascii = False  # Chinese stays readable (and searchable) in JSON responses
    app.extensions["qingfeng"] = build_services(config, clock)
    app.teardown_appcontext(close_request_session)
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    register_api(app)
    csrf.exempt("api")
    for name in list(app.blueprints):
        if name != "web":
            csrf.exempt(app.blueprints[name])
    install_api_csrf(app, tuple(config.TRUSTED_ORIGINS.split(",")))  # the API's own rule (token or origin)
    register_web(app)
    observability.install(app)
    register_error_handlers(app)
    install_security_headers(app)
    logs.configure()
    return app
