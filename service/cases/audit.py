"""Append and verify the per-chain hash-linked audit trail."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import request_ids, statements
from service.models import AuditEvent

GENESIS = "0" * 64
# What each action is called where people read the trail (the case page, the 案卷).
ACTION_LABELS = {
    "case_started": "发起案件", "task_claimed": "认领任务", "task_released": "释放任务",
    "task_completed": "办理完成", "timer_fired": "期限到达（系统）", "reporter_viewed": "查看举报人信息",
    "user_recused": "决定回避", "process_deployed": "部署流程", "case_migrated": "迁移到新流程版本",
    "deadline_suspended": "批准中止期限", "deadline_resumed": "恢复期限", "deadline_extension_requested": "申请延期",
    "deadline_extended": "批准延期", "deadline_extension_rejected": "不批准延期",
    "deadline_suspension_requested": "申请中止期限", "deadline_suspension_rejected": "不批准中止期限",
    "document_read": "下载文书", "document_cancelled": "作废文书", "attachment_added": "上传附件",
    "attachment_downloaded": "下载附件", "case_archived": "归档", "case_file_exported": "导出案卷",
    "archived_case_read": "查阅已归档案件",
}
MAX_VALUE_CHARS = 500


def case_chain(case_id: int) -> str:
    return f"case:{case_id}"


def canonical(event) -> str:
    """The hashed content of an event, independent of database and key order."""
    body = {
        "chain": event.chain,
        "seq": event.seq,
        "case_id": event.case_id,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "task_bpmn_id": event.task_bpmn_id,
        "task_title": event.task_title,
        "summary": event.summary,
    }
    if getattr(event, "request_id", None):  # hashed when present; events from before it existed verify unchanged
        body["request_id"] = event.request_id
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def compute_hash(prev_hash: str, event) -> str:
    """`event`: an AuditEvent or anything with its attributes."""
    return hashlib.sha256((prev_hash + canonical(event)).encode("utf-8")).hexdigest()


def summarize(data: dict) -> dict:
    """A bounded copy of submitted data for the audit payload (reporter fields never get here)."""
    out = {}
    for key, value in data.items():
        if key.startswith("reporter_"):
            continue
        text = json.dumps(value, ensure_ascii=False, default=str)
        out[key] = value if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"
    return out


@dataclass(frozen=True)
class CaseEvent:
    """The event an action appended (its summary as stored): actions return it in their `CaseView`."""

    seq: int
    action: str
    at: datetime
    summary: dict


def append(
    session: Session,
    *,
    chain: str,
    at: datetime,
    action: str,
    actor_id: int | None,
    actor_name: str,
    case_id: int | None = None,
    task_bpmn_id: str | None = None,
    task_title: str | None = None,
    summary: dict | None = None,
) -> CaseEvent:
    """Append one event to `chain`; the caller holds the lock that serialises the chain.

    Core statements (no unit of work): this runs in every action, and an event is never changed again.
    """
    session.flush()  # rows the event refers to (a new case) are written first
    conn = session.connection()
    last = conn.execute(statements.CHAIN_TAIL, {"chain": chain}).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    event = dict(
        chain=chain, seq=seq, case_id=case_id, at=at, actor_id=actor_id, actor_name=actor_name, action=action,
        task_bpmn_id=task_bpmn_id, task_title=task_title, prev_hash=prev_hash, request_id=request_ids.current(),
        summary=json.loads(json.dumps(summary or {}, ensure_ascii=False, default=str)),  # as it will read back
    )
    event["hash"] = compute_hash(prev_hash, SimpleNamespace(**event))
    conn.execute(statements.INSERT_EVENT, event)
    return CaseEvent(seq, action, at, event["summary"])


@dataclass(frozen=True)
class ChainReport:
    chain: str
    valid: bool
    checked: int
    broken_seq: int | None = None
    broken_event_id: int | None = None
    reason: str = ""

    def to_dict(self) -> dict:
        return {
            "valid": self.valid, "checked": self.checked, "broken_seq": self.broken_seq,
            "broken_event_id": self.broken_event_id, "reason": self.reason,
        }


def verify(session: Session, chain: str) -> ChainReport:
    """Recompute every hash of `chain` in order and report the first broken link."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    rows = session.scalars(select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq))
    for event in rows:
        if event.seq != expected_seq:
            return ChainReport(chain, False, checked, expected_seq, event.id, f"缺少序号 {expected_seq} 的事件")
        if event.prev_hash != prev_hash:
            return ChainReport(chain, False, checked, event.seq, event.id, "前序哈希不一致")
        if compute_hash(prev_hash, event) != event.hash:
            return ChainReport(chain, False, checked, event.seq, event.id, "事件内容与哈希不符（记录被改动）")
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    return ChainReport(chain, True, checked)


def all_chains(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.chain).distinct().order_by(AuditEvent.chain)))
