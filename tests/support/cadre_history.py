"""A scenario's `history` (earlier measures and cases on cadre records): as the facts a task reading the
records sees (engine-level runner, no database) and as rows in the database (service-level runner)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count

from sqlalchemy import select

from service.cases import cadres
from service.cases.cadre_reading import CaseFact, MeasureFact, candidates_of, reading
from service.models import Cadre, CadreMeasure, Case, ProcessVersion, WorkItem
from tests.scenarios import PastCase, Sanction
from workflows.helpers import _add_months

_numbers = count(1)


def expires(item: Sanction) -> date | None:
    return _add_months(date.fromisoformat(item.effective), item.months) if item.months else None


def records_for(data: dict, history: tuple, today: date) -> list[dict]:
    """What the service reads for every candidate of `data`, computed from the history alone."""
    out = []
    for i, candidate in enumerate(candidates_of(data)):
        mine = [h for h in history if (cadres.clean_name(h.name), cadres.clean_name(h.unit))
                == (candidate["name"], candidate["unit"])]
        measures = [MeasureFact(h.measure, cadres.category_of(h.measure), date.fromisoformat(h.effective),
                                expires(h), h.status) for h in mine if isinstance(h, Sanction)]
        cases = [CaseFact(h.process_key, h.status, h.outcome, h.clue_no, h.in_verification)
                 for h in mine if isinstance(h, PastCase)]
        out.append(reading(candidate, 1000 + i if mine else None, measures, cases, today))
    return out


def seed(svc, history: tuple, created_by_id: int) -> None:
    """Write the history as cadre, case and measure rows (processes deployed)."""
    if not history:
        return
    now = datetime.now(UTC)
    with svc.db.write_session() as session:
        versions = {v.process_key: v.id for v in session.scalars(select(ProcessVersion))}
        for item in history:
            cadre = cadres.find_cadre(session, item.name, item.unit) or Cadre(
                name=cadres.clean_name(item.name), unit=cadres.clean_name(item.unit), created_at=now)
            session.add(cadre)
            session.flush()
            key = item.process_key if isinstance(item, PastCase) else "four_forms_disposition"
            case = Case(reference=f"HIST-{next(_numbers):05d}", title=f"历史案件：{item.name}", process_key=key,
                        process_version_id=versions[key], created_by_id=created_by_id, cadre_id=cadre.id,
                        subject_name=cadre.name, subject_unit=cadre.unit, state={}, created_at=now,
                        status=item.status if isinstance(item, PastCase) else "completed",
                        outcome=item.outcome if isinstance(item, PastCase) else "第二种形态处置完毕",
                        clue_no=getattr(item, "clue_no", ""))
            session.add(case)
            session.flush()
            if isinstance(item, Sanction):
                session.add(CadreMeasure(cadre_id=cadre.id, case_id=case.id, process_key=key, measure=item.measure,
                                         category=cadres.category_of(item.measure), form=2,
                                         effective_date=date.fromisoformat(item.effective),
                                         decided_on=date.fromisoformat(item.effective),
                                         impact_months=item.months or None,
                                         expires_on=expires(item), status=item.status, recorded_at=now))
            elif item.in_verification:
                session.add(WorkItem(case_id=case.id, task_id=f"hist-{case.id}", bpmn_id="verification_report",
                                     title="提交初核情况报告", role="handler", lane="", created_at=now))
