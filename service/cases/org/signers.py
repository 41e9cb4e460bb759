"""Who signs a level of an approval chain, for every process, in one place: the chain's proposer and signers,
the rule (`permissions.signing_refusal`, relaxed only by the process setting `distinct_signers`), the people
eligible for a level, the note a level shows when every eligible person is excluded (it waits for a delegate
named by the principal), and the position an actor completed a step as ("approved as")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, func, or_, select, union
from sqlalchemy.orm import Session

from service.cases import permissions
from service.cases.errors import NotAllowed
from service.cases.org import positions as vocab
from service.cases.permissions import Holdings
from service.models import ActingAppointment, Position, Recusal, User, WorkItem

REFUSALS = {
    "four_eyes": "不能审批自己办理的事项（双人原则）",
    "distinct_levels": "同一审批链中每一级须由不同人员签批，您已签批过其中一级",
}
WAITING_FOR_DELEGATE = "等待主要负责人指定代理人"


@dataclass(frozen=True)
class Chain:
    """An approval chain as it stands: who proposed (the last completion of the approved step) and who signed
    a level since that proposal (a returned and re-proposed chain starts afresh)."""

    proposer_id: int | None = None
    signer_ids: frozenset[int] = frozenset()


def load_chain(session: Session, case_id: int, approves: str) -> Chain:
    rows = session.execute(select(WorkItem.id, WorkItem.bpmn_id, WorkItem.completed_by_id).where(
        WorkItem.case_id == case_id, WorkItem.resolution == "completed",
        or_(WorkItem.bpmn_id == approves, WorkItem.approves == approves)).order_by(WorkItem.id)).all()
    proposals = [r for r in rows if r.bpmn_id == approves]
    since = proposals[-1].id if proposals else 0
    return Chain(proposer_id=proposals[-1].completed_by_id if proposals else None,
                 signer_ids=frozenset(r.completed_by_id for r in rows
                                      if r.bpmn_id != approves and r.id > since and r.completed_by_id is not None))


def check_signer(session: Session, actor_id: int, case_id: int, approves: str | None, lane: str,
                 settings: dict | None) -> bool:
    """Refuse (403) an actor the signing rule excludes from this level; True when the actor signed another level
    and only the process setting allowed it (the caller records that in the audit event and the step's record)."""
    if not approves:
        return False
    chain = load_chain(session, case_id, approves)
    # recording another body's decision (同级党委, 上级纪委) is no level of our chain: only four eyes applies
    distinct = permissions.distinct_signers_required(settings) and not vocab.records_outside_decision(lane)
    code = permissions.signing_refusal(actor_id, chain.proposer_id, chain.signer_ids, distinct)
    if code is not None:
        raise NotAllowed(REFUSALS[code], code=code)
    return not vocab.records_outside_decision(lane) and actor_id in chain.signer_ids


def _current_position(at: datetime):
    return and_(Position.valid_from <= at, or_(Position.valid_to.is_(None), Position.valid_to > at))


def _eligible(position: str, department_id: int | None, case_id: int, at: datetime):
    """The statement selecting the active, unrecused users who fill `position` on the case at `at`."""
    kinds, in_department = vocab.TASK_POSITION_HOLDERS[position]
    held = select(Position.user_id.label("user_id")).where(Position.kind.in_(kinds), _current_position(at))
    acting = select(ActingAppointment.delegate_id.label("user_id")).where(
        ActingAppointment.kind.in_(kinds), ActingAppointment.valid_from <= at, ActingAppointment.valid_to > at,
        ActingAppointment.revoked_at.is_(None),
        or_(ActingAppointment.case_id.is_(None), ActingAppointment.case_id == case_id))
    if in_department:
        held = held.where(Position.department_id == department_id)
        acting = acting.where(ActingAppointment.department_id == department_id)
    people = union(held, acting).subquery()
    return select(User.id).join(people, people.c.user_id == User.id).where(
        User.active.is_(True), User.id.not_in(select(Recusal.user_id).where(Recusal.case_id == case_id)))


def eligible_people(session: Session, position: str, department_id: int | None, case_id: int, at: datetime
                    ) -> set[int]:
    """Active, unrecused users who fill `position` on the case now: by a position they hold, or by an acting
    appointment (for the department, or for this case alone)."""
    if position not in vocab.TASK_POSITION_HOLDERS:
        return set()
    return set(session.scalars(_eligible(position, department_id, case_id, at)))


def _excluded(case_id: int, approves: str, distinct: bool):
    """`load_chain` + `permissions.excluded_signers` as one subquery: the last proposal's author, and (when levels
    must be distinct) whoever signed a level since that proposal."""
    done = and_(WorkItem.case_id == case_id, WorkItem.resolution == "completed")
    last = select(func.coalesce(func.max(WorkItem.id), 0)).where(done, WorkItem.bpmn_id == approves).scalar_subquery()
    proposal = and_(WorkItem.bpmn_id == approves, WorkItem.id == last)
    level = and_(WorkItem.approves == approves, WorkItem.bpmn_id != approves, WorkItem.id > last)
    since = level if distinct else false()
    return select(WorkItem.completed_by_id).where(done, WorkItem.completed_by_id.is_not(None), or_(proposal, since))


def waiting_note(session: Session, item, department_id: int | None, settings: dict | None, at: datetime
                 ) -> str | None:
    """What an open approval level says when nobody may sign it: every person eligible for it proposed or
    signed another level of the chain (or none holds the position); it waits for the principal's delegate."""
    if not item.approves or vocab.records_outside_decision(item.lane):
        return None
    position = vocab.task_position(item.role, item.lane)
    if position in vocab.TASK_POSITION_HOLDERS:   # the usual answer in one statement: someone may sign
        distinct = permissions.distinct_signers_required(settings)
        free = _eligible(position, department_id, item.case_id, at).where(
            User.id.not_in(_excluded(item.case_id, item.approves, distinct))).limit(1)
        if session.scalar(free) is not None:
            return None
    eligible = eligible_people(session, position, department_id, item.case_id, at)
    label = vocab.TASK_POSITION_LABELS.get(position, position)
    if not eligible:
        return f"目前无人担任本案的“{label}”，{WAITING_FOR_DELEGATE}"
    chain = load_chain(session, item.case_id, item.approves)
    excluded = permissions.excluded_signers(chain.proposer_id, chain.signer_ids,
                                            permissions.distinct_signers_required(settings))
    if eligible <= excluded:
        return (f"本案的“{label}”已提出或签批本审批链的其他环节，按规定不能再签批本级，"
                f"{WAITING_FOR_DELEGATE}（限期代行本案该职务）")
    return None


def waiting_notes(session: Session, items, department_id: int | None, settings: dict | None, at: datetime
                  ) -> dict[str, str]:
    """{task id: waiting note} for the open approval levels that wait for a delegate (none: no query)."""
    notes = {}
    for item in items:
        if item.approves:
            note = waiting_note(session, item, department_id, settings, at)
            if note:
                notes[item.task_id] = note
    return notes


def completed_as(holdings: Holdings, role: str, lane: str, department_id: int | None, department_name: str | None,
                 case_id: int, relaxed: bool = False) -> str | None:
    """The position the actor holds that makes them the one to do this step now, as recorded in the audit trail
    and the step's record (e.g. 分管领导（第一监督检查室）; 代行… for an acting appointment)."""
    position = vocab.task_position(role, lane)
    if position not in vocab.TASK_POSITION_HOLDERS:
        return None
    kinds, in_department = vocab.TASK_POSITION_HOLDERS[position]

    def fits(department) -> bool:
        return not in_department or department == department_id

    own = [k for k, d in holdings.positions if k in kinds and fits(d) and (k, d) not in holdings.acting]
    acting = [k for k, d in holdings.acting if k in kinds and fits(d)]
    acting += [k for k, d, c in holdings.case_acting if k in kinds and c == case_id and fits(d)]
    if not own and not acting:
        return None
    name = department_name if in_department else None
    label = vocab.position_label(sorted(own)[0] if own else sorted(acting)[0], name)
    label = label if own else f"代行{label}"
    return f"{label}·依流程设置兼签" if relaxed else label
