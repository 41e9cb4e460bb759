"""Prebuilt Core statements of the hot paths (completing a task, appending an audit event, a case's links).

Built once with bind parameters: building a statement costs more than running it on SQLite, and a
completion runs about ten of them. Executed on the action's connection, outside the ORM unit of work.
"""

from __future__ import annotations

from sqlalchemy import Text, and_, bindparam, cast, delete, insert, or_, select, update

from service.models import AuditEvent, Case, CaseLink, Department, ProcessVersion, Recusal, Timer, WorkItem

ITEMS, CASES, VERSIONS, TIMERS = WorkItem.__table__, Case.__table__, ProcessVersion.__table__, Timer.__table__
EVENTS, LINKS, RECUSALS = AuditEvent.__table__, CaseLink.__table__, Recusal.__table__
DEPARTMENTS = Department.__table__

# The work item by task id with its case and process version. The state comes as text, parsed only
# when the workflow is not cached (a few KB to read, one statement less when it is needed).
# Locks: PostgreSQL locks the case row, then the item's, and returns their latest committed versions;
# SQLite holds the write lock since BEGIN IMMEDIATE. Case first, as every other action (claim, timers,
# deadlines) locks the case before it writes an item: the other order could deadlock with them.
ITEM_AND_CASE = (
    select(ITEMS.c.id, ITEMS.c.case_id, ITEMS.c.bpmn_id, ITEMS.c.title.label("item_title"), ITEMS.c.role, ITEMS.c.lane,
           ITEMS.c.approves, ITEMS.c.form, ITEMS.c.assignee_id, ITEMS.c.completed_at,
           CASES.c.reference, CASES.c.title, CASES.c.process_key, CASES.c.process_version_id, CASES.c.status,
           CASES.c.handler_id, CASES.c.department_id, CASES.c.created_at, CASES.c.closed_at, CASES.c.subject_name,
           CASES.c.subject_unit, CASES.c.clue_no, CASES.c.version, CASES.c.cadre_id,
           cast(CASES.c.state, Text).label("state_text"), VERSIONS.c.version.label("process_version"),
           VERSIONS.c.sha256, DEPARTMENTS.c.name.label("department_name"))
    .select_from(CASES).join(ITEMS, ITEMS.c.case_id == CASES.c.id)
    .join(VERSIONS, VERSIONS.c.id == CASES.c.process_version_id)
    .outerjoin(DEPARTMENTS, DEPARTMENTS.c.id == CASES.c.department_id)
    .where(ITEMS.c.task_id == bindparam("task_id")).with_for_update(of=[CASES, ITEMS])
)

# The SET clause comes from the parameter names (every key but case_id is a column).
UPDATE_CASE = update(CASES).where(CASES.c.id == bindparam("case_id"))

# Open work items of a case, with the fields the API shows for a task, and on every row whether the
# actor is recused from the case and whether it has links and timer rows. Run once the case is locked:
# on PostgreSQL a statement that waited for a lock sees other tables as they were when it started, so
# these are not part of ITEM_AND_CASE.
OPEN_ITEMS = (
    select(ITEMS.c.id, ITEMS.c.task_id, ITEMS.c.case_id, ITEMS.c.bpmn_id, ITEMS.c.title, ITEMS.c.role, ITEMS.c.lane,
           ITEMS.c.approves, ITEMS.c.assignee_id, ITEMS.c.due_at, ITEMS.c.created_at, ITEMS.c.instructions,
           ITEMS.c.returned_by_item_id,
           select(RECUSALS.c.id).where(RECUSALS.c.case_id == bindparam("case_id"),
                                       RECUSALS.c.user_id == bindparam("actor_id")).exists().label("recused"),
           select(LINKS.c.id).where(or_(LINKS.c.from_case_id == bindparam("case_id"),
                                        LINKS.c.to_case_id == bindparam("case_id"))).exists().label("has_links"),
           select(TIMERS.c.id).where(TIMERS.c.case_id == bindparam("case_id")).exists().label("has_timers"))
    .where(ITEMS.c.case_id == bindparam("case_id"), ITEMS.c.completed_at.is_(None)).order_by(ITEMS.c.id)
)

CLOSE_ITEMS = (
    update(ITEMS).where(ITEMS.c.task_id.in_(bindparam("task_ids", expanding=True)))
    .values(completed_at=bindparam("now"), resolution=bindparam("resolution"),
            completed_by_id=bindparam("completed_by_id"), decision=bindparam("decision"),
            opinion=bindparam("opinion"), completed_as=bindparam("completed_as"))
)
INSERT_ITEMS = insert(ITEMS)
DELETE_TIMERS = delete(TIMERS).where(TIMERS.c.case_id == bindparam("case_id"))
INSERT_TIMERS = insert(TIMERS)

CHAIN_TAIL = (
    select(EVENTS.c.seq, EVENTS.c.hash).where(EVENTS.c.chain == bindparam("chain"))
    .order_by(EVENTS.c.seq.desc()).limit(1)
)
INSERT_EVENT = insert(EVENTS)

# A case's links in both directions with the case at the other end.
_OTHER = CASES.alias("other")
CASE_LINKS = (
    select(LINKS.c.from_case_id, LINKS.c.request_name, _OTHER.c.id, _OTHER.c.reference, _OTHER.c.title,
           _OTHER.c.process_key, _OTHER.c.status)
    .join(_OTHER, or_(
        and_(LINKS.c.from_case_id == bindparam("case_id"), _OTHER.c.id == LINKS.c.to_case_id),
        and_(LINKS.c.to_case_id == bindparam("case_id"), _OTHER.c.id == LINKS.c.from_case_id),
    ))
    .where(or_(LINKS.c.from_case_id == bindparam("case_id"), LINKS.c.to_case_id == bindparam("case_id")))
    .order_by(LINKS.c.id)
)


def case_links(connection, case_id: int) -> list[dict]:
    """The case's links, each with the direction, the request name and the other case."""
    return [{"direction": "to" if row.from_case_id == case_id else "from", "name": row.request_name,
             "case_id": row.id, "reference": row.reference, "title": row.title, "process_key": row.process_key,
             "status": row.status}
            for row in connection.execute(CASE_LINKS, {"case_id": case_id})]
