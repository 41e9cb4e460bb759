"""Cases: start, list, detail, audit trail, diagram, reporter identity (回避: api/recusals.py)."""

from service.api.common import api_login_required, case_body
from service.api.contract import ApiBlueprint
from service.auth import actor
from service.cases import actions, queries
from service.reads import read, read_with_services
from service.runtime import services
from service.schemas.cases import (
    AuditOut,
    CaseCreateIn,
    CaseDetailOut,
    CaseListArgs,
    CasePageOut,
    DiagramOut,
    ReporterIn,
    ReporterOut,
)

blp = ApiBlueprint("cases", __name__, description="案件")


@blp.route("/cases", methods=["POST"])
@blp.arguments(CaseCreateIn)
@blp.response(201, CaseDetailOut)
@blp.errors(401, 403, 404)
@api_login_required
def start(body):
    """Start a case of a process the user's role may start."""
    return case_body(actor(), actions.start_case(services(), actor().id, body["process_key"], body["title"],
                                                 body["data"]))


@blp.route("/cases")
@blp.arguments(CaseListArgs, location="query")
@blp.response(200, CasePageOut)
@blp.errors(401, 403)
@api_login_required
def list_cases(args):
    """A filtered page of the cases the user may see."""
    chosen = queries.CaseFilter(**args, zone=services().config.TIMEZONE)
    return read(queries.list_cases, actor(), chosen, services().now())


@blp.route("/cases/<int:case_id>")
@blp.response(200, CaseDetailOut)
@blp.errors(401, 403, 404)
@api_login_required
def detail(case_id):
    return case_body(actor(), read_with_services(queries.case_view, actor(), case_id))


@blp.route("/cases/<int:case_id>/audit")
@blp.response(200, AuditOut)
@blp.errors(401, 403, 404)
@api_login_required
def audit_trail(case_id):
    """The case's audit events and the result of recomputing their hash chain."""
    trail = read(queries.audit_trail, actor(), case_id, services().now())
    return {"events": trail["events"], "chain": trail["chain"].to_dict()}


@blp.route("/cases/<int:case_id>/diagram")
@blp.response(200, DiagramOut)
@blp.errors(401, 403, 404)
@api_login_required
def diagram(case_id):
    return read_with_services(queries.case_diagram, actor(), case_id)


@blp.route("/cases/<int:case_id>/reporter", methods=["POST"])
@blp.arguments(ReporterIn)
@blp.response(200, ReporterOut)
@blp.errors(401, 403, 404)
@api_login_required
def reporter(body, case_id):
    """The reporter's identity (need-to-know roles only). A POST: every read is recorded in the audit trail.

    403 for those not entitled (before any check of the body), then 422 without a `reason`; 404 for an unknown case.
    """
    return {"reporter": actions.read_reporter(services(), actor().id, case_id, body["reason"]).reporter}
