"""Documents (文书): issued inside the step's transaction with a gap-free number per type and year.

`issue_for_step` runs inside `complete_task`'s transaction: for each template of the case's process version
due after the completed step it takes the next number of its type and year (the counter row locked FOR
UPDATE, so concurrent completions queue on it and the number is never skipped or repeated: a rolled-back
step gives its number back with its whole transaction) and stores the document's text as issued, with the
签批 lines of its approval chain. DOCX and PDF are rendered later from that frozen content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from service.cases import audit, paper, permissions
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.cases.org.holdings import load_holdings
from service.cases.runtime import Services
from service.cases.tx import load_actor, lock_case_for, refuse_recused, refuse_unreadable
from service.models import AuditEvent, Case, CaseArchive, Document, DocumentCounter, Reporter, User, WorkItem
from workflows.documents import DocumentTemplate, due_templates, render_content
from workflows.specs import ProcessBundle


def allocate_number(session: Session, doc_type: str, year: int) -> int:
    """The next number of `doc_type` in `year`, inside the caller's transaction (gap-free, unique)."""
    conn = session.connection()
    values = {"doc_type": doc_type, "year": year, "last": 0}
    if conn.dialect.name == "postgresql":
        conn.execute(pg_insert(DocumentCounter).values(**values).on_conflict_do_nothing())
    elif conn.dialect.name == "sqlite":
        conn.execute(sqlite_insert(DocumentCounter).values(**values).on_conflict_do_nothing())
    else:  # pragma: no cover - the two databases we run on are above
        if conn.execute(select(DocumentCounter.last).where(DocumentCounter.doc_type == doc_type,
                                                           DocumentCounter.year == year)).first() is None:
            conn.execute(insert(DocumentCounter).values(**values))
    where = (DocumentCounter.doc_type == doc_type, DocumentCounter.year == year)
    last = conn.execute(select(DocumentCounter.last).where(*where).with_for_update()).scalar_one()
    conn.execute(update(DocumentCounter).where(*where).values(last=last + 1))
    return last + 1


def format_number(fmt: str, issuer_short: str, abbr: str, year: int, seq: int) -> str:
    """The 文号 in the configured format, e.g. 高纪函〔2026〕12号."""
    return fmt.format(issuer_short=issuer_short, abbr=abbr, year=year, seq=seq)


def local_date(svc: Services, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(svc.config.TIMEZONE)).date().isoformat()


def issue_for_step(svc: Services, session: Session, *, case_id: int, reference: str, case_title: str,
                   bundle: ProcessBundle, version_id: int, task_bpmn_id: str, task_title: str, data: dict,
                   submitted: dict, ready: list[str], actor: User, now: datetime) -> list[dict]:
    """Issue the documents due after `task_bpmn_id`; returns [{type, number}] for the step's audit event."""
    if not bundle.documents or not any(task_bpmn_id in t.after_tasks for t in bundle.documents.values()):
        return []
    context = {**data, "ready_tasks": ready, "issue_date": local_date(svc, now), "case_reference": reference,
               "case_title": case_title}
    templates = due_templates(bundle.documents, task_bpmn_id, context, svc.engine.evaluate)
    issued = []
    for template in templates:
        full = context
        if template.reveals_reporter:   # only a document to the reporter names the reporter (domain.md §8)
            fields = session.scalar(select(Reporter.fields).where(Reporter.case_id == case_id)) or {}
            full = {**context, **fields}
        content = render_content(template, full, svc.engine.evaluate).to_dict()
        year = now.astimezone(ZoneInfo(svc.config.TIMEZONE)).year
        seq = allocate_number(session, template.type, year)
        number = format_number(svc.config.DOCUMENT_NUMBER_FORMAT, svc.config.DOCUMENT_ISSUER_SHORT, template.abbr,
                               year, seq)
        content.update(
            issuer=svc.config.DOCUMENT_ISSUER, number=number, date=local_date(svc, now), kind=template.kind,
            name=template.name, case_reference=reference,
            signatures=signature_lines(svc, session, case_id, template, task_bpmn_id, submitted, actor, now))
        session.add(Document(case_id=case_id, doc_type=template.type, name=template.name, year=year, seq=seq,
                             number=number, title=content["title"][:256], task_bpmn_id=task_bpmn_id,
                             task_title=task_title[:256], process_version_id=version_id, content=content,
                             created_by_id=actor.id, created_at=now))
        issued.append({"type": template.type, "name": template.name, "number": number})
    return issued


