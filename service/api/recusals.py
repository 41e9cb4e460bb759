"""回避: declare one's own recusal, record a party's challenge, decide, lift; the case's recusal record."""

from flask.views import MethodView

from service.api.common import api_login_required
from service.api.contract import ApiBlueprint
from service.auth import actor
from service.cases import actions, recusal
from service.reads import read
from service.runtime import services
from service.schemas.cases import RecusalIn
from service.schemas.deadlines import ReasonIn
from service.schemas.org import CreatedOut
from service.schemas.recusals import ChallengeIn, DeclareIn, RecusalDecisionIn, RecusalRequestOut, RecusalsOut

blp = ApiBlueprint("recusals", __name__, description="回避")


@blp.route("/cases/<int:case_id>/recusals")
class Recusals(MethodView):
    # one rule for both methods: two rules on one path would answer 405 instead of 404 for an id past MAX_ID

    @blp.response(200, RecusalsOut)
    @blp.errors(401, 403, 404)
    @api_login_required
    def get(self, case_id):
        """The case's 回避 requests (declarations, challenges, decisions, lifting) and who is recused now."""
        page = read(recusal.recusal_page, actor(), case_id, services().now())
        return {"requests": page["requests"], "recused": sorted(page["recused"])}

    @blp.arguments(RecusalIn)
    @blp.response(204)
    @blp.errors(401, 403, 404, 409)
    @api_login_required
    def post(self, body, case_id):
        """The decider's own 回避 decision for a user on this case (the principal; the overseeing deputy for
        department staff): binds at once."""
        actions.recuse_user(services(), actor().id, case_id, body["user_id"], body["reason"], body["ground"])


@blp.route("/cases/<int:case_id>/recusals/declare", methods=["POST"])
@blp.arguments(DeclareIn)
@blp.response(201, CreatedOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def declare(body, case_id):
    """The current user asks to withdraw from the case (自行回避), with a ground and written reasons.
    The principal's own withdrawal binds at once; anyone else's waits for the decider."""
    view = recusal.declare_recusal(services(), actor().id, case_id, body["ground"], body["grounds"])
    return {"id": view.event.summary["request_id"]}


@blp.route("/cases/<int:case_id>/recusals/challenge", methods=["POST"])
@blp.arguments(ChallengeIn)
@blp.response(201, CreatedOut)
@blp.errors(401, 403, 404, 409)
@api_login_required
def challenge(body, case_id):
    """Intake records the subject's or the reporter's request that a staff member withdraw, with their grounds."""
    view = recusal.record_challenge(services(), actor().id, case_id, body["user_id"], body["challenger"],
                                    body["ground"], body["grounds"])
    return {"id": view.event.summary["request_id"]}


@blp.route("/recusal-requests/<int:recusal_request_id>/decide", methods=["POST"])
@blp.arguments(RecusalDecisionIn)
@blp.response(204)
@blp.errors(401, 403, 404, 409)
@api_login_required
def decide(body, recusal_request_id):
    """The principal (or the deputy overseeing the person's department) upholds or rejects a pending request.
    Upheld: the person loses access to the case at once."""
    recusal.decide_recusal(services(), actor().id, recusal_request_id, body["decision"] == "uphold", body["note"])


@blp.route("/cases/<int:case_id>/recusals/<int:user_id>/lift", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(204)
@blp.errors(401, 403, 404, 409)
@api_login_required
def lift(body, case_id, user_id):
    """Lift a recusal (解除回避), with a reason: the person reads the case again."""
    recusal.lift_recusal(services(), actor().id, case_id, user_id, body["reason"])


@blp.route("/recusal-requests")
@blp.response(200, RecusalRequestOut(many=True))
@blp.errors(401)
@api_login_required
def awaiting():
    """The pending 回避 requests the current user may decide (the principal; a deputy for their departments' staff)."""
    return [row["request"] for row in read(recusal.awaiting_decision, actor(), services().now())]
