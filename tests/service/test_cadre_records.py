"""Registration finds existing cadre records and possible repeat clues; the cadre page under need to know;
merging two records and changing a measure on appeal are audited (issue 15 §1)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from service.cases import actions, audit, cadre_queries, cadre_reading, cadres
from service.cases.accounts import create_user, load_user
from service.cases.errors import NotAllowed, NotFound
from service.deploy import deploy_directory
from service.models import AuditEvent, Cadre, CadreMeasure, Case, WorkItem
from tests.conftest import PASSWORD
from tests.scenarios import clue_handling as clue

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"


@pytest.fixture
def office(svc, users, clock):
    deploy_directory(svc, BPMN_DIR)
    clock.set("2026-03-02T09:00:00+08:00")
    return users


def register(svc, users, data: dict) -> int:
    """Start a clue and complete its registration with `data` (as the intake)."""
    case_id = actions.start_case(svc, users["intake"], "clue_handling", f"线索：{data['subject_name']}",
                                 {"department": "第一监督检查室"}).case_id
    with svc.db.read_session() as session:
        task = session.scalar(select(WorkItem.task_id).where(WorkItem.case_id == case_id,
                                                             WorkItem.completed_at.is_(None)))
    actions.complete_task(svc, users["intake"], task, dict(data))
    return case_id


def cadre_of(svc, case_id: int) -> Cadre:
    with svc.db.read_session() as session:
        return session.get(Cadre, session.get(Case, case_id).cadre_id)


def lookup(svc, user_id: int, name: str, unit: str = "", allegation: str = "", category: str = "",
           exclude: int | None = None):
    with svc.db.read_session() as session:
        return cadre_queries.registration_lookup(session, load_user(session, user_id), name, unit, allegation,
                                                 category, svc.now(), exclude)


def test_the_same_person_registered_twice_is_one_record(svc, office):
    first = register(svc, office, clue.CLUE_0001)
    second = register(svc, office, {**clue.CLUE_0001, "clue_no": "XS-2026-0100", "subject_unit": " 虚拟招商局 ",
                                    "subject_post": "副局长"})
    a, b = cadre_of(svc, first), cadre_of(svc, second)
    assert a.id == b.id and (b.name, b.unit, b.post, b.cadre_level) == ("郝测试", "虚拟招商局", "副局长", "乡科级")
    assert (b.is_party_member, b.is_supervision_object) == (True, True)
    other = register(svc, office, {**clue.CLUE_0001, "clue_no": "XS-2026-0101", "subject_unit": "样板街道"})
    assert cadre_of(svc, other).id != a.id   # a namesake elsewhere is another record until someone says otherwise


def test_registration_shows_candidates_and_the_chosen_record_is_linked(svc, office):
    first = register(svc, office, clue.CLUE_0001)
    found = lookup(svc, office["intake"], "郝测试", "招商局")
    assert [(c["name"], c["unit"], c["exact"]) for c in found.candidates] == [("郝测试", "虚拟招商局", False)]
    chosen = cadre_of(svc, first).id
    later = register(svc, office, {**clue.CLUE_0001, "clue_no": "XS-2026-0102", "subject_unit": "招商局",
                                   "cadre_id": chosen})
    assert cadre_of(svc, later).id == chosen


def test_an_open_clue_about_the_same_person_with_overlapping_allegations_is_offered_as_repeat(svc, office):
    first = register(svc, office, clue.CLUE_0001)          # 廉洁纪律: 公车私用
    found = lookup(svc, office["intake"], "郝测试", "虚拟招商局", "反映其将公务用车用于私事", "工作纪律")
    assert [d["case_id"] for d in found.duplicates] == [first]
    assert found.duplicates[0]["overlap"] >= 0.3 and not found.duplicates[0]["same_category"]
    assert lookup(svc, office["intake"], "郝测试", "虚拟招商局", "反映其违规发放津贴", "工作纪律").duplicates == []
    assert lookup(svc, office["intake"], "郝测试", "虚拟招商局", "", "廉洁纪律").duplicates[0]["same_category"]
    assert lookup(svc, office["intake"], "钱样本", "样板街道", "公车私用", "廉洁纪律").duplicates == []
    assert lookup(svc, office["intake"], "郝测试", "虚拟招商局", "公车私用", "廉洁纪律", exclude=first).duplicates == []


def test_the_api_offers_candidates_and_repeats(svc, office, api):
    first = register(svc, office, clue.CLUE_0001)
    body = api("intake").get("/cadres/lookup?name=郝测试&unit=虚拟招商局&category=廉洁纪律").json
    assert body["candidates"][0]["exact"] and body["duplicates"][0]["case_id"] == first


def test_the_cadre_page_shows_only_cases_the_reader_may_read(svc, office):
    first = register(svc, office, clue.CLUE_0001)
    cadre_id = cadre_of(svc, first).id
    outsider = create_user(svc, "outsider", "外人", "x" * 12, ["handler"], "第二监督检查室")
    with svc.db.read_session() as session:
        page = cadre_queries.cadre_page(session, load_user(session, office["intake"]), cadre_id, svc.now(),
                                        "Asia/Shanghai")
        assert [c.id for c in page.clues] == [first]
        with pytest.raises(NotFound):
            cadre_queries.cadre_page(session, load_user(session, outsider), cadre_id, svc.now(), "Asia/Shanghai")


def _measure(svc, cadre_id: int, case_id: int, measure: str, effective: date, months: int) -> int:
    with svc.db.write_session() as session:
        row = CadreMeasure(cadre_id=cadre_id, case_id=case_id, process_key="four_forms_disposition",
                           measure=measure, category=cadres.category_of(measure), form=2, effective_date=effective,
                           impact_months=months, expires_on=date(effective.year + months // 12, effective.month,
                                                                 effective.day))
        session.add(row)
        session.flush()
        return row.id


def test_merging_two_records_moves_cases_and_measures_and_is_audited(svc, office):
    first = register(svc, office, clue.CLUE_0001)
    second = register(svc, office, {**clue.CLUE_0001, "clue_no": "XS-2026-0103", "subject_unit": "招商局"})
    keep, gone = cadre_of(svc, first).id, cadre_of(svc, second).id
    _measure(svc, gone, second, "党内警告", date(2026, 1, 5), 12)
    with pytest.raises(NotAllowed):
        actions.merge_cadres(svc, office["handler"], keep, gone, "同一人")
    done = actions.merge_cadres(svc, office["leader"], keep, gone, "同一人，单位简称不同")
    assert (done["cases_moved"], done["measures_moved"]) == (1, 1)
    with svc.db.read_session() as session:
        assert session.get(Cadre, gone).merged_into_id == keep
        assert cadre_of(svc, second).id == keep
        event = session.scalars(select(AuditEvent).where(AuditEvent.chain == f"cadre:{keep}")).one()
        assert event.action == "cadre_merged" and event.summary["reason"] == "同一人，单位简称不同"
        assert audit.verify(session, f"cadre:{keep}").valid
        page = cadre_queries.cadre_page(session, load_user(session, office["leader"]), gone, svc.now(), "Asia/Shanghai")
        assert page.cadre.id == keep and [m.measure for m in page.sanctions] == ["党内警告"]
        assert page.sanctions[0].status == "in_force" and page.sanctions[0].last_day == date(2027, 1, 4)


def test_a_measure_changed_on_appeal_no_longer_counts_for_the_integrity_opinion(svc, office):
    first = register(svc, office, clue.CLUE_0001)
    cadre = cadre_of(svc, first)
    measure_id = _measure(svc, cadre.id, first, "党内警告", date(2026, 1, 5), 12)
    with svc.db.read_session() as session:
        before = cadre_reading.read_records(session, {"subject_name": "郝测试", "subject_unit": "虚拟招商局"},
                                            date(2026, 3, 2))[0]
    assert before["sanctions_in_force"] and before["open_clues"] == 1
    actions.change_measure_status(svc, office["leader"], measure_id, "revoked", "复审撤销原处分")
    with svc.db.read_session() as session:
        after = cadre_reading.read_records(session, {"subject_name": "郝测试", "subject_unit": "虚拟招商局"},
                                           date(2026, 3, 2))[0]
        assert session.get(CadreMeasure, measure_id).status_reason == "复审撤销原处分"
    assert after["sanctions_in_force"] == [] and after["sanctions_changed"] == ["党内警告（申诉后已撤销）"]


def test_the_cadre_page_and_the_lookup_page_render_in_chinese(app, svc, office):
    first = register(svc, office, clue.CLUE_0001)
    cadre_id = cadre_of(svc, first).id
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    assert client.post("/login", data={"username": "intake", "password": PASSWORD}).status_code in (200, 302)
    page = client.get(f"/cadres/{cadre_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "干部记录：郝测试" in text and "问题线索（在办和已办结）" in text and "合并重复记录" not in text
    lookup_page = client.get("/cadres/lookup?name=郝测试&unit=虚拟招商局&category=廉洁纪律")
    assert lookup_page.status_code == 200 and "可能的重复件" in lookup_page.get_data(as_text=True)
