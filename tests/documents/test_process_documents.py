"""For each process, a scenario that ends with the documents it should have: numbers, the approvers' names and
dates, and no reporter identity where it must not be, read back out of the DOCX and the PDF."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.cases import actions, paper
from service.cases.org.positions import records_outside_decision, task_position
from service.deploy import deploy_directory
from service.models import Document, User
from tests.documents.support import docx_text, pdf_text
from tests.scenarios import Do, Wait, all_scenarios
from tests.service.test_process_paths import (
    BPMN_DIR,
    USERS_BY_POSITION,
    USERS_BY_ROLE,
    chain_signers,
    fire_all_due,
    open_items,
)

SCENARIOS = all_scenarios()
# scenario -> the documents it must end with
EXPECTED = {
    "clue_handling:closed_no_action": {"acceptance_notice", "disposal_memo"},
    "clue_handling:inquiry_letter_accepted_with_clearance": {"disposal_memo", "inquiry_letter"},
    "clue_handling:inquiry_then_verification_case_opened": {"disposal_memo", "verification_report"},
    "clue_handling:forwarded_to_higher_body": {"transfer_letter"},
    "four_forms_disposition:form2_warning_collective_follow_up": {"sanction_decision"},
    "false_report_clearance:proposal_cleared_written_and_face": {"clearance_letter"},
    "follow_up_visit:good_recommended": {"visit_record"},
    "integrity_opinion:in_impact_period_not_suitable": {"integrity_reply"},
    "fault_tolerance:ex_officio_full_tolerance_corrected": {"tolerance_finding"},
}
NUMBER = re.compile(r"^高纪\w+〔2026〕\d+号$")


def _run(svc, users, clock, scenario) -> int:
    deploy_directory(svc, BPMN_DIR)
    clock.set(scenario.clock)
    case_id = actions.start_case(svc, users[USERS_BY_ROLE[scenario.start_role][0]], scenario.process_key, "案件",
                                 {"department": "第一监督检查室", **scenario.case_data}).case_id
    for step in scenario.steps:
        if isinstance(step, Wait):
            clock.set(step.until)
            fire_all_due(svc)
        elif isinstance(step, Do):
            item = next(i for i in open_items(svc, case_id) if i.bpmn_id == step.task)
            signed = set() if records_outside_decision(item.lane) else chain_signers(svc, case_id, item.approves)
            actor = next(users[u] for u in USERS_BY_POSITION[task_position(item.role, item.lane)]
                         if users[u] not in signed)
            actions.complete_task(svc, actor, item.task_id, dict(step.data))
    return case_id


def _reporter_values(scenario) -> list[str]:
    values = [v for k, v in scenario.case_data.items() if k.startswith("reporter_") and isinstance(v, str)]
    for step in scenario.steps:
        if isinstance(step, Do):
            values += [v for k, v in step.data.items() if k.startswith("reporter_") and isinstance(v, str) and v]
    return values


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_scenario_ends_with_its_documents_numbered_signed_and_confidential(name, svc, users, clock):
    scenario = SCENARIOS[name]
    case_id = _run(svc, users, clock, scenario)
    with svc.db.read_session() as session:
        documents = session.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.id)).all()
        names = dict(session.execute(select(User.id, User.display_name)).all())
    assert EXPECTED[name] <= {d.doc_type for d in documents}, [d.doc_type for d in documents]
    reporter = _reporter_values(scenario)
    for document in documents:
        assert NUMBER.match(document.number), document.number
        texts = (docx_text(paper.document_docx(document.content)), pdf_text(paper.document_pdf(document.content)))
        for text in texts:
            flat = text.replace("\n", "")
            assert document.number in flat and paper.chinese_date(document.content["date"]) in flat
            if document.doc_type == "acceptance_notice":
                assert reporter and reporter[0] in flat   # the notice goes to the reporter, by name
            else:
                assert not [v for v in reporter if v in flat], (document.doc_type, reporter)
            for line in document.content["signatures"]:
                assert line["name"] in names.values() and line["name"] in flat and line["position"] in flat
        if document.doc_type in {"disposal_memo", "inquiry_letter", "sanction_decision", "clearance_letter",
                                 "integrity_reply", "tolerance_finding", "verification_report", "visit_record"}:
            assert document.content["signatures"], document.doc_type   # approvals print as 签批 lines
