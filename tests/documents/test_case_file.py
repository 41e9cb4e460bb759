"""The 案卷: archiving a closed case makes it read-only; its PDF renders page by page; the ZIP's manifest matches."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile

from service.cases import actions
from tests.documents.support import document_files, pdf_text, require_poppler
from tests.documents.test_attachments import PDF, PNG, _upload
from tests.support.approval import REGISTER_DATA, open_task_id


def _closed_case(api, svc, users, deploy) -> int:
    deploy(document_files())
    case_id = actions.start_case(svc, users["intake"], "approval_demo", "关于郝测试的举报",
                                 {"department": "第一监督检查室"}).case.id
    actions.complete_task(svc, users["intake"], open_task_id(svc, case_id, "register"), dict(REGISTER_DATA))
    assert _upload(api("intake"), case_id, PDF, "举报信.pdf").status_code == 201
    assert _upload(api("handler"), case_id, PNG, "现场照片.png").status_code == 201
    actions.complete_task(svc, users["handler"], open_task_id(svc, case_id, "propose"), {"disposal": "予以了结"})
    actions.complete_task(svc, users["supervisor"], open_task_id(svc, case_id, "approve"),
                          {"decision": "approve", "opinion": "同意"})
    return case_id


def test_the_department_head_archives_a_closed_case_which_becomes_read_only(api, svc, users, deploy):
    case_id = _closed_case(api, svc, users, deploy)
    assert api("handler").post(f"/cases/{case_id}/archive").status_code == 403   # a member, not the head
    archived = api("supervisor").post(f"/cases/{case_id}/archive")
    assert archived.status_code == 201, archived.json
    assert archived.json["archive_no"] == "高纪档〔2026〕1号" and archived.json["archived_by_name"] == "孙主任"
    assert api("supervisor").post(f"/cases/{case_id}/archive").json["code"] == "case_archived"
    refused = _upload(api("handler"), case_id, PDF, "补充.pdf")
    assert refused.status_code == 409 and refused.json["code"] == "case_archived"
    document = api("handler").get(f"/cases/{case_id}/documents").json[0]
    assert api("supervisor").post(f"/documents/{document['id']}/cancel", {"reason": "x"}).status_code == 409
    assert api("handler").get(f"/cases/{case_id}").status_code == 200   # reading an archived case is audited
    trail = api("supervisor").get(f"/cases/{case_id}/audit").json["events"]
    assert [(e["action"], e["actor_name"]) for e in trail if e["action"] == "archived_case_read"] == [
        ("archived_case_read", "郝承办")]


def test_an_open_case_cannot_be_archived(api, svc, users, deploy):
    deploy(document_files())
    case_id = actions.start_case(svc, users["intake"], "approval_demo", "在办案件",
                                 {"department": "第一监督检查室"}).case.id
    actions.complete_task(svc, users["intake"], open_task_id(svc, case_id, "register"), dict(REGISTER_DATA))
    assert api("supervisor").post(f"/cases/{case_id}/archive").json["code"] == "case_not_closed"


def test_the_case_file_pdf_renders_every_page_and_the_zip_manifest_matches_its_files(api, svc, users, deploy, tmp_path):
    case_id = _closed_case(api, svc, users, deploy)
    api("supervisor").post(f"/cases/{case_id}/archive")
    pdf = api("supervisor").get(f"/cases/{case_id}/archive?format=pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Disposition"].startswith("attachment;")
    (tmp_path / "case.pdf").write_bytes(pdf.data)
    require_poppler("pdftoppm")
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(tmp_path / "case.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5 and all(p.stat().st_size > 1000 for p in pages)
    text = pdf_text(pdf.data)
    for expected in ("高纪档〔2026〕1号", "卷内目录", "高纪信告〔2026〕1号", "线索处置呈批表", "现场照片.png",
                     hashlib.sha256(PNG).hexdigest()[:32], "校验方法", "保管期限", "永久"):
        assert expected in text.replace("\n", ""), expected
    bundle = api("supervisor").get(f"/cases/{case_id}/archive?format=zip")
    archive = zipfile.ZipFile(io.BytesIO(bundle.data))
    manifest = json.loads(archive.read("manifest.json"))
    assert {f["path"] for f in manifest["files"]} == set(archive.namelist()) - {"manifest.json"}
    for entry in manifest["files"]:
        data = archive.read(entry["path"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
    assert archive.read("attachments/" + next(n.split("/", 1)[1] for n in archive.namelist()
                                               if n.endswith("举报信.pdf"))) == PDF
    events = json.loads(archive.read("audit/events.json"))
    assert manifest["audit_last_hash"] == events[-1]["hash"] and manifest["audit_chain_valid"] is True
    trail = api("supervisor").get(f"/cases/{case_id}/audit").json["events"]
    assert [e["action"] for e in trail].count("case_file_exported") == 2


def test_outsiders_get_404_for_the_case_file(api, svc, users, deploy):
    from service.cases import accounts
    from tests.conftest import ApiClient

    case_id = _closed_case(api, svc, users, deploy)
    accounts.create_user(svc, "outsider", "外单位", "qingfeng-demo", ["supervisor"], "第二监督检查室")
    outsider = ApiClient(api("intake").client.application, "outsider")
    assert outsider.get(f"/cases/{case_id}/archive").status_code == 404
    assert outsider.post(f"/cases/{case_id}/archive").status_code == 404


def test_the_case_page_lists_documents_and_attachments_and_archives_and_exports(app, api, svc, users, deploy):
    case_id = _closed_case(api, svc, users, deploy)
    web = app.test_client()
    assert web.post("/login", data={"username": "supervisor", "password": "qingfeng-demo"}).status_code == 302
    page = web.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "高纪信告〔2026〕1号" in page and "现场照片.png" in page and hashlib.sha256(PNG).hexdigest() in page
    assert "归档（归档后本案只读）" in page
    uploaded = web.post(f"/cases/{case_id}/attachments", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(PDF), "补充材料.pdf")})
    assert uploaded.status_code == 302 and "补充材料.pdf" in web.get(f"/cases/{case_id}").get_data(as_text=True)
    refused = web.post(f"/cases/{case_id}/attachments", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"MZ\x90\x00"), "工具.exe")})
    assert refused.status_code == 422 and "不支持的文件类型" in refused.get_data(as_text=True)
    assert web.post(f"/cases/{case_id}/archive").status_code == 302
    page = web.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "归档号 高纪档〔2026〕1号" in page and "归档（归档后本案只读）" not in page
    document_id = api("supervisor").get(f"/cases/{case_id}/documents").json[0]["id"]
    docx = web.get(f"/documents/{document_id}/download?format=docx")
    assert docx.status_code == 200 and docx.headers["X-Content-Type-Options"] == "nosniff"
    assert web.get(f"/cases/{case_id}/case-file?format=zip").headers["Content-Type"] == "application/zip"