def signature_lines(svc: Services, session: Session, case_id: int, template: DocumentTemplate, task_bpmn_id: str,
                    submitted: dict, actor: User, now: datetime) -> list[dict]:
    """签批 lines: who approved the template's chain (name, position, date, opinion), in order."""
    if template.approves is None:
        return []
    proposal_id = session.scalar(
        select(WorkItem.id).where(WorkItem.case_id == case_id, WorkItem.bpmn_id == template.approves,
                                  WorkItem.resolution == "completed").order_by(WorkItem.id.desc()).limit(1))
    rows = session.execute(
        select(WorkItem.bpmn_id, WorkItem.title, WorkItem.lane, WorkItem.completed_at, User.display_name)
        .join(User, User.id == WorkItem.completed_by_id)
        .where(WorkItem.case_id == case_id, WorkItem.approves == template.approves,
               WorkItem.resolution == "completed", WorkItem.id > (proposal_id or 0))
        .order_by(WorkItem.completed_at, WorkItem.id)).all()
    opinions = {(e.task_bpmn_id, e.at): (e.summary or {}).get("data", {}) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.chain == audit.case_chain(case_id), AuditEvent.action == "task_completed",
                                 AuditEvent.task_bpmn_id.in_([r.bpmn_id for r in rows])))}
    lines = []
    for row in rows:
        given = submitted if row.bpmn_id == task_bpmn_id and row.completed_at == now else \
            opinions.get((row.bpmn_id, row.completed_at), {})
        lines.append({"position": row.lane or row.title, "name": row.display_name, "step": row.title,
                      "date": local_date(svc, row.completed_at),
                      "decision": "同意" if given.get("decision") == "approve" else
                      ("退回" if given.get("decision") else ""), "opinion": str(given.get("opinion") or "")[:500]})
    return lines


# ---- reads and the one change (作废) ----

def readable_case(session: Session, svc: Services, actor: User, case_id: int) -> Case:
    refuse_recused(session, case_id, actor)
    refuse_unreadable(session, case_id, actor.id, svc.now())
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"案件 {case_id} 不存在")
    if not permissions.may_read_case_files(actor):
        raise NotAllowed("您不能查阅本案的文书和附件", code="case_files_forbidden")
    return case


def list_documents(svc: Services, session: Session, actor_id: int, case_id: int) -> list[Document]:
    """The case's documents in issue order, each with `created_by_name` (need to know: 404 outside the circle)."""
    actor = load_actor(session, actor_id)
    readable_case(session, svc, actor, case_id)
    rows = session.execute(select(Document, User.display_name).outerjoin(User, User.id == Document.created_by_id)
                           .where(Document.case_id == case_id).order_by(Document.id)).all()
    for document, name in rows:
        document.created_by_name = name or "系统"
    return [document for document, _ in rows]


@dataclass(frozen=True)
class FileOut:
    """A file to send: its download name, media type and bytes."""

    filename: str
    mimetype: str
    data: bytes


DOCUMENT_FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def document_file(svc: Services, actor_id: int, document_id: int, fmt: str) -> FileOut:
    """A document as DOCX or PDF, rendered from its content as issued; the read is audited."""
    document = read_document(svc, actor_id, document_id, fmt)
    render = paper.document_pdf if fmt == "pdf" else paper.document_docx
    data = render(document.content, cancelled=document.cancelled_at is not None)
    return FileOut(f"{document.number}{document.name}.{fmt}", DOCUMENT_FORMATS[fmt], data)


def read_document(svc: Services, actor_id: int, document_id: int, fmt: str) -> Document:
    """One document for download; the read is audited (who, which number, which format)."""
    if fmt not in DOCUMENT_FORMATS:
        raise InvalidInput("格式须为 pdf 或 docx", {"format": ["须为 pdf 或 docx"]})
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound(f"文书 {document_id} 不存在")
        readable_case(session, svc, actor, document.case_id)
        audit.append(session, chain=audit.case_chain(document.case_id), at=svc.now(), action="document_read",
                     actor_id=actor.id, actor_name=actor.display_name, case_id=document.case_id,
                     summary={"document_id": document.id, "number": document.number, "format": fmt})
        session.expunge(document)
        return document


def cancel_document(svc: Services, actor_id: int, document_id: int, reason: str) -> Document:
    """作废: the document stays, with its number, marked cancelled (the number is never reused)."""
    if not reason.strip():
        raise InvalidInput("请填写作废理由", {"reason": ["必填"]})
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound(f"文书 {document_id} 不存在")
        case = lock_case_for(session, document.case_id, actor, svc.now())
        holdings = load_holdings(session, actor.id, svc.now())
        if not permissions.may_manage_case_file(actor, holdings, case.department_id, case.id):
            raise NotAllowed("只有承办部门负责人或案件监督管理部门可以作废文书", code="cancel_forbidden")
        if document.cancelled_at is not None:
            raise Conflict("文书已作废", code="already_cancelled")
        if session.scalar(select(CaseArchive.id).where(CaseArchive.case_id == case.id)) is not None:
            raise Conflict("案件已归档，不能再修改", code="case_archived")
        document.cancelled_at, document.cancelled_by_id, document.cancel_reason = svc.now(), actor.id, reason[:500]
        audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action="document_cancelled",
                     actor_id=actor.id, actor_name=actor.display_name, case_id=case.id,
                     summary={"document_id": document.id, "number": document.number, "reason": reason[:200]})
        session.flush()
        document.created_by_name = session.scalar(select(User.display_name).where(
            User.id == document.created_by_id)) or "系统"
        session.expunge(document)
        return document
