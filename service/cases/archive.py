"""The case file (案卷): one PDF and a ZIP of the originals with a manifest; archiving (归档) a closed case.

The PDF: cover (案卷号, title, dates, 保管期限), 卷内目录 with page numbers, every document in issue order, the list of
attachments with their SHA-256, and the audit trail with its hash chain and how to verify it. The ZIP: the PDF, each
document as DOCX (its PDF is in the 案卷 PDF), every attachment's original, the audit events as JSON (enough to
recompute the chain), and
`manifest.json` ({files: [{path, sha256, bytes}], audit_last_hash, ...}). Archiving makes the case read-only and
records 归档号, who and when; every export, and every read of an archived case, is audited.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import audit, paper, permissions
from service.cases.attachments import case_attachments
from service.cases.documents import FileOut, allocate_number, readable_case
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.cases.org.holdings import load_holdings
from service.cases.runtime import Services
from service.cases.tx import load_actor, lock_case_for
from service.models import AuditEvent, Case, CaseArchive, Document, User

VERIFY_TEXT = (
    "校验方法：本案审计记录为哈希链。每条记录的哈希 = SHA-256（前一条记录的哈希 + 本条记录的规范 JSON），第一条记录的"
    "“前一条哈希”为 64 个 0。规范 JSON 为字段 chain、seq、case_id、at、actor_id、actor_name、action、task_bpmn_id、"
    "task_title、summary（有 request_id 时含 request_id）按键名排序、UTF-8、不转义中文、无多余空格的 JSON 文本。"
    "ZIP 包中 audit/events.json 列出每条记录的这些字段及哈希，可逐条重算；"
    "服务器上可运行 qingfeng verify-audit --case {case_id}。"
    "最后一条记录的哈希与 manifest.json 中的 audit_last_hash 一致，即证明本案卷导出时审计记录完整未被改动。")


@dataclass
class CaseFile:
    """Everything the 案卷 holds, read in one transaction."""

    case: Case
    archive: CaseArchive | None
    documents: list[Document]
    attachments: list
    events: list[AuditEvent]
    chain: audit.ChainReport


def archive_case(svc: Services, actor_id: int, case_id: int) -> CaseArchive:
    """归档: the case's department head or case management archives a closed case; it is read-only from then on."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        case = lock_case_for(session, case_id, actor, svc.now())
        holdings = load_holdings(session, actor.id, svc.now())
        if not permissions.may_manage_case_file(actor, holdings, case.department_id, case.id):
            raise NotAllowed("只有承办部门负责人或案件监督管理部门可以归档", code="archive_forbidden")
        if case.status != "completed":
            raise Conflict("案件尚未办结，不能归档", code="case_not_closed")
        if session.scalar(select(CaseArchive.id).where(CaseArchive.case_id == case.id)) is not None:
            raise Conflict("案件已归档", code="case_archived")
        year = svc.now().astimezone(ZoneInfo(svc.config.TIMEZONE)).year
        number = f"{svc.config.DOCUMENT_ISSUER_SHORT}档〔{year}〕{allocate_number(session, 'case_archive', year)}号"
        row = CaseArchive(case_id=case.id, archive_no=number, retention=svc.config.ARCHIVE_RETENTION,
                          archived_by_id=actor.id, archived_at=svc.now())
        session.add(row)
        session.flush()
        audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action="case_archived",
                      actor_id=actor.id, actor_name=actor.display_name, case_id=case.id,
                      summary={"archive_no": number, "retention": row.retention})
        tail = session.execute(select(AuditEvent.hash).where(AuditEvent.chain == audit.case_chain(case.id))
                               .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
        row.audit_last_hash = tail
        row.archived_by_name = actor.display_name
        session.flush()
        session.expunge(row)
        return row


def archive_info(svc: Services, session: Session, actor_id: int, case_id: int) -> CaseArchive:
    """The case's archiving record (404 when not archived)."""
    actor = load_actor(session, actor_id)
    readable_case(session, svc, actor, case_id)
    row = session.scalar(select(CaseArchive).where(CaseArchive.case_id == case_id))
    if row is None:
        raise NotFound("案件尚未归档")
    row.archived_by_name = session.scalar(select(User.display_name).where(User.id == row.archived_by_id))
    return row


def case_file(svc: Services, actor_id: int, case_id: int, fmt: str) -> FileOut:
    """The 案卷 as PDF or ZIP (for the archive, or on demand for a higher body); the export is audited."""
    if fmt not in ("pdf", "zip"):
        raise InvalidInput("格式须为 pdf 或 zip", {"format": ["须为 pdf 或 zip"]})
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        case = readable_case(session, svc, actor, case_id)
        archive = session.scalar(select(CaseArchive).where(CaseArchive.case_id == case.id))
        audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action="case_file_exported",
                     actor_id=actor.id, actor_name=actor.display_name, case_id=case.id,
                     summary={"format": fmt, "archived": archive is not None})
        session.flush()
        content = CaseFile(case=case, archive=archive,
                           documents=list(session.scalars(select(Document).where(Document.case_id == case.id)
                                                          .order_by(Document.id))),
                           attachments=case_attachments(session, case.id),
                           events=list(session.scalars(select(AuditEvent).where(
                               AuditEvent.chain == audit.case_chain(case.id)).order_by(AuditEvent.seq))),
                           chain=audit.verify(session, audit.case_chain(case.id)))
        session.expunge_all()
    pdf = case_file_pdf(svc, content)
    name = content.archive.archive_no if content.archive else content.case.reference
    if fmt == "pdf":
        return FileOut(f"{name}案卷.pdf", "application/pdf", pdf)
    return FileOut(f"{name}案卷.zip", "application/zip", case_file_zip(svc, content, pdf))


