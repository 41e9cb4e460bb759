"""The typed result of every case action and of the case query: the case as it is after the action.

Pages and the API render a `CaseView` directly (the API dumps it with `schemas.cases.CaseDetailOut`, the case
page reads it as `case`), whether it came from a completion (built from what the completion wrote, no second
read) or from `load_case_view` (every other action, inside its transaction, and `queries.case_view`).
An action's view also carries the audit event it appended (`event`): what the action did, in the trail's words.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import permissions
from service.cases import statements as sql
from service.cases.audit import CaseEvent
from service.cases.org import signers
from service.cases.runtime import Services
from service.models import Case, ProcessVersion, Timer


@dataclass(frozen=True)
class CaseSnapshot:
    """The case row's list columns as an action left them."""

    id: int
    reference: str
    title: str
    process_key: str
    status: str
    outcome: str | None
    stage: str
    subject_name: str
    subject_unit: str
    clue_no: str
    handler_id: int | None
    department_id: int | None
    due_at: datetime | None
    created_at: datetime
    closed_at: datetime | None
    version: int


SNAPSHOT_FIELDS = tuple(CaseSnapshot.__dataclass_fields__)


@dataclass(frozen=True)
class CaseView:
    """A case after an action (or as read): row columns, process version, data, open tasks, links, warnings."""

    case: CaseSnapshot
    process_version: int
    data: dict      # the case data (a snapshot; redact it for the reader)
    tasks: list     # the case's open work items (rows with the TaskOut fields)
    links: list[dict]
    deadline_warnings: list[str]  # deadlines of the case in years without holiday data
    event: CaseEvent | None = None  # what the action recorded; None for a read (or timers with none due)
    # The reporter's identity: only in what `read_reporter` returns to an entitled reader. No schema dumps it
    # with the case, and it stays out of the repr (logs).
    reporter: dict | None = field(default=None, repr=False)
    # open approval levels nobody may sign (every eligible person excluded): {task id: what the step says}
    waiting: dict = field(default_factory=dict)

    @property
    def case_id(self) -> int:
        return self.case.id

    def __getattr__(self, name: str):
        """The case row's columns read through the view (`view.reference`): a schema dumps a CaseView flat."""
        if name.startswith("_") or name not in SNAPSHOT_FIELDS:
            raise AttributeError(name)
        return getattr(self.case, name)

    def for_reader(self, user) -> CaseView:
        """The view as `user` may see it: the case data redacted for their positions."""
        return replace(self, data=permissions.redact_case_data(user, self.data))


def snapshot_of(case: Case) -> CaseSnapshot:
    return CaseSnapshot(**{name: getattr(case, name) for name in SNAPSHOT_FIELDS})


def load_case_view(svc: Services, session: Session, case_id: int, data: dict | None = None,
                   event: CaseEvent | None = None, reporter: dict | None = None) -> CaseView:
    """The case as stored now (inside an action, after its writes); `data`: the case data if at hand;
    `event`: the audit event the action appended."""
    session.flush()
    case = session.get(Case, case_id)
    version = session.get(ProcessVersion, case.process_version_id)
    if data is None:
        data = svc.workflows.case_data(case.id, case.version)
    if data is None:
        data = svc.engine.case_data(svc.engine.restore(svc.bundle(version), case.state))
    conn = session.connection()
    tasks = conn.execute(sql.OPEN_ITEMS, {"case_id": case.id, "actor_id": None}).all()
    timer_dues = session.scalars(select(Timer.due_at).where(Timer.case_id == case.id)).all()
    warnings = svc.calendar().warnings_for_dues(svc.now(), [t.due_at for t in tasks if t.due_at] + list(timer_dues))
    waiting = signers.waiting_notes(session, tasks, case.department_id, svc.bundle(version).settings, svc.now())
    return CaseView(case=snapshot_of(case), process_version=version.version, data=copy.deepcopy(data), tasks=tasks,
                    links=sql.case_links(conn, case.id), deadline_warnings=warnings, event=event, reporter=reporter,
                    waiting=waiting)
