"""What a cadre's record shows on a given day, for a task that reads it (`x-reads: cadre_records` on its form:
the integrity opinion's check). The service reads the rows (`read_records`); `reading` turns the facts into
the plain values the process decides on (pure, so the engine-level scenario runner uses it too).

One entry per candidate, in the order of the request:
`name`, `unit`, `found`, `cadre_id`; `sanctions_in_force`, `sanctions_expired`, `sanctions_changed` (phrases:
"党内警告（2025-06-10生效，影响期至2026-06-09）"), `in_force_text` / `expired_text` (the same joined with "、");
`latest_admonishment_date` ('' if none); `open_clues` (count), `verification_in_progress`,
`under_investigation`, `closed_untrue_or_cleared`, `form1_measures` (count of other form-1 measures).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cases import cadres
from service.models import CadreMeasure, Case

CLOSED_UNTRUE_OUTCOMES = ("谈话函询了结", "予以了结", "留存备查")
CLEARANCE_PROCESS = "false_report_clearance"
DISPOSITION_PROCESS = "four_forms_disposition"
MAX_CANDIDATES = 20


@dataclass(frozen=True)
class MeasureFact:
    measure: str
    category: str
    effective_date: date | None
    expires_on: date | None
    status: str = "effective"


@dataclass(frozen=True)
class CaseFact:
    process_key: str
    status: str
    outcome: str | None
    clue_no: str = ""
    in_verification: bool = False


def candidates_of(data: dict) -> list[dict]:
    """The request's candidates: the registered one (`subject_*`, `proposed_post`), then one per line of
    `more_candidates` ("姓名，单位，现任职务，拟任职务", separated by Chinese or ASCII commas)."""
    out = []
    if cadres.clean_name(data.get("subject_name")):
        out.append({"name": cadres.clean_name(data.get("subject_name")), "unit": cadres.clean_name(
            data.get("subject_unit")), "post": str(data.get("subject_post") or ""),
            "proposed_post": str(data.get("proposed_post") or "")})
    for line in data.get("more_candidates") or []:
        parts = [p.strip() for p in re.split(r"[，,、;；\t]", str(line))]
        if parts and cadres.clean_name(parts[0]):
            parts += [""] * 4
            out.append({"name": cadres.clean_name(parts[0]), "unit": cadres.clean_name(parts[1]),
                        "post": parts[2], "proposed_post": parts[3]})
    return out[:MAX_CANDIDATES]


def _phrase(m: MeasureFact, expired: bool) -> str:
    start = f"{m.effective_date.isoformat()}生效" if m.effective_date else "生效日期不详"
    if m.expires_on is None:
        return f"{m.measure}（{start}）"
    end = cadres.last_day(m.expires_on).isoformat()
    return f"{m.measure}（{start}，影响期已于{end}届满）" if expired else f"{m.measure}（{start}，影响期至{end}）"


def reading(candidate: dict, cadre_id: int | None, measures: list[MeasureFact], cases: list[CaseFact],
            today: date) -> dict:
    """The record of one candidate on `today`, as plain values (see the module docstring)."""
    in_force, expired, changed, form1 = [], [], [], 0
    admonished = ""
    for m in measures:
        if m.status != "effective":
            changed.append(f"{m.measure}（申诉后{'已撤销' if m.status == 'revoked' else '已变更'}）")
        elif m.category == "admonishment":
            day = m.effective_date.isoformat() if m.effective_date else ""
            admonished = max(admonished, day)
        elif m.category in cadres.SANCTION_CATEGORIES and m.expires_on is not None:
            (in_force if today < m.expires_on else expired).append(_phrase(m, today >= m.expires_on))
        elif m.category == "education":
            form1 += 1
    open_clues = [c for c in cases if c.process_key == cadres.CLUE_PROCESS and c.status == "open"]
    opened = {c.clue_no for c in cases if c.process_key == cadres.CLUE_PROCESS and c.outcome == "立案审查调查"}
    investigating = any(c.status == "open" and (c.process_key in cadres.INVESTIGATION_PROCESSES or (
        c.process_key == DISPOSITION_PROCESS and c.clue_no in opened)) for c in cases)
    closed_untrue = any(c.status == "completed" and (
        (c.process_key == cadres.CLUE_PROCESS and c.outcome in CLOSED_UNTRUE_OUTCOMES)
        or c.process_key == CLEARANCE_PROCESS) for c in cases)
    return {"name": candidate["name"], "unit": candidate["unit"], "post": candidate.get("post", ""),
            "proposed_post": candidate.get("proposed_post", ""), "found": cadre_id is not None,
            "cadre_id": cadre_id, "sanctions_in_force": in_force, "sanctions_expired": expired,
            "sanctions_changed": changed, "in_force_text": "、".join(in_force), "expired_text": "、".join(expired),
            "latest_admonishment_date": admonished, "open_clues": len(open_clues),
            "verification_in_progress": any(c.in_verification for c in open_clues),
            "under_investigation": investigating, "closed_untrue_or_cleared": closed_untrue,
            "form1_measures": form1}


def read_records(session: Session, data: dict, today: date, exclude_case_id: int | None = None) -> list[dict]:
    """Every candidate's record on `today`, read from the cadre tables (the system reads the whole record:
    the integrity check is the office's duty; what it returns is facts, not case contents)."""
    out = []
    for candidate in candidates_of(data):
        cadre = cadres.find_cadre(session, candidate["name"], candidate["unit"])
        measures, facts = [], []
        if cadre is not None:
            measures = [MeasureFact(m.measure, m.category, m.effective_date, m.expires_on, m.status)
                        for m in session.scalars(select(CadreMeasure).where(CadreMeasure.cadre_id == cadre.id)
                                                 .order_by(CadreMeasure.id))]
            rows = session.execute(select(Case.id, Case.process_key, Case.status, Case.outcome, Case.clue_no).where(
                Case.cadre_id == cadre.id, Case.id != (exclude_case_id or 0))).all()
            verifying = cadres.in_verification(session, [r.id for r in rows if r.status == "open"])
            facts = [CaseFact(r.process_key, r.status, r.outcome, r.clue_no, r.id in verifying) for r in rows]
        out.append(reading(candidate, cadre.id if cadre else None, measures, facts, today))
    return out
