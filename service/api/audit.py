"""The auditor's cross-case audit search."""

from service.api.common import api_login_required
from service.api.contract import ApiBlueprint
from service.auth import actor
from service.cases import audit_search
from service.reads import read
from service.runtime import services
from service.schemas.audit import AuditSearchArgs, AuditSearchOut

blp = ApiBlueprint("audit", __name__, description="审计查询")


@blp.route("/audit")
@blp.arguments(AuditSearchArgs, location="query")
@blp.response(200, AuditSearchOut)
@blp.errors(401, 403)
@api_login_required
def search(args):
    """Audit events across cases by person, action, date and case, newest first (auditors only)."""
    chosen = audit_search.AuditFilter(actor_id=args.get("actor"), action=args.get("action"),
                                      date_from=args.get("date_from"), date_to=args.get("date_to"),
                                      case=args.get("case"), page=args["page"], per_page=args["per_page"],
                                      zone=services().config.TIMEZONE)
    return read(audit_search.search_audit, actor(), chosen)
