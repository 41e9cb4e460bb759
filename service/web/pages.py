"""Login, logout and the landing page (which is the worklist)."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from service.auth import log_in, log_out
from service.cases import accounts
from service.cases.errors import AuthenticationFailed, Throttled
from service.runtime import services
from service.web.blueprint import bp
from service.web.targets import safe_target


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status, headers = None, 200, {}
    if request.method == "POST":
        try:
            user_id = accounts.authenticate(services(), request.form.get("username", ""),
                                            request.form.get("password", ""), request.remote_addr or "")
            log_in(user_id)
            return redirect(safe_target(request.args.get("next"), url_for("web.worklist")))
        except Throttled as exc:
            error, status, headers = exc.message, 429, {"Retry-After": str(exc.retry_after)}
        except AuthenticationFailed as exc:
            error, status = exc.message, 401
    return render_template("auth/login.html", error=error, username=request.form.get("username", "")), status, headers


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        log_out()
    return redirect(url_for("web.login"))


@bp.route("/")
@login_required
def index():
    return redirect(url_for("web.worklist"))
