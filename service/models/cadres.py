"""Cadres (被反映人 / 干部) as records, and the measures decided about them.

Tables (kept flat and indexed so statistics can count from them with plain SQL aggregates):

`cadres` — one row per person. `name`, `unit`, `post`, `cadre_level` (厅局级/县处级/乡科级/一般干部/其他,
the same values and field name as case data), `management_authority` (干部管理权限), `is_party_member`,
`is_supervision_object` (None = not known yet). A record merged into another keeps its row with
`merged_into_id` set (its cases and measures move to the survivor; the merge is an audit event on the
chain `cadre:<survivor id>`). Lookup is by (`name`, `unit`): `ix_cadres_name_unit`.

`cases.cadre_id` — the cadre a case is about (NULL when the case names nobody yet).

`cadre_measures` — one row per measure decided in a case, written once by the process that decides it
(its data `cadre_measures`, recorded when the case ends) and read by everything else:
- `cadre_id`, `case_id`, `process_key`: whose, from which case and process;
- `measure`: the measure as the office names it (党内警告, 诫勉, 谈话函询了结, …);
- `category`: `party_sanction` 党纪处分, `govt_sanction` 政务处分, `org_handling` 组织处理/组织调整,
  `admonishment` 诫勉, `education` other form-1 measures, `prosecution` 移送检察机关;
- `form`: 1–4 (四种形态) of the case's disposition (every measure of a case carries the case's highest form,
  so "one person counted once per case in the highest form" is `COUNT(DISTINCT (cadre_id, case_id))`
  grouped by `form`);
- `cadre_level`: the cadre's level when the measure was decided (statistics group by it);
- `decided_on` (the decision's date, the statistics period), `effective_date`, `impact_months` and
  `expires_on` (exclusive end of the 影响期; NULL when the measure has none);
- `status`: `effective`, or `changed` / `revoked` on appeal (`status_reason`, `changed_at`); whether an
  effective measure is still in force is computed from `expires_on` and the clock, never stored.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base
from service.models.types import UTCDateTime, utcnow

CADRE_LEVELS = ("厅局级", "县处级", "乡科级", "一般干部", "其他")
MEASURE_CATEGORIES = ("party_sanction", "govt_sanction", "org_handling", "admonishment", "education",
                      "prosecution")
MEASURE_STATUSES = ("effective", "changed", "revoked")


class Cadre(Base):
    __tablename__ = "cadres"
    __table_args__ = (Index("ix_cadres_name_unit", "name", "unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(128), default="")
    post: Mapped[str] = mapped_column(String(128), default="")
    cadre_level: Mapped[str] = mapped_column(String(16), default="")
    management_authority: Mapped[str] = mapped_column(String(64), default="")
    is_party_member: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    is_supervision_object: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CadreMeasure(Base):
    __tablename__ = "cadre_measures"
    __table_args__ = (
        UniqueConstraint("case_id", "measure", name="uq_cadre_measures_case_measure"),
        Index("ix_cadre_measures_cadre", "cadre_id", "effective_date"),
        Index("ix_cadre_measures_decided", "decided_on", "form"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadres.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(64))
    measure: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(16))
    form: Mapped[int] = mapped_column(Integer)
    cadre_level: Mapped[str] = mapped_column(String(16), default="")
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    effective_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    impact_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_no: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="effective")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
