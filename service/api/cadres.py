"""Cadre records: the registration lookup (candidate records, possible repeat clues), the cadre's record
under need to know, merging two records of one person, a measure changed on appeal."""

from service.api.common import api_login_required
from service.api.contract import ApiBlueprint
from service.auth import actor
from service.cases import actions, cadre_queries
from service.reads import read
from service.runtime import services
from service.schemas.cadres import (
    CadrePageOut,
    LookupArgs,
    LookupOut,
    MeasureStatusIn,
    MeasureStatusOut,
    MergeIn,
    MergeOut,
)

blp = ApiBlueprint("cadres", __name__, description="干部记录")


@blp.route("/cadres/lookup")
@blp.arguments(LookupArgs, location="query")
@blp.response(200, LookupOut)
@blp.errors(401, 403)
@api_login_required
def lookup(args):
    """At registration: records that may be this person (name + unit) and open clues about them whose
    allegations overlap (offered as 重复件; the handler decides)."""
    svc = services()
    return read(cadre_queries.registration_lookup, actor(), args["name"], args["unit"], args["allegation"],
                args["category"], svc.now(), args["exclude_case_id"])


@blp.route("/cadres/<int:cadre_id>")
@blp.response(200, CadrePageOut)
@blp.errors(401, 403, 404)
@api_login_required
def cadre(cadre_id):
    """The cadre's record: cases and clues, sanctions with their 影响期 and status, form-1 measures, visits
    (only what the reader may read; a cadre none of whose cases they may read is 404)."""
    svc = services()
    return read(cadre_queries.cadre_page, actor(), cadre_id, svc.now(), svc.config.TIMEZONE)


@blp.route("/cadres/<int:cadre_id>/merge", methods=["POST"])
@blp.arguments(MergeIn)
@blp.response(200, MergeOut)
@blp.errors(401, 403, 404, 409, 422)
@api_login_required
def merge(body, cadre_id):
    """Merge another record of the same person into this one (audited on the record's chain)."""
    return actions.merge_cadres(services(), actor().id, cadre_id, body["merge_id"], body["reason"])


@blp.route("/cadre-measures/<int:measure_id>/status", methods=["POST"])
@blp.arguments(MeasureStatusIn)
@blp.response(200, MeasureStatusOut)
@blp.errors(401, 403, 404, 409, 422)
@api_login_required
def measure_status(body, measure_id):
    """A measure changed or revoked on appeal (or restored): its 影响期 no longer counts while not effective."""
    return actions.change_measure_status(services(), actor().id, measure_id, body["status"], body["reason"])
