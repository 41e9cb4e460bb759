"""Cadre records inside an action's transaction: link a case to its cadre, record the measures a process
decided, find candidates and possible repeat clues at registration, and read a cadre's record for an
integrity opinion. Tables: service/models/cadres.py. Nothing here commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from service.models import Cadre, CadreMeasure, Case, WorkItem
from service.models.cadres import CADRE_LEVELS

# How a measure is recorded: the 四种形态 indicator names (domain.md §3) by category.
PARTY_SANCTIONS = ("党内警告", "党内严重警告", "撤销党内职务", "留党察看（一年）", "留党察看（二年）", "开除党籍")
GOVT_SANCTIONS = ("政务警告", "政务记过", "政务记大过", "政务降级", "政务撤职", "开除公职")
ORG_HANDLING = ("取消荣誉称号", "撤销政协委员资格", "终止（罢免）人大代表资格",
                "取消预备党员资格", "取消当选资格", "终止党代表资格", "停职检查",
                "调整（调离）职务或岗位", "免职", "引咎辞职", "责令辞职",
                "改任非领导职务", "提前退休", "降低退休待遇", "其他组织调整", "降职")
ADMONISHMENT = "诫勉"
PROSECUTION = "移送检察机关"
SANCTION_CATEGORIES = ("party_sanction", "govt_sanction", "org_handling")
CATEGORY_LABELS = {"party_sanction": "党纪处分", "govt_sanction": "政务处分", "org_handling": "组织处理",
                   "admonishment": "诫勉", "education": "第一种形态措施", "prosecution": "移送检察机关"}
STATUS_LABELS = {"in_force": "影响期内", "expired": "影响期已满", "no_period": "已执行", "changed": "申诉后已变更",
                 "revoked": "申诉后已撤销"}
SUBJECT_FIELDS = {"name": ("subject_name", 64), "unit": ("subject_unit", 128), "post": ("subject_post", 128),
                  "management_authority": ("management_authority", 64)}
CLUE_PROCESS = "clue_handling"
VERIFICATION_TASKS = ("verification_plan", "approve_verification_plan_dept", "approve_verification_plan_leader",
                      "approve_verification_plan", "verification_report", "request_verification_extension",
                      "approve_verification_extension", "approve_verification_dept", "approve_verification_leader",
                      "review_verification_close", "approve_verification_principal",
                      "approve_verification_party_head")
INVESTIGATION_PROCESSES = ("case_investigation",)


def category_of(measure: str) -> str:
    """The measure's category (service/models/cadres.py) from its indicator name."""
    if measure in PARTY_SANCTIONS:
        return "party_sanction"
    if measure in GOVT_SANCTIONS:
        return "govt_sanction"
    if measure in ORG_HANDLING:
        return "org_handling"
    if measure == ADMONISHMENT:
        return "admonishment"
    if measure == PROSECUTION:
        return "prosecution"
    return "education"


def clean_name(text) -> str:
    """A name or unit as compared: no spaces of any kind (全角 included)."""
    return re.sub(r"\s+", "", str(text or ""))


def survivor(session: Session, cadre_id: int) -> Cadre | None:
    """The record `cadre_id` stands for now (following merges)."""
    cadre = session.get(Cadre, cadre_id)
    for _ in range(10):
        if cadre is None or cadre.merged_into_id is None:
            return cadre
        cadre = session.get(Cadre, cadre.merged_into_id)
    return cadre


def find_cadre(session: Session, name: str, unit: str) -> Cadre | None:
    """The live record with exactly this name and unit."""
    return session.scalars(select(Cadre).where(Cadre.name == clean_name(name), Cadre.unit == clean_name(unit),
                                               Cadre.merged_into_id.is_(None)).order_by(Cadre.id).limit(1)).first()


def _update_from(cadre: Cadre, data: dict, now: datetime) -> None:
    """The latest registration knows the current post, level and status: non-empty values win."""
    for attr in ("post", "management_authority"):
        key, limit = SUBJECT_FIELDS[attr]
        value = str(data.get(key) or "").strip()[:limit]
        if value:
            setattr(cadre, attr, value)
    if data.get("cadre_level") in CADRE_LEVELS:
        cadre.cadre_level = data["cadre_level"]
    for attr in ("is_party_member", "is_supervision_object"):
        if isinstance(data.get(attr), bool):
            setattr(cadre, attr, data[attr])
    cadre.updated_at = now


def cadre_for_data(session: Session, data: dict, now: datetime) -> Cadre | None:
    """The cadre the case data names: the chosen record (`cadre_id`), else the one with this name and unit,
    else a new record. None when the data names nobody yet."""
    name = clean_name(data.get("subject_name"))[:64]
    if not name:
        return None
    chosen = data.get("cadre_id")
    cadre = survivor(session, chosen) if isinstance(chosen, int) and not isinstance(chosen, bool) else None
    if cadre is None:
        cadre = find_cadre(session, name, data.get("subject_unit"))
    if cadre is None:
        cadre = Cadre(name=name, unit=clean_name(data.get("subject_unit"))[:128], created_at=now)
        session.add(cadre)
    _update_from(cadre, data, now)
    session.flush()
    return cadre


