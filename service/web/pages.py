"""Login and the landing page; the full interface lives beside this module."""

from flask import redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from service import accounts
from service.auth import read_session
from service.cases.errors import AuthenticationFailed, Throttled
from service.cases.runtime import services
from service.models import User
from service.web import bp


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        try:
            user_id = accounts.authenticate(services(), request.form.get("username", ""),
                                            request.form.get("password", ""), request.remote_addr or "")
            login_user(read_session().get(User, user_id))
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("web.index"))
        except (AuthenticationFailed, Throttled) as exc:
            error = exc.message
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect(url_for("web.login"))


@bp.route("/")
@login_required
def index():
    return render_template("index.html")
