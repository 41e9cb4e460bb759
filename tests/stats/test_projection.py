"""The facts the figures count are projected from the case data by the real actions, at every step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from service.cases import actions
from service.cases.org.positions import task_position
from service.cases.stats import groups
from service.cases.stats.facts import fact_columns
from service.demo import BODY, TEAM, create_office
from service.deploy import deploy_directory
from service.models import Case
from tests.org.test_resolution import open_item
from tests.scenarios import Do, Wait, all_scenarios
from tests.service.test_process_paths import chain_signers, fire_all_due
from tests.stats.test_figures import login

ROOT = Path(__file__).resolve().parents[2]


def drive(svc, ids, clock, scenario, starter: str, department: str = "第一监督检查室") -> int:
    data = {**scenario.case_data, "department": department}
    case_id = actions.start_case(svc, ids[starter], scenario.process_key, "统计", data).case_id
    for step in scenario.steps:
        if isinstance(step, Wait):
            clock.set(step.until)
            fire_all_due(svc)
        if not isinstance(step, Do):
            continue
        item = open_item(svc, case_id, step.task)
        signed = chain_signers(svc, case_id, item.approves)
        people = TEAM[department].get(task_position(item.role, item.lane)) or BODY[task_position(item.role, item.lane)]
        actions.complete_task(svc, next(ids[u] for u in people if ids[u] not in signed), item.task_id, dict(step.data))
    return case_id


@pytest.fixture
def office(svc, clock):
    deploy_directory(svc, ROOT / "bpmn")
    clock.set("2026-03-02T09:00:00+08:00")
    return create_office(svc)


def test_a_driven_clue_and_disposition_carry_their_facts_into_the_figures(app, svc, office, clock):
    scenarios = all_scenarios()
    clue = drive(svc, office, clock, scenarios["clue_handling:closed_no_action"], "intake")
    disposition = drive(svc, office, clock, scenarios["four_forms_disposition:form2_warning_collective_follow_up"],
                        "handler")
    with svc.db.read_session() as session:
        clue_row, form_row = (session.scalar(select(Case).where(Case.id == i)) for i in (clue, disposition))
    assert (clue_row.status, clue_row.disposal, clue_row.clue_channel) == ("completed", "予以了结", "网络")
    assert clue_row.clue_source and clue_row.real_name is not None and clue_row.cadre_level
    assert (form_row.status, form_row.disposition_form) == ("completed", 2)
    assert form_row.cadre_level == "乡科级" and "|党内警告|" in form_row.measures
    leader = login(app, "leader")
    four = leader.get("/api/v1/stats/four-forms").json
    by_form = next(t for t in four["tables"] if t["id"] == "by_form")["rows"]
    assert [row[1]["value"] for row in by_form] == [0, 1, 0, 0, 1]
    assert leader.get(by_form[1][1]["cases_url"]).json["items"][0]["id"] == disposition
    clues = leader.get("/api/v1/stats/clues").json
    disposal = next(t for t in clues["tables"] if t["id"] == "by_disposal")["rows"]
    assert next(row for row in disposal if row[0] == "予以了结")[2]["value"] == 1


def test_facts_take_only_values_of_their_type():
    assert fact_columns({"cadre_level": "县处级", "disposition_form": 3, "measures": ["诫勉", "免职"],
                         "is_real_name": False, "visit_count": 2}) == {
        "cadre_level": "县处级", "disposition_form": 3, "measures": "|诫勉|免职|", "real_name": False, "visited": True}
    assert fact_columns({"disposition_form": True, "measures": ["a|b"], "is_real_name": "yes", "grade": ""}) == {}


def _enum(path: str, field: str) -> list[str]:
    schema = json.loads((ROOT / "bpmn" / "forms" / path).read_text(encoding="utf-8"))
    prop = schema["properties"][field]
    return prop.get("items", prop)["enum"]


def test_the_vocabularies_of_the_figures_are_the_forms_options():
    assert list(groups.CADRE_LEVELS) == _enum("four_forms_disposition/propose_measures.json", "cadre_level")
    assert list(groups.MEASURES) == _enum("four_forms_disposition/propose_measures.json", "measures")
    assert list(groups.SOURCES) == _enum("clue_handling/register_clue.json", "source")
    assert list(groups.CHANNELS) == _enum("clue_handling/register_clue.json", "channel")
    assert list(groups.DISPOSALS) == _enum("clue_handling/propose_disposal.json", "disposal")
    assert list(groups.FINDINGS) == _enum("false_report_clearance/assess_finding.json", "finding")
    assert list(groups.GRADES) == _enum("follow_up_visit/record_visit.json", "grade")
    assert set(groups.TOLERANCE_RESULTS) <= set(_enum("fault_tolerance/collective_review.json", "decided_result"))
