"""文书、附件与案卷 on the case page: download documents and attachments, upload evidence, archive, export the 案卷."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import login_required

from service.api.documents import MULTIPART_OVERHEAD, send_file
from service.auth import actor
from service.cases import actions
from service.cases.errors import InvalidInput
from service.runtime import services
from service.web.blueprint import bp

UPLOAD_ENDPOINT = "web.upload_attachment_page"


@bp.url_value_preprocessor
def _upload_size_limit(endpoint, values):
    """Uploads may be as large as the attachment limit, set before any before_request function reads the form."""
    if endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = services().config.ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD


@bp.route("/documents/<int:document_id>/download")
@login_required
def download_document_page(document_id: int):
    fmt = request.args.get("format", "pdf")
    return send_file(actions.document_file(services(), actor().id, document_id, fmt))


@bp.route("/attachments/<int:attachment_id>/download")
@login_required
def download_attachment_page(attachment_id: int):
    return send_file(actions.attachment_file(services(), actor().id, attachment_id))


@bp.route("/cases/<int:case_id>/attachments", methods=["POST"])
@login_required
def upload_attachment_page(case_id: int):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput("请选择要上传的文件", {"file": ["必填"]})
    limit = services().config.ATTACHMENT_MAX_BYTES
    actions.add_attachment(services(), actor().id, case_id, upload.filename, upload.read(limit + 1),
                           request.form.get("task_id") or None)
    return redirect(url_for("web.case_detail", case_id=case_id) + "#case-file-title")


@bp.route("/cases/<int:case_id>/archive", methods=["POST"])
@login_required
def archive_case_page(case_id: int):
    actions.archive_case(services(), actor().id, case_id)
    return redirect(url_for("web.case_detail", case_id=case_id) + "#case-file-title")


@bp.route("/cases/<int:case_id>/case-file")
@login_required
def case_file_page(case_id: int):
    return send_file(actions.case_file(services(), actor().id, case_id, request.args.get("format", "pdf")))
