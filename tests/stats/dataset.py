"""A generated data set for the statistics tests: cases with their facts, work items, extensions and
suspensions, inserted as rows (they are projections), plus plain-Python expectations over the same rows."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from service.models import Case, DeadlineExtension, DeadlineSuspension, Department, ProcessVersion, WorkItem

SHANGHAI = ZoneInfo("Asia/Shanghai")
BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
PROCESSES = {
    "four_forms_disposition": ["propose_measures", "review_supervisor", "deliver_decision"],
    "clue_handling": ["register_clue", "screen_clue", "analyse_clue", "propose_disposal", "approve_disposal_dept",
                      "feedback_result"],
    "fault_tolerance": ["register_matter", "verify"],
    "false_report_clearance": ["assess_finding", "carry_out"],
    "follow_up_visit": ["plan_visit", "record_visit"],
    "integrity_opinion": ["register_request", "check_records"],
}
LEVELS = ["厅局级", "县处级", "乡科级", "一般干部", "其他", None]
MEASURES = ["谈话提醒", "批评教育", "诫勉", "党内警告", "党内严重警告", "撤销党内职务", "开除党籍", "免职", "政务记过"]
OUTCOMES = {
    "fault_tolerance": ["免予问责", "不予问责", "从轻减轻问责", "不予容错", "不予受理"],
    "integrity_opinion": ["暂未发现影响提拔任用的问题", "不宜提拔任用", "建议暂缓，待查清后答复", "来函退回补正"],
    "follow_up_visit": ["已向组织部门推荐使用", "继续帮教"],
}


@dataclass
class Row:
    id: int
    process_key: str
    department: str
    created_at: datetime
    status: str
    closed_at: datetime | None
    outcome: str | None = None
    facts: dict = field(default_factory=dict)
    items: list[dict] = field(default_factory=list)


def _maybe(rnd: random.Random, values, none_share: float = 0.15):
    return None if rnd.random() < none_share else rnd.choice(values)


def _facts(rnd: random.Random, key: str) -> dict:
    facts = {"cadre_level": _maybe(rnd, LEVELS[:-1])}
    if key == "four_forms_disposition":
        picked = rnd.sample(MEASURES, rnd.randint(1, 3))
        facts |= {"disposition_form": rnd.choice([1, 2, 3, 4, None]), "measures": "|" + "|".join(picked) + "|"}
    elif key == "clue_handling":
        facts |= {"clue_source": _maybe(rnd, ["信访举报", "巡视巡察移交", "上级交办", "另类来源"]),
                  "clue_channel": _maybe(rnd, ["来信", "来访", "电话", "网络"]),
                  "real_name": _maybe(rnd, [True, False]),
                  "disposal": _maybe(rnd, ["谈话函询", "初步核实", "暂存待查", "予以了结", "转送/退回", "留存备查"],
                                     0.3)}
    elif key == "false_report_clearance":
        facts |= {"finding": _maybe(rnd, ["属实", "部分属实", "未查实但不能排除", "不实"]),
                  "cleared": _maybe(rnd, [True, False]), "report_type": _maybe(rnd, ["诬告", "错告"], 0.5)}
    elif key == "follow_up_visit":
        facts |= {"grade": _maybe(rnd, ["好", "一般", "较差"], 0.3), "visited": _maybe(rnd, [True, False])}
    return facts


def _items(rnd: random.Random, key: str, created: datetime, now: datetime) -> list[dict]:
    items = []
    at = created
    for bpmn_id in PROCESSES[key]:
        for _ in range(rnd.choice([1, 1, 1, 2])):   # some steps are done twice (returned)
            start = at + timedelta(hours=rnd.randint(1, 200))
            due = start + timedelta(days=rnd.randint(1, 12)) if rnd.random() < 0.8 else None
            state = rnd.random()
            if state < 0.7:
                done = start + timedelta(hours=rnd.randint(1, 400), minutes=rnd.randint(0, 59))
                items.append({"bpmn_id": bpmn_id, "created_at": start, "completed_at": done, "due_at": due,
                              "resolution": "completed"})
                at = done
            elif state < 0.8:
                items.append({"bpmn_id": bpmn_id, "created_at": start, "completed_at": start + timedelta(hours=1),
                              "due_at": due, "resolution": "cancelled"})
            else:
                items.append({"bpmn_id": bpmn_id, "created_at": start, "completed_at": None, "due_at": due,
                              "resolution": None})
                return items
    return items


def generate(svc, creator_id: int, now: datetime, n: int = 160, seed: int = 16) -> list[Row]:
    """Insert `n` cases (both supervision departments, Jan–Mar 2026) and return them as plain rows."""
    rnd = random.Random(seed)
    rows: list[Row] = []
    with svc.db.write_session() as session:
        departments = {name: i for i, name in session.execute(select(Department.id, Department.name))}
        versions = {}
        for key in PROCESSES:
            bpmn = (BPMN_DIR / f"{key}.bpmn").read_text(encoding="utf-8")
            version = ProcessVersion(process_key=key, version=1, name=key, sha256=key, files={f"{key}.bpmn": bpmn},
                                     deployed_at=now)
            session.add(version)
            session.flush()
            versions[key] = version.id
        for number in range(n):
            key = rnd.choice(list(PROCESSES))
            department = rnd.choice(["第一监督检查室", "第二监督检查室"])
            created = datetime(2026, 1, 1, tzinfo=SHANGHAI) + timedelta(minutes=rnd.randint(0, 88 * 24 * 60))
            created = created.astimezone(UTC)
            completed = rnd.random() < 0.6
            closed = created + timedelta(days=rnd.randint(0, 40), hours=rnd.randint(0, 23)) if completed else None
            outcome = rnd.choice(OUTCOMES[key]) if completed and key in OUTCOMES else None
            facts = _facts(rnd, key)
            case_id = session.execute(insert(Case).values(
                reference=f"TJ-{number:05d}", title=f"统计样本{number}", process_key=key,
                process_version_id=versions[key], status="completed" if completed else "open", outcome=outcome,
                department_id=departments[department], created_by_id=creator_id, created_at=created,
                updated_at=created, closed_at=closed, state={}, **facts).returning(Case.id)).scalar_one()
            row = Row(case_id, key, department, created, "completed" if completed else "open", closed, outcome,
                      facts, _items(rnd, key, created, now))
            for i, item in enumerate(row.items):
                task_id = f"t-{case_id}-{i}"
                item["task_id"] = task_id
                session.execute(insert(WorkItem).values(case_id=case_id, title=item["bpmn_id"], role="handler",
                                                        lane="承办部门", **item))
                if rnd.random() < 0.1:
                    item["extension"] = rnd.choice(["approved", "rejected"])
                    session.execute(insert(DeadlineExtension).values(
                        case_id=case_id, task_id=task_id, workdays=3, reason="材料多", status=item["extension"],
                        requested_by_id=creator_id, requested_at=item["created_at"]))
                if rnd.random() < 0.08:
                    status = rnd.choice(["approved", "pending", "rejected"])
                    item["suspended"] = status == "approved"
                    session.execute(insert(DeadlineSuspension).values(
                        case_id=case_id, task_id=task_id, reason="中止", suspended_by_id=creator_id,
                        suspended_at=item["created_at"], status=status))
            rows.append(row)
    return rows


def in_period(row: Row, start: date | None, end: date | None) -> bool:
    day = row.created_at.astimezone(SHANGHAI).date()
    return (start is None or day >= start) and (end is None or day <= end)


def nearest_rank(values: list[float], percent: int) -> float | None:
    """The smallest value with at least `percent` % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = next(r for r in range(1, len(ordered) + 1) if r * 100 >= percent * len(ordered))
    return ordered[rank - 1]


def days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400
