"""HTML pages (简体中文)."""

from flask import Blueprint, Flask

bp = Blueprint("web", __name__)


def register_web(app: Flask) -> None:
    from service.web import pages  # noqa: F401  (registers routes on bp)

    app.register_blueprint(bp)
