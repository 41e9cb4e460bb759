"""Login, logout, changing one's password and the landing page (which is the worklist)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from service.auth import actor, current_session_key, log_in, log_out
from service.cases import accounts
from service.cases.errors import AuthenticationFailed, InvalidInput, Throttled
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


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other sessions and all API tokens end with the old password."""
    errors, status, headers = {}, 200, {}
    if request.method == "POST":
        new = request.form.get("new_password", "")
        if new != request.form.get("confirm_password", ""):
            errors, status = {"confirm_password": ["两次输入的新密码不一致"]}, 422
        else:
            try:
                accounts.change_password(services(), actor().id, request.form.get("current_password", ""), new,
                                         request.remote_addr or "", keep_session=current_session_key())
                flash("密码已修改。其他设备上的登录和全部 API 令牌已失效。", "success")
                return redirect(url_for("web.worklist"))
            except Throttled as exc:
                errors, status = {"current_password": [exc.message]}, 429
                headers = {"Retry-After": str(exc.retry_after)}
            except InvalidInput as exc:
                errors, status = exc.errors, 422
    return render_template("auth/password.html", errors=errors), status, headers
