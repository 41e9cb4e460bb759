"""Actions on cadre records (each one transaction with one audit event on the chain `cadre:<id>`): merge two
records of one person, and mark a measure changed or revoked on appeal."""

from __future__ import annotations

from sqlalchemy import select, update

from service.cases import audit, permissions
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.cases.org.holdings import load_holdings
from service.cases.runtime import Services
from service.cases.tx import load_actor
from service.models import Cadre, CadreMeasure, Case

APPEAL_STATUSES = {"changed": "申诉后变更", "revoked": "申诉后撤销", "effective": "恢复有效"}


def cadre_chain(cadre_id: int) -> str:
    return f"cadre:{cadre_id}"


def _keeper(session, actor_id: int, now):
    actor = load_actor(session, actor_id)
    if not permissions.may_keep_cadre_records(load_holdings(session, actor.id, now)):
        raise NotAllowed("只有主要负责人和案件监督管理部门可以维护干部记录", code="not_cadre_keeper")
    return actor


def _locked(session, cadre_id: int) -> Cadre:
    cadre = session.scalar(select(Cadre).where(Cadre.id == cadre_id).with_for_update())
    if cadre is None:
        raise NotFound(f"干部记录 {cadre_id} 不存在")
    if cadre.merged_into_id is not None:
        raise Conflict(f"干部记录 {cadre_id} 已并入记录 {cadre.merged_into_id}", code="cadre_merged")
    return cadre


def merge_cadres(svc: Services, actor_id: int, keep_id: int, merge_id: int, reason: str) -> dict:
    """Merge record `merge_id` into `keep_id` (the same person entered twice): its cases and measures move to
    the kept record, its row stays as a pointer. Returns the counts moved."""
    reason = (reason or "").strip()
    with svc.db.write_session() as session:
        now = svc.now()
        actor = _keeper(session, actor_id, now)   # before anything about the records is said
        if not reason:
            raise InvalidInput("请填写合并理由", {"reason": ["请填写合并理由"]})
        if merge_id < 1 or keep_id == merge_id:
            raise InvalidInput("请填写另一条干部记录的编号", {"merge_id": ["请填写另一条干部记录的编号"]})
        first, second = sorted((keep_id, merge_id))   # lock in id order: two merges never deadlock
        locked = {first: _locked(session, first), second: _locked(session, second)}
        keep, gone = locked[keep_id], locked[merge_id]
        moved_cases = session.execute(update(Case).where(Case.cadre_id == gone.id).values(cadre_id=keep.id)).rowcount
        moved_measures = session.execute(update(CadreMeasure).where(CadreMeasure.cadre_id == gone.id)
                                         .values(cadre_id=keep.id)).rowcount
        for attr in ("post", "cadre_level", "management_authority", "is_party_member", "is_supervision_object"):
            if getattr(keep, attr) in ("", None) and getattr(gone, attr) not in ("", None):
                setattr(keep, attr, getattr(gone, attr))
        gone.merged_into_id, gone.updated_at, keep.updated_at = keep.id, now, now
        summary = {"kept": {"id": keep.id, "name": keep.name, "unit": keep.unit},
                   "merged": {"id": gone.id, "name": gone.name, "unit": gone.unit},
                   "cases_moved": moved_cases, "measures_moved": moved_measures, "reason": reason}
        audit.append(session, chain=cadre_chain(keep.id), at=now, action="cadre_merged", actor_id=actor.id,
                     actor_name=actor.display_name, summary=summary)
        return summary


def change_measure_status(svc: Services, actor_id: int, measure_id: int, status: str, reason: str) -> dict:
    """Record that an appeal (申诉/复审复核) changed or revoked a measure, or restored it: the 影响期 no longer
    counts while it is not `effective`. The measure row itself is never deleted."""
    reason = (reason or "").strip()
    with svc.db.write_session() as session:
        now = svc.now()
        actor = _keeper(session, actor_id, now)
        if status not in APPEAL_STATUSES:
            raise InvalidInput("状态只能是变更、撤销或恢复有效",
                               {"status": ["状态只能是 changed、revoked 或 effective"]})
        if not reason:
            raise InvalidInput("请填写申诉处理结果或理由", {"reason": ["请填写申诉处理结果或理由"]})
        measure = session.scalar(select(CadreMeasure).where(CadreMeasure.id == measure_id).with_for_update())
        if measure is None:
            raise NotFound(f"处置措施 {measure_id} 不存在")
        _locked(session, measure.cadre_id)
        before = measure.status
        measure.status, measure.status_reason, measure.changed_at = status, reason, now
        summary = {"measure_id": measure.id, "measure": measure.measure, "case_id": measure.case_id,
                   "cadre_id": measure.cadre_id,
                   "from": before, "to": status, "reason": reason}
        audit.append(session, chain=cadre_chain(measure.cadre_id), at=now, action="measure_status_changed",
                     actor_id=actor.id, actor_name=actor.display_name, summary=summary)
        return summary
