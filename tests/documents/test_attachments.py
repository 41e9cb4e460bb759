"""Attachments: upload, list, download with hash; wrong types and oversized files refused; outsiders get 404."""

from __future__ import annotations

import hashlib
import io

from sqlalchemy import select

from service.cases import actions
from service.models import AuditEvent
from tests.documents.support import document_files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _case(svc, users, deploy) -> int:
    deploy(document_files())
    return actions.start_case(svc, users["intake"], "approval_demo", "关于郝测试的举报",
                              {"department": "第一监督检查室"}).case.id


def _upload(client, case_id, data: bytes, name: str, **form):
    return client.client.post(f"/api/v1/cases/{case_id}/attachments", content_type="multipart/form-data",
                              data={"file": (io.BytesIO(data), name), **form})


def test_upload_list_and_download_keep_the_bytes_and_their_sha256_and_are_audited(api, svc, users, deploy):
    case_id = _case(svc, users, deploy)
    created = _upload(api("intake"), case_id, PDF, "举报信原件.pdf")
    assert created.status_code == 201, created.json
    assert created.json["sha256"] == hashlib.sha256(PDF).hexdigest() and created.json["size"] == len(PDF)
    assert created.json["kind"] == "pdf" and created.json["filename"] == "举报信原件.pdf"
    listed = api("intake").get(f"/cases/{case_id}/attachments")
    assert [a["sha256"] for a in listed.json] == [created.json["sha256"]]
    got = api("intake").get(f"/attachments/{created.json['id']}")
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    with svc.db.read_session() as session:
        actions_seen = list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)))
    assert "attachment_added" in actions_seen and "attachment_downloaded" in actions_seen


def test_a_file_whose_bytes_are_not_an_accepted_type_is_refused_with_422(api, svc, users, deploy):
    case_id = _case(svc, users, deploy)
    html = _upload(api("intake"), case_id, b"<html><script>alert(1)</script></html>", "证据.pdf")
    assert html.status_code == 422 and html.json["code"] == "file_type_refused"
    disguised = _upload(api("intake"), case_id, PNG, "证据.pdf")   # an image calling itself a PDF
    assert disguised.status_code == 422
    assert _upload(api("intake"), case_id, PNG, "照片.png").status_code == 201


def test_a_file_over_the_size_limit_is_refused_with_413(api, svc, users, deploy):
    case_id = _case(svc, users, deploy)
    svc.config.ATTACHMENT_MAX_BYTES = 1024
    try:
        small_over = _upload(api("intake"), case_id, PDF + b"0" * 2000, "大文件.pdf")
        assert small_over.status_code == 413 and small_over.json["code"] == "too_large"
        huge = _upload(api("intake"), case_id, PDF + b"0" * 200_000, "大文件.pdf")   # past the request limit too
        assert huge.status_code == 413
    finally:
        svc.config.ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024


def test_someone_outside_the_case_gets_404_for_its_attachments(api, svc, users, deploy):
    case_id = _case(svc, users, deploy)
    created = _upload(api("intake"), case_id, PDF, "原件.pdf").json
    from service.cases import accounts
    accounts.create_user(svc, "outsider", "外单位", "qingfeng-demo", ["handler"], "第二监督检查室")
    from tests.conftest import ApiClient
    outsider = ApiClient(svc_app(api), "outsider")
    assert outsider.get(f"/attachments/{created['id']}").status_code == 404
    assert outsider.get(f"/cases/{case_id}/attachments").status_code == 404
    assert _upload(outsider, case_id, PDF, "x.pdf").status_code == 404


def svc_app(api):
    return api("intake").client.application


def test_an_upload_larger_than_other_requests_may_be_passes_under_the_attachment_limit(api, app, svc, users, deploy):
    case_id = _case(svc, users, deploy)
    big = PDF + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)   # past the app-wide request limit
    created = _upload(api("intake"), case_id, big, "扫描件.pdf")
    assert created.status_code == 201, created.json
    assert created.json["size"] == len(big)

