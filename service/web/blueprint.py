"""The `web` blueprint the page modules register their routes on (apart from the package, so no import circle)."""

from flask import Blueprint

bp = Blueprint("web", __name__)
