"""回避 pages: a case's recusal record, with the forms to declare, record a challenge, decide and lift."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from service.auth import actor
from service.cases import recusal
from service.cases.errors import Conflict, InvalidInput
from service.reads import read
from service.runtime import services
from service.web.blueprint import bp


def _back(case_id: int):
    return redirect(url_for("web.case_recusals", case_id=case_id))


def _run(case_id: int, done: str, action, *args):
    """Run one recusal action; a refusal of the input or a state conflict is shown on the page."""
    try:
        action(services(), actor().id, *args)
    except (InvalidInput, Conflict) as exc:
        flash(exc.message, "error")
    else:
        flash(done, "success")
    return _back(case_id)


def _int(name: str) -> int:
    value = request.form.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else 0


@bp.route("/cases/<int:case_id>/recusals")
@login_required
def case_recusals(case_id: int):
    page = read(recusal.recusal_page, actor(), case_id, services().now())
    return render_template("cases/recusals.html", **page, GROUNDS=recusal.GROUNDS, CHALLENGERS=recusal.CHALLENGERS,
                           KIND_LABELS=recusal.KIND_LABELS, RECUSAL_STATUS=recusal.STATUS_LABELS)


@bp.route("/cases/<int:case_id>/recusals/declare", methods=["POST"])
@login_required
def declare_recusal(case_id: int):
    return _run(case_id, "回避申请已提交，等待决定。", recusal.declare_recusal, case_id,
                request.form.get("ground", ""), request.form.get("grounds", ""))


@bp.route("/cases/<int:case_id>/recusals/challenge", methods=["POST"])
@login_required
def challenge_recusal(case_id: int):
    return _run(case_id, "当事人的回避申请已登记，等待决定。", recusal.record_challenge, case_id, _int("user_id"),
                request.form.get("challenger", ""), request.form.get("ground", ""), request.form.get("grounds", ""))


@bp.route("/cases/<int:case_id>/recusals/requests/<int:recusal_request_id>/decide", methods=["POST"])
@login_required
def decide_recusal(case_id: int, recusal_request_id: int):
    uphold = request.form.get("decision") == "uphold"
    return _run(case_id, "已决定回避，该人员即时不能再查看和办理本案。" if uphold else "已决定不予回避。",
                _decide_on_case, case_id, recusal_request_id, uphold, request.form.get("note", ""))


def _decide_on_case(svc, actor_id: int, case_id: int, recusal_request_id: int, uphold: bool, note: str):
    return recusal.decide_recusal(svc, actor_id, recusal_request_id, uphold, note, case_id=case_id)


@bp.route("/cases/<int:case_id>/recusals/<int:user_id>/lift", methods=["POST"])
@login_required
def lift_recusal(case_id: int, user_id: int):
    return _run(case_id, "已解除回避。", recusal.lift_recusal, case_id, user_id, request.form.get("reason", ""))


@bp.route("/recusals")
@login_required
def recusal_queue():
    """回避审批: the pending requests this user may decide."""
    rows = read(recusal.awaiting_decision, actor(), services().now())
    return render_template("recusals.html", rows=rows, GROUNDS=recusal.GROUNDS, KIND_LABELS=recusal.KIND_LABELS,
                           CHALLENGERS=recusal.CHALLENGERS)
