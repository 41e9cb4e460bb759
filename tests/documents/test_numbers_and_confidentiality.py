"""Documents issued by steps: gap-free numbers under concurrency, 签批 lines, no reporter where it must not be."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from service.cases import actions
from service.models import Document
from tests.documents.support import document_files, docx_text, pdf_text
from tests.support.approval import REGISTER_DATA, REPORTER_NAME, open_task_id


def _start(svc, users, n: int) -> list[int]:
    return [actions.start_case(svc, users["intake"], "approval_demo", f"关于郝测试的举报 {i}",
                               {"department": "第一监督检查室"}).case.id for i in range(n)]


def test_fifty_concurrent_completions_get_fifty_distinct_consecutive_numbers(deploy, svc, users, monkeypatch):
    if not svc.db.is_sqlite:   # fifty threads hold fifty connections at once: a pool of that size (the app keeps 30)
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker

        engine = create_engine(svc.db.url, pool_size=55, max_overflow=0, pool_timeout=600)
        monkeypatch.setattr(svc.db, "engine", engine)
        monkeypatch.setattr(svc.db, "_factory", sessionmaker(bind=engine, expire_on_commit=False, autoflush=True))
    deploy(document_files())
    case_ids = _start(svc, users, 50)
    tasks = [open_task_id(svc, c, "register") for c in case_ids]
    barrier, errors = threading.Barrier(50), []

    def complete(task_id: str) -> None:
        barrier.wait()
        try:
            actions.complete_task(svc, users["intake"], task_id, dict(REGISTER_DATA))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=complete, args=(t,)) for t in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with svc.db.read_session() as session:
        docs = session.scalars(select(Document).where(Document.doc_type == "acceptance_notice")).all()
    assert sorted(d.seq for d in docs) == list(range(1, 51))
    assert len({d.case_id for d in docs}) == 50
    assert {d.number for d in docs} == {f"高纪信告〔2026〕{n}号" for n in range(1, 51)}


def _walk(api, svc, users, case_id: int) -> None:
    actions.complete_task(svc, users["intake"], open_task_id(svc, case_id, "register"), dict(REGISTER_DATA))
    actions.complete_task(svc, users["handler"], open_task_id(svc, case_id, "propose"), {"disposal": "予以了结"})
    actions.complete_task(svc, users["supervisor"], open_task_id(svc, case_id, "approve"),
                          {"decision": "approve", "opinion": "同意了结"})


def test_documents_carry_numbers_and_approvals_and_the_reporter_only_in_the_acceptance_notice(api, deploy, svc,
                                                                                             users):
    deploy(document_files())
    case_id = _start(svc, users, 1)[0]
    _walk(api, svc, users, case_id)
    listing = api("handler").get(f"/cases/{case_id}/documents")
    assert listing.status_code == 200, listing.json
    by_type = {d["doc_type"]: d for d in listing.json}
    assert [d["number"] for d in listing.json] == ["高纪信告〔2026〕1号", "高纪函〔2026〕1号", "高纪呈〔2026〕1号"]
    texts = {}
    for doc_type, doc in by_type.items():
        docx = api("handler").get(f"/documents/{doc['id']}?format=docx")
        pdf = api("handler").get(f"/documents/{doc['id']}?format=pdf")
        assert docx.status_code == 200 and pdf.status_code == 200
        assert pdf.data.startswith(b"%PDF") and "attachment" in pdf.headers["Content-Disposition"]
        texts[doc_type] = (docx_text(docx.data), pdf_text(pdf.data))
    for text in texts["acceptance_notice"]:
        assert REPORTER_NAME in text and "高纪信告〔2026〕1号" in text
    for doc_type in ("inquiry_letter", "disposal_memo"):
        for text in texts[doc_type]:
            assert REPORTER_NAME not in text and "13800000000" not in text
            assert "郝测试" in text
    for text in texts["disposal_memo"]:
        assert "孙主任" in text and "部门负责人" in text and "2026年3月2日" in text and "同意了结" in text


def test_a_template_naming_the_reporter_without_reveals_reporter_is_refused_at_deploy(deploy):
    from service.cases.errors import InvalidInput

    templates = {"documents": [{"type": "inquiry_letter", "name": "函询通知书", "abbr": "函",
                                "after_tasks": ["propose"], "title": "函询", "recipient": "{{ reporter_name }}",
                                "body": []}]}
    with pytest.raises(InvalidInput) as caught:
        deploy(document_files(templates))
    assert any("举报人" in e["message"] for e in caught.value.errors)


def test_a_cancelled_document_keeps_its_number_marked_void_and_the_next_number_follows(api, deploy, svc, users):
    deploy(document_files())
    first, second = _start(svc, users, 2)
    actions.complete_task(svc, users["intake"], open_task_id(svc, first, "register"), dict(REGISTER_DATA))
    doc = api("handler").get(f"/cases/{first}/documents").json[0]
    cancelled = api("supervisor").post(f"/documents/{doc['id']}/cancel", {"reason": "送达地址有误"})
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["cancelled"] is True and cancelled.json["number"] == doc["number"]
    actions.complete_task(svc, users["intake"], open_task_id(svc, second, "register"), dict(REGISTER_DATA))
    again = api("handler").get(f"/cases/{second}/documents").json[0]
    assert again["number"] == "高纪信告〔2026〕2号"
    pdf = api("handler").get(f"/documents/{doc['id']}?format=pdf")
    assert "作" in pdf_text(pdf.data) and doc["number"] in pdf_text(pdf.data)