def link_case(session: Session, case_id: int, data: dict, now: datetime, relink: bool = False) -> int | None:
    """Link a case to the cadre its data names (a linked case keeps its link unless `relink`: a step chose a
    record); returns the case's cadre id (None when the data names nobody)."""
    cadre = cadre_for_data(session, data, now)
    if cadre is None:
        return None
    where = [Case.id == case_id] if relink else [Case.id == case_id, Case.cadre_id.is_(None)]
    linked = session.execute(update(Case).where(*where).values(cadre_id=cadre.id)).rowcount
    return cadre.id if linked else session.scalar(select(Case.cadre_id).where(Case.id == case_id))


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _as_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def measure_rows(record: dict) -> list[dict]:
    """The rows of a process's `cadre_measures` record: one per measure. The record (set by the process that
    decides, see bpmn/README.md) carries `measures`, `form` and the dates; `sanction_type` names the measure
    whose 影响期 (`impact_months`, `expires_on`) governs the case."""
    if not isinstance(record, dict) or not isinstance(record.get("measures"), list):
        return []
    form = _as_int(record.get("form")) or 1
    rows = []
    for measure in dict.fromkeys(m for m in record["measures"] if isinstance(m, str) and m.strip()):
        governs = measure == record.get("sanction_type") or (category_of(measure) == "admonishment"
                                                               and record.get("sanction_type") in (None, "", "无"))
        months = _as_int(record.get("impact_months")) if governs else None
        rows.append(dict(measure=measure[:64], category=category_of(measure), form=max(1, min(form, 4)),
                         decided_on=_as_date(record.get("decided_on")),
                         effective_date=_as_date(record.get("effective_date")) or _as_date(record.get("decided_on")),
                         impact_months=months or None,
                         expires_on=_as_date(record.get("expires_on")) if governs and months else None,
                         decision_no=str(record.get("decision_no") or "")[:64]))
    return rows


def record_measures(session: Session, case_id: int, process_key: str, cadre_id: int | None, data: dict,
                    now: datetime) -> int:
    """Write the measures the case decided (its data `cadre_measures`) once; returns how many were new."""
    rows = measure_rows(data.get("cadre_measures"))
    if not rows or cadre_id is None:
        return 0
    cadre = session.get(Cadre, cadre_id)
    known = set(session.scalars(select(CadreMeasure.measure).where(CadreMeasure.case_id == case_id)))
    new = [r for r in rows if r["measure"] not in known]
    for row in new:
        session.add(CadreMeasure(cadre_id=cadre_id, case_id=case_id, process_key=process_key,
                                 cadre_level=cadre.cadre_level if cadre else "", recorded_at=now, **row))
    session.flush()
    return len(new)


def measure_status(measure: CadreMeasure, today: date) -> str:
    """in_force / expired / no_period, or changed / revoked on appeal."""
    if measure.status != "effective":
        return measure.status
    if measure.expires_on is None:
        return "no_period"
    return "in_force" if today < measure.expires_on else "expired"


def last_day(expires_on: date) -> date:
    """The last day of an 影响期 whose exclusive end is `expires_on`."""
    return expires_on - timedelta(days=1)


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


# -- registration: candidates and repeat clues ---------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    unit: str
    post: str
    cadre_level: str
    exact: bool


def candidates(session: Session, name: str, unit: str = "", limit: int = 20) -> list[Candidate]:
    """Live records that may be the person being registered: same name (any unit) or, with a unit given,
    a name sharing its first character in the same unit; exact name + unit first."""
    name, unit = clean_name(name), clean_name(unit)
    if not name:
        return []
    similar = [Cadre.name == name]
    if unit:
        similar.append(and_(Cadre.unit == unit, Cadre.name.like(name[:1] + "%")))
    rows = session.scalars(select(Cadre).where(Cadre.merged_into_id.is_(None), or_(*similar))
                           .order_by(Cadre.id).limit(limit)).all()
    found = [Candidate(c.id, c.name, c.unit, c.post, c.cadre_level, c.name == name and c.unit == unit) for c in rows]
    return sorted(found, key=lambda c: (not c.exact, c.name != name, c.id))


def _words(text: str) -> set[str]:
    """Two-character pieces of a Chinese text (a cheap overlap measure without a word list)."""
    text = re.sub(r"[\s，。、；：,.;:！？!?（）()“”\"'《》]", "", str(text or ""))
    return {text[i:i + 2] for i in range(len(text) - 1)}


def overlap(a: str, b: str) -> float:
    """Share of the shorter text's two-character pieces found in the other (0–1)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def open_clues_of(session: Session, cadre_ids: list[int], exclude_case_id: int | None = None) -> list[Case]:
    """Open clue cases about these cadres (the readers' filter is applied by the caller)."""
    if not cadre_ids:
        return []
    where = [Case.cadre_id.in_(cadre_ids), Case.process_key == CLUE_PROCESS, Case.status == "open"]
    if exclude_case_id is not None:
        where.append(Case.id != exclude_case_id)
    return list(session.scalars(select(Case).where(*where).order_by(Case.id)))


def in_verification(session: Session, case_ids: list[int]) -> set[int]:
    """The cases among `case_ids` with an open 初核 step."""
    if not case_ids:
        return set()
    return set(session.scalars(select(WorkItem.case_id).where(
        WorkItem.case_id.in_(case_ids), WorkItem.completed_at.is_(None), WorkItem.bpmn_id.in_(VERIFICATION_TASKS))))
