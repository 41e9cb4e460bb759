"""Reads of cadre records for pages and the API: the cadre page (need to know: only the cases the reader may
read, and the measures decided in them) and the registration lookup (candidate records, possible repeat
clues). The tables: service/models/cadres.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import cadres, permissions, queries
from service.cases.errors import NotFound
from service.cases.org.access import ALL_CASES_POSITIONS
from service.cases.org.holdings import load_holdings
from service.models import Cadre, CadreMeasure, Case, User

FOLLOW_UP_PROCESS = "follow_up_visit"
DUPLICATE_MIN_OVERLAP = 0.3  # share of the shorter allegation's two-character pieces found in the other


@dataclass(frozen=True)
class MeasureRow:
    """A measure as the cadre page shows it, with its state on the day of reading."""

    id: int
    measure: str
    category: str
    category_label: str
    form: int
    effective_date: object
    expires_on: object
    last_day: object
    status: str
    status_label: str
    status_reason: str
    decision_no: str
    case_id: int
    case_reference: str


@dataclass
class CadrePage:
    cadre: Cadre
    clues: list = field(default_factory=list)
    other_cases: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    sanctions: list = field(default_factory=list)
    form1: list = field(default_factory=list)
    merged: list = field(default_factory=list)
    may_keep: bool = False


def cadre_page(session: Session, user: User, cadre_id: int, now: datetime, tz: str) -> CadrePage:
    """The cadre's record as this reader may see it. A cadre none of whose cases the reader may read does
    not exist for them (404), as for a case outside their circle."""
    cadre = cadres.survivor(session, cadre_id)
    holdings = load_holdings(session, user.id, now)
    if cadre is None or not permissions.may_read_cases(user):
        raise NotFound(f"干部记录 {cadre_id} 不存在")
    merged = list(session.scalars(select(Cadre).where(Cadre.merged_into_id == cadre.id).order_by(Cadre.id)))
    cases = list(session.scalars(select(Case).where(Case.cadre_id == cadre.id, queries.readable(session, user, now))
                                 .order_by(Case.created_at.desc(), Case.id.desc())))
    if not cases and not holdings.holds(ALL_CASES_POSITIONS):
        raise NotFound(f"干部记录 {cadre_id} 不存在")
    page = CadrePage(cadre=cadre, merged=merged, may_keep=permissions.may_keep_cadre_records(holdings))
    for case in cases:
        if case.process_key == cadres.CLUE_PROCESS:
            page.clues.append(case)
        elif case.process_key == FOLLOW_UP_PROCESS:
            page.follow_ups.append(case)
        else:
            page.other_cases.append(case)
    by_id = {c.id: c for c in cases}
    today = cadres.local_today(now, tz)
    rows = session.scalars(select(CadreMeasure).where(CadreMeasure.cadre_id == cadre.id,
                                                      CadreMeasure.case_id.in_(list(by_id)))
                           .order_by(CadreMeasure.effective_date.desc(), CadreMeasure.id))
    for m in rows:
        status = cadres.measure_status(m, today)
        row = MeasureRow(m.id, m.measure, m.category, cadres.CATEGORY_LABELS.get(m.category, m.category), m.form,
                         m.effective_date, m.expires_on, cadres.last_day(m.expires_on) if m.expires_on else None,
                         status, cadres.STATUS_LABELS.get(status, status), m.status_reason, m.decision_no,
                         m.case_id, by_id[m.case_id].reference)
        (page.sanctions if m.category in (*cadres.SANCTION_CATEGORIES, "prosecution") else page.form1).append(row)
    return page


@dataclass(frozen=True)
class Lookup:
    """What registration is offered: records that may be this person, open clues that may repeat this one."""

    candidates: list
    duplicates: list


def registration_lookup(session: Session, user: User, name: str, unit: str, allegation: str, category: str,
                        now: datetime, exclude_case_id: int | None = None) -> Lookup:
    """Candidate records (name + unit) and open clues about the same person whose allegations overlap
    (same category or shared wording), among the clues the user may see in the register. The handler
    decides whether it is a 重复件."""
    queries.require_reader(user)
    found = cadres.candidates(session, name, unit)
    exact = [c.id for c in found if c.exact]
    duplicates = []
    if exact:
        where = [Case.cadre_id.in_(exact), Case.process_key == cadres.CLUE_PROCESS, Case.status == "open",
                 queries.readable(session, user, now, register=True)]
        if exclude_case_id is not None:
            where.append(Case.id != exclude_case_id)
        for case in session.scalars(select(Case).where(*where).order_by(Case.id)):
            score = cadres.overlap(allegation, case.allegation_summary)
            same_category = bool(category) and category == case.allegation_category
            if same_category or score >= DUPLICATE_MIN_OVERLAP:
                duplicates.append({"case_id": case.id, "reference": case.reference, "clue_no": case.clue_no,
                                   "title": case.title, "allegation_summary": case.allegation_summary,
                                   "allegation_category": case.allegation_category, "same_category": same_category,
                                   "overlap": round(score, 2)})
    duplicates.sort(key=lambda d: (not d["same_category"], -d["overlap"], d["case_id"]))
    return Lookup(candidates=[c.__dict__ for c in found], duplicates=duplicates)
