"""Evidence and incoming letters attached to a case or one of its steps: upload, list, download, all audited.

The bytes are written to the attachment storage first under a random key, then the row and its audit event are
committed; if the transaction fails the stored bytes are removed again. Need to know: outside the case's circle
the case and its attachments do not exist (404).
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import audit, permissions
from service.cases.documents import FileOut, readable_case
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound, TooLarge
from service.cases.filetypes import extension_conflicts, sniff
from service.cases.runtime import Services
from service.cases.tx import load_actor, lock_case_for
from service.models import Attachment, CaseArchive, User, WorkItem

MAX_NAME = 200


def clean_filename(name: str) -> str:
    """The file's own name (no folders, no control characters or quotes), at most 200 characters."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch >= " " and ch not in '"<>|:*?\x7f').strip(" .")
    return base[-MAX_NAME:] or "附件"


def add_attachment(svc: Services, actor_id: int, case_id: int, filename: str, data: bytes,
                   task_id: str | None = None) -> Attachment:
    """Store an uploaded file for the case (or one of its steps) after checking its size and type by content."""
    limit = svc.config.ATTACHMENT_MAX_BYTES
    if len(data) > limit:
        raise TooLarge(f"文件超过大小上限（{limit // (1024 * 1024)} MB）")
    if not data:
        raise InvalidInput("文件为空", {"file": ["文件为空"]}, code="empty_file")
    name = clean_filename(filename)
    found = sniff(data)
    if found is None or extension_conflicts(name, found[0]):
        raise InvalidInput("不支持的文件类型：仅接受 PDF、图片、办公文档和音频，且文件内容须与扩展名一致",
                           {"file": ["文件类型不被接受"]}, code="file_type_refused")
    kind, media = found
    key = secrets.token_hex(20)
    svc.attachments.put(key, data)
    try:
        return _record(svc, actor_id, case_id, name, kind, media, data, key, task_id)
    except BaseException:
        svc.attachments.delete(key)
        raise


def _record(svc: Services, actor_id: int, case_id: int, name: str, kind: str, media: str, data: bytes, key: str,
            task_id: str | None) -> Attachment:
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        case = lock_case_for(session, case_id, actor, svc.now())
        if not permissions.may_add_attachment(actor):
            raise NotAllowed("您不能为本案上传附件", code="attachment_forbidden")
        refuse_archived(session, case.id)
        task_title = ""
        if task_id:
            task_title = session.scalar(select(WorkItem.title).where(WorkItem.task_id == task_id,
                                                                      WorkItem.case_id == case.id))
            if task_title is None:
                raise InvalidInput("任务不属于本案", {"task_id": ["任务不属于本案"]})
        row = Attachment(case_id=case.id, task_id=task_id or None, task_title=task_title, filename=name,
                         content_type=media, kind=kind, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                         storage_key=key, uploaded_by_id=actor.id, uploaded_at=svc.now())
        session.add(row)
        session.flush()
        audit.append(session, chain=audit.case_chain(case.id), at=svc.now(), action="attachment_added",
                     actor_id=actor.id, actor_name=actor.display_name, case_id=case.id, task_title=task_title or None,
                     summary={"attachment_id": row.id, "filename": name, "sha256": row.sha256, "bytes": row.size,
                              "kind": kind})
        row.uploaded_by_name = actor.display_name
        session.expunge(row)
        return row


def refuse_archived(session: Session, case_id: int) -> None:
    """An archived case is read-only (409)."""
    if session.scalar(select(CaseArchive.id).where(CaseArchive.case_id == case_id)) is not None:
        raise Conflict("案件已归档，不能再修改", code="case_archived")


def list_attachments(svc: Services, session: Session, actor_id: int, case_id: int) -> list[Attachment]:
    """The case's attachments in upload order, each with `uploaded_by_name`."""
    actor = load_actor(session, actor_id)
    readable_case(session, svc, actor, case_id)
    return case_attachments(session, case_id)


def case_attachments(session: Session, case_id: int) -> list[Attachment]:
    rows = session.execute(select(Attachment, User.display_name).join(User, User.id == Attachment.uploaded_by_id)
                           .where(Attachment.case_id == case_id).order_by(Attachment.id)).all()
    for row, name in rows:
        row.uploaded_by_name = name
    return [row for row, _ in rows]


def attachment_file(svc: Services, actor_id: int, attachment_id: int) -> FileOut:
    """An attachment's bytes for download; every download is audited."""
    with svc.db.write_session() as session:
        actor = load_actor(session, actor_id)
        row = session.get(Attachment, attachment_id)
        if row is None:
            raise NotFound(f"附件 {attachment_id} 不存在")
        readable_case(session, svc, actor, row.case_id)
        audit.append(session, chain=audit.case_chain(row.case_id), at=svc.now(), action="attachment_downloaded",
                     actor_id=actor.id, actor_name=actor.display_name, case_id=row.case_id,
                     summary={"attachment_id": row.id, "filename": row.filename, "sha256": row.sha256})
        filename, media, key = row.filename, row.content_type, row.storage_key
    return FileOut(filename, media, svc.attachments.get(key))
