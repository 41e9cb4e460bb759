"""Documents (文书) of a case: list, download as DOCX or PDF, cancel (作废)."""

from urllib.parse import quote

from flask import Response

from service.api.common import api_login_required
from service.api.contract import ApiBlueprint
from service.auth import actor
from service.cases import actions
from service.cases.documents import FileOut
from service.reads import read_with_services
from service.runtime import services
from service.schemas.deadlines import ReasonIn
from service.schemas.documents import DocumentOut, FormatArgs

blp = ApiBlueprint("documents", __name__, description="文书")


def send_file(out: FileOut) -> Response:
    """A download: never shown inline, never sniffed into another type."""
    response = Response(out.data, mimetype=out.mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(out.filename)}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/cases/<int:case_id>/documents")
@blp.response(200, DocumentOut(many=True))
@blp.errors(401, 403, 404)
@api_login_required
def list_documents(case_id):
    """The case's documents in issue order: type, 文号, title, step, created, by."""
    return read_with_services(actions.list_documents, actor().id, case_id)


@blp.route("/documents/<int:document_id>")
@blp.arguments(FormatArgs, location="query")
@blp.response(200, content_type="application/pdf", description="PDF 或 DOCX（format=docx）文件，作为附件下载")
@blp.errors(401, 403, 404)
@api_login_required
def download(args, document_id):
    """The document as PDF (default) or DOCX, rendered from its text as issued; every download is audited."""
    return send_file(actions.document_file(services(), actor().id, document_id, args["format"]))


@blp.route("/documents/<int:document_id>/cancel", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, DocumentOut)
@blp.errors(401, 404, 409)
@api_login_required
def cancel(body, document_id):
    """作废: the document keeps its number, marked cancelled (department head or case management)."""
    return actions.cancel_document(services(), actor().id, document_id, body["reason"])