def _local(svc: Services, moment: datetime | None) -> str:
    return moment.astimezone(ZoneInfo(svc.config.TIMEZONE)).strftime("%Y-%m-%d %H:%M") if moment else ""


def case_file_pdf(svc: Services, cf: CaseFile) -> bytes:
    """The 案卷 PDF (two passes: the table of contents learns the page numbers)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle
    from reportlab.platypus.doctemplate import SimpleDocTemplate
    from reportlab.platypus.tableofcontents import TableOfContents

    paper.register_fonts()
    body = ParagraphStyle("b", fontName="QFSerif", fontSize=12, leading=18, wordWrap="CJK")
    small = ParagraphStyle("s", fontName="QFSerif", fontSize=8, leading=10, wordWrap="CJK")
    cover = ParagraphStyle("c", fontName="QFSerif-Bold", fontSize=26, leading=40, alignment=1, wordWrap="CJK")
    heading = ParagraphStyle("h", fontName="QFSerif-Bold", fontSize=16, leading=26, wordWrap="CJK")
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")])

    class Doc(SimpleDocTemplate):
        def afterFlowable(self, flowable):
            if getattr(flowable, "toc_text", None):
                self.notify("TOCEntry", (0, flowable.toc_text, self.page))

    def section(text: str) -> Paragraph:
        p = Paragraph(paper._esc(text), heading)
        p.toc_text = text
        return p

    case, archive = cf.case, cf.archive
    buffer = io.BytesIO()
    doc = Doc(buffer, pagesize=A4, leftMargin=paper.LEFT * paper.MM, rightMargin=paper.RIGHT * paper.MM,
              topMargin=paper.TOP * paper.MM, bottomMargin=paper.BOTTOM * paper.MM, title=f"{case.title} 案卷",
              author="清风", creator="清风 Qingfeng")
    facts = [["案卷号", archive.archive_no if archive else f"（未归档）{case.reference}"], ["案件编号", case.reference],
             ["题名", case.title], ["立卷单位", svc.config.DOCUMENT_ISSUER],
             ["起止日期", f"{_local(svc, case.created_at)[:10]} 至 {_local(svc, case.closed_at)[:10]}"],
             ["保管期限", archive.retention if archive else svc.config.ARCHIVE_RETENTION],
             ["归档时间", _local(svc, archive.archived_at) if archive else "未归档"],
             ["文书", f"{len(cf.documents)} 件"], ["附件", f"{len(cf.attachments)} 件"],
             ["审计记录", f"{len(cf.events)} 条，哈希链{'完整' if cf.chain.valid else '校验失败'}"]]
    story: list = [Spacer(1, 30 * paper.MM), Paragraph("案　卷", cover), Spacer(1, 15 * paper.MM),
                   Table([[Paragraph(a, body), Paragraph(paper._esc(b), body)] for a, b in facts],
                         colWidths=[36 * paper.MM, 120 * paper.MM], style=grid), PageBreak(),
                   Paragraph("卷内目录", heading)]
    toc = TableOfContents()
    toc.levelStyles = [ParagraphStyle("t", fontName="QFSerif", fontSize=11, leading=16, wordWrap="CJK")]
    story += [toc, PageBreak()]
    for document in cf.documents:
        label = f"{document.number} {document.name}{'（作废）' if document.cancelled_at else ''}"
        story += [section(label), *paper.document_flowables(document.content, document.cancelled_at is not None),
                  PageBreak()]
    story.append(section("附件清单（含 SHA-256）"))
    rows = [["序号", "文件名", "大小（字节）", "上传", "SHA-256"]] + [
        [str(i), a.filename, str(a.size), f"{a.uploaded_by_name} {_local(svc, a.uploaded_at)}", a.sha256]
        for i, a in enumerate(cf.attachments, 1)]
    story += [Table([[Paragraph(paper._esc(x), small) for x in row] for row in rows], repeatRows=1, style=grid,
                    colWidths=[10 * paper.MM, 40 * paper.MM, 18 * paper.MM, 30 * paper.MM, 58 * paper.MM]),
              PageBreak(), section("审计记录与哈希链"),
              Paragraph(paper._esc(VERIFY_TEXT.format(case_id=case.id)), body), Spacer(1, 4 * paper.MM),
              Paragraph(f"导出时校验结果：{'完整' if cf.chain.valid else '失败：' + cf.chain.reason}，"
                        f"共校验 {cf.chain.checked} 条。", body), Spacer(1, 4 * paper.MM)]
    # Plain-text cells (no paragraph layout): a case of a hundred steps has hundreds of events. Each row shows its
    # hash; the row before holds its prev_hash (the first's is 64 zeros), so the chain reads down the table.
    rows = [["序号", "时间", "人员", "事项", "本条哈希（前一条哈希见上一行）"]] + [
        [str(e.seq), _local(svc, e.at), e.actor_name[:12],
         f"{audit.ACTION_LABELS.get(e.action, e.action)}\n{(e.task_title or '')[:18]}", f"{e.hash[:32]}\n{e.hash[32:]}"]
        for e in cf.events]
    story.append(Table(rows, repeatRows=1, colWidths=[10 * paper.MM, 26 * paper.MM, 20 * paper.MM, 46 * paper.MM,
                                                      54 * paper.MM],
                       style=TableStyle([*grid.getCommands(), ("FONTNAME", (0, 0), (-1, -1), "QFSerif"),
                                         ("FONTSIZE", (0, 0), (-1, -1), 7), ("LEADING", (0, 0), (-1, -1), 9)])))
    doc.multiBuild(story, onFirstPage=paper._page_number, onLaterPages=paper._page_number)
    return buffer.getvalue()


def _event_json(event: AuditEvent) -> dict:
    body = json.loads(audit.canonical(event))
    return {**body, "prev_hash": event.prev_hash, "hash": event.hash}


def case_file_zip(svc: Services, cf: CaseFile, pdf: bytes) -> bytes:
    """The originals with manifest.json: every file's path, SHA-256 and size, and the audit chain's last hash."""
    files: list[tuple[str, bytes]] = [("案卷.pdf", pdf)]
    for document in cf.documents:
        stem = f"documents/{document.id:04d}-{document.number}{document.name}"
        cancelled = document.cancelled_at is not None
        files.append((f"{stem}.docx", paper.document_docx(document.content, cancelled)))   # PDFs: in 案卷.pdf
    for attachment in cf.attachments:
        files.append((f"attachments/{attachment.id:04d}-{attachment.filename}",
                      svc.attachments.get(attachment.storage_key)))
    files.append(("audit/events.json", json.dumps([_event_json(e) for e in cf.events], ensure_ascii=False,
                                                  indent=1).encode("utf-8")))
    manifest = {
        "case_reference": cf.case.reference, "archive_no": cf.archive.archive_no if cf.archive else None,
        "files": [{"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                  for path, data in files],
        "audit_last_hash": cf.events[-1].hash if cf.events else audit.GENESIS,
        "audit_events": len(cf.events), "audit_chain_valid": cf.chain.valid,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files:   # PDFs, DOCX, images and audio are compressed already: only JSON is deflated
            archive.writestr(path, data, zipfile.ZIP_DEFLATED if path.endswith(".json") else zipfile.ZIP_STORED)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return buffer.getvalue()


def note_archived_read(svc: Services, case: Case, user: User) -> None:
    """Reading an archived case is audited (who, when): called by the case reads once the case is closed."""
    if case.status != "completed":
        return
    with svc.db.read_session() as session:
        archive_no = session.scalar(select(CaseArchive.archive_no).where(CaseArchive.case_id == case.id))
    if archive_no is None:
        return
    with svc.db.write_session() as session:
        audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action="archived_case_read",
                     actor_id=user.id, actor_name=user.display_name, case_id=case.id,
                     summary={"archive_no": archive_no})


def case_file_panel(svc: Services, session: Session, user: User, case_id: int) -> dict:
    """The case page's 文书、附件与案卷 panel (empty for readers who may not read the case file)."""
    if not permissions.may_read_case_files(user):
        return {"may_read": False}
    case = session.get(Case, case_id)
    holdings = load_holdings(session, user.id, svc.now())
    archive = session.scalar(select(CaseArchive).where(CaseArchive.case_id == case_id))
    return {"may_read": True,
            "documents": list(session.scalars(select(Document).where(Document.case_id == case_id)
                                              .order_by(Document.id))),
            "attachments": case_attachments(session, case_id), "archive": archive,
            "archived_by": session.scalar(select(User.display_name).where(User.id == archive.archived_by_id))
            if archive else None,
            "may_upload": permissions.may_add_attachment(user) and archive is None,
            "may_archive": archive is None and case.status == "completed"
            and permissions.may_manage_case_file(user, holdings, case.department_id, case.id),
            "max_mb": svc.config.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
