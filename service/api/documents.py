"""Documents (文书) of a case: list, download as DOCX or PDF, cancel (作废); attachments: upload, list, download."""

from urllib.parse import quote

from flask import Response, request
from flask.views import MethodView

from service.api.common import api_login_required
from service.api.contract import ApiBlueprint
from service.auth import actor
from service.cases import actions
from service.cases.documents import FileOut
from service.reads import read_with_services
from service.runtime import services
from service.schemas.deadlines import ReasonIn
from service.schemas.documents import (
    ArchiveOut,
    AttachmentFileIn,
    AttachmentOut,
    AttachmentUploadIn,
    DocumentOut,
    FormatArgs,
)

blp = ApiBlueprint("documents", __name__, description="文书、附件与案卷")
MULTIPART_OVERHEAD = 64 * 1024   # the multipart envelope around the file


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


# ---- attachments (evidence, incoming letters) ----

@blp.url_value_preprocessor
def _upload_size_limit(endpoint, values):
    """An upload may be as large as the attachment limit (other requests keep the app's smaller limit). Set in a
    URL value preprocessor: those run before every before_request function, one of which reads the form."""
    if endpoint == f"{blp.name}.CaseAttachments" and request.method == "POST":
        request.max_content_length = services().config.ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD


@blp.route("/cases/<int:case_id>/attachments")
class CaseAttachments(MethodView):
    """One rule, two methods, one view class (werkzeug answers 405, not 404, for an id past the range when a
    rule's methods are split across views)."""

    @blp.response(200, AttachmentOut(many=True))
    @blp.errors(401, 403, 404)
    @api_login_required
    def get(self, case_id):
        """The case's attachments with size and SHA-256."""
        return read_with_services(actions.list_attachments, actor().id, case_id)

    @blp.arguments(AttachmentUploadIn, location="form")
    @blp.arguments(AttachmentFileIn, location="files")
    @blp.response(201, AttachmentOut)
    @blp.errors(400, 401, 403, 404, 409, 413, 422)
    @api_login_required
    def post(self, form, files, case_id):
        """Upload a file (multipart field `file`, optional `task_id`): type checked by content, SHA-256 stored,
        audited. 413 above the size limit (QINGFENG_ATTACHMENT_MAX_BYTES, 50 MB by default); 422 for a type not
        accepted."""
        limit = services().config.ATTACHMENT_MAX_BYTES
        upload = files["file"]
        return actions.add_attachment(services(), actor().id, case_id, upload.filename or "", upload.read(limit + 1),
                                      form.get("task_id"))


@blp.route("/attachments/<int:attachment_id>")
@blp.response(200, content_type="application/octet-stream", description="附件原件，作为附件下载（不在浏览器中打开）")
@blp.errors(401, 403, 404)
@api_login_required
def download_attachment(attachment_id):
    """Download the original (Content-Disposition: attachment, nosniff); every download is audited."""
    return send_file(actions.attachment_file(services(), actor().id, attachment_id))


# ---- the case file (案卷) and archiving (归档) ----

@blp.route("/cases/<int:case_id>/archive")
class CaseArchive(MethodView):
    """The case file (案卷) and archiving (归档)."""

    @blp.arguments(FormatArgs, location="query")
    @blp.response(200, content_type="application/pdf", description="案卷 PDF，或 format=zip：原件与 manifest.json")
    @blp.errors(401, 403, 404, 422)
    @api_login_required
    def get(self, args, case_id):
        """The 案卷: one PDF (cover, contents, documents, attachment list with SHA-256, audit chain), or a ZIP of
        the originals with manifest.json; every export is audited."""
        return send_file(actions.case_file(services(), actor().id, case_id, args["format"]))

    @blp.response(201, ArchiveOut)
    @blp.errors(401, 403, 404, 409)
    @api_login_required
    def post(self, case_id):
        """归档 a closed case (its department head or case management): read-only from then on; 归档号, who, when."""
        return actions.archive_case(services(), actor().id, case_id)
