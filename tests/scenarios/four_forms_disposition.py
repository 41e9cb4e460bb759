"""Scenarios for four_forms_disposition (四种形态处置, domain.md §3).

Covers: every form (1–4), the collective route and the 主要负责人 route, a return at every approval level,
the follow-up link for form 2/3 and 问责, no link for form 1 / expelled / form 4, the prosecution transfer,
the unit not executing (gateway) and the execution timer (Wait).
"""

from __future__ import annotations

from . import Do, Expect, Refused, Scenario, Wait

KEY = "four_forms_disposition"

APPROVE = {"decision": "approve"}


def ret(opinion: str) -> dict:
    return {"decision": "return", "opinion": opinion}


def subject(clue_no: str, name: str, unit: str, post: str, level: str = "乡科级", party: bool = True) -> dict:
    return {
        "clue_no": clue_no,
        "subject_name": name,
        "subject_unit": unit,
        "subject_post": post,
        "cadre_level": level,
        "is_party_member": party,
    }


QIAN = subject("XS-2025-0002b", "钱样本", "样板街道", "副主任")
HAO = subject("LA-2025-007", "郝测试", "虚拟招商局", "科长")
LI = subject("LA-2025-011", "李模拟", "演示产业园", "财务科长")
WEI = subject("LA-2025-015", "卫样例", "示例社区", "党委书记")
ZHOU = subject("WZ-2025-003", "周虚拟", "虚拟科技局", "副局长", level="县处级")


def start(facts: dict) -> dict:
    return {**facts, "title": f"四种形态处置：{facts['subject_name']}", "settings": {}}


def propose(
    facts: dict,
    measures: list[str],
    *,
    source: str = "审查调查（审理）",
    prosecution: bool = False,
    accountability: bool = False,
    summary: str = "经审理，认定违纪事实清楚。",
) -> Do:
    return Do(
        "propose_measures",
        "handler",
        {
            **facts,
            "finding_source": source,
            "findings_summary": summary,
            "measures": measures,
            "transferred_for_prosecution": prosecution,
            "is_accountability": accountability,
            "proposal_basis": "《中国共产党纪律处分条例》相关条款",
        },
    )


def deliver(no: str | None, effective: str = "2026-03-02") -> Do:
    """Deliver the decision; `no` is None for measures that have no decision document (谈话提醒, 责令检查 …)."""
    data = {"decision_date": effective, "delivery_date": effective, "effective_date": effective,
            "delivered_to": "本人及所在单位党组织"}
    return Do("deliver_decision", "handler", data if no is None else {"decision_no": no, **data})


def refused(step: Do, *fields: str) -> Refused:
    return Refused(step.task, step.role, step.data, fields)


EXECUTED = Do(
    "record_execution",
    "handler",
    {"execution_done": True, "execution_date": "2026-03-02", "execution_note": "所在单位已宣布并执行。"},
)
FILED = Do("file_integrity", "handler", {"integrity_file_no": "LZDA-2026-001", "filed_on": "2026-03-02"})
SUP_OK = Do("review_supervisor", "supervisor", APPROVE)
LEAD_OK = Do("review_leader", "leader", APPROVE)
PRIN_OK = Do("approve_principal", "leader", APPROVE)


def committee_ok() -> Do:
    return Do(
        "collective_decision",
        "committee",
        {**APPROVE, "meeting_date": "2026-03-02", "meeting_minutes_no": "纪工委会议纪要〔2026〕3号"},
    )


SCENARIOS = {
    # XS-2025-0002b: 诫勉 → form 1, no sanction → 主要负责人 approves, no follow-up.
    "form1_admonishment_principal": Scenario(
        KEY,
        "handler",
        start(QIAN),
        (
            propose(QIAN, ["诫勉"], source="谈话函询", summary="未按规定及时报告个人有关事项。"),
            Expect(("review_supervisor",)),
            SUP_OK,
            LEAD_OK,
            Expect(("approve_principal",)),
            PRIN_OK,
            deliver("示纪诫〔2026〕1号"),
            Expect(("record_execution",)),
            EXECUTED,
            FILED,
        ),
        outcome="第一种形态处置完毕",
        measures=('诫勉',),
    ),
    # LA-2025-007 郝测试: 党内警告 + 调离岗位 → form 2, sanction → collective; follow-up started.
    "form2_warning_collective_follow_up": Scenario(
        KEY,
        "handler",
        start(HAO),
        (
            propose(HAO, ["党内警告", "调整（调离）职务或岗位"], summary="公车私用。"),
            SUP_OK,
            LEAD_OK,
            Expect(("collective_decision",)),
            committee_ok(),
            deliver("示纪处〔2026〕7号"),
            EXECUTED,
            FILED,
        ),
        outcome="第二种形态处置完毕",
        measures=('党内警告', '调整（调离）职务或岗位'),
        links=("follow_up_visit",),
    ),
    # Form 2 by organisational adjustment only: no sanction → 主要负责人; still a follow-up target.
    "form2_org_adjustment_principal_follow_up": Scenario(
        KEY,
        "handler",
        start(WEI),
        (
            propose(WEI, ["免职"], source="初步核实"),
            SUP_OK,
            LEAD_OK,
            Expect(("approve_principal",)),
            PRIN_OK,
            deliver("示组〔2026〕2号"),
            EXECUTED,
            FILED,
        ),
        outcome="第二种形态处置完毕",
        measures=('免职',),
        links=("follow_up_visit",),
    ),
    # Form 3 留党察看 with a return at every level of the collective route.
    "form3_probation_returns_everywhere": Scenario(
        KEY,
        "handler",
        start(WEI),
        (
            propose(WEI, ["党内严重警告"]),
            Do("review_supervisor", "supervisor", ret("情节认定偏轻，请重新研究。")),
            Expect(("propose_measures",)),
            propose(WEI, ["留党察看（一年）", "政务撤职"]),
            SUP_OK,
            Do("review_leader", "leader", ret("请补充处分依据。")),
            Expect(("propose_measures",)),
            propose(WEI, ["留党察看（一年）", "政务撤职"]),
            SUP_OK,
            LEAD_OK,
            Do(
                "collective_decision",
                "committee",
                {**ret("会议要求补充本人申辩意见。"), "meeting_date": "2026-03-02"},
            ),
            Expect(("propose_measures",)),
            propose(WEI, ["留党察看（一年）", "政务撤职"]),
            SUP_OK,
            LEAD_OK,
            committee_ok(),
            deliver("示纪处〔2026〕9号"),
            EXECUTED,
            FILED,
        ),
        outcome="第三种形态处置完毕",
        measures=('政务撤职', '留党察看（一年）'),
        links=("follow_up_visit",),
    ),
    # 主要负责人 returns once; resubmitted and approved.
    "form1_principal_returns": Scenario(
        KEY,
        "handler",
        start(QIAN),
        (
            propose(QIAN, ["谈话提醒", "责令检查"], source="谈话函询"),
            SUP_OK,
            LEAD_OK,
            Do("approve_principal", "leader", ret("请明确检查提交期限。")),
            Expect(("propose_measures",)),
            propose(QIAN, ["谈话提醒", "责令检查"], source="谈话函询"),
            SUP_OK,
            LEAD_OK,
            PRIN_OK,
            deliver("示纪提〔2026〕2号"),
            EXECUTED,
            FILED,
        ),
        outcome="第一种形态处置完毕",
        measures=('谈话提醒', '责令检查'),
    ),
    # LA-2025-011 李模拟: 开除党籍 + 开除公职 + 移送检察 → form 4; expelled → no follow-up.
    "form4_expelled_transferred": Scenario(
        KEY,
        "handler",
        start(LI),
        (
            propose(LI, ["开除党籍", "开除公职"], prosecution=True, summary="骗取补贴 86,000 元，涉嫌贪污。"),
            SUP_OK,
            LEAD_OK,
            committee_ok(),
            deliver("示纪处〔2026〕11号"),
            Expect(("transfer_prosecution",)),
            Do(
                "transfer_prosecution",
                "handler",
                {"transferred_on": "2026-03-02", "procuratorate": "示例区人民检察院"},
            ),
            EXECUTED,
            FILED,
        ),
        outcome="第四种形态处置完毕",
        measures=('开除党籍', '开除公职', '移送检察机关'),
    ),
    # 问责 with a form-1 measure (诫勉): priority target for 回访 because of the accountability flag.
    "accountability_form1_follow_up": Scenario(
        KEY,
        "handler",
        start(ZHOU),
        (
            propose(ZHOU, ["诫勉"], source="问责调查", accountability=True, summary="履职不力，问责。"),
            SUP_OK,
            LEAD_OK,
            PRIN_OK,
            deliver("示问〔2026〕1号"),
            EXECUTED,
            FILED,
        ),
        outcome="第一种形态处置完毕",
        measures=('诫勉',),
        links=("follow_up_visit",),
    ),
    # The unit reports it has not executed: 部门负责人 urges, then execution is recorded.
    "execution_not_done_urged": Scenario(
        KEY,
        "handler",
        start(HAO),
        (
            propose(HAO, ["通报批评"]),
            SUP_OK,
            LEAD_OK,
            PRIN_OK,
            deliver("示纪通〔2026〕4号"),
            Do(
                "record_execution",
                "handler",
                {"execution_done": False, "execution_note": "单位尚未召开通报会。"},
            ),
            Expect(("urge_execution",)),
            Do("urge_execution", "supervisor", {"urge_method": "书面督办", "urge_note": "请于一周内执行。"}),
            Expect(("record_execution",)),
            EXECUTED,
            FILED,
        ),
        outcome="第一种形态处置完毕",
        measures=('通报批评',),
    ),
    # Execution deadline (20 working days after delivery on 2026-03-02 → 2026-03-30 23:59:59) passes.
    "execution_timer_overdue": Scenario(
        KEY,
        "handler",
        start(HAO),
        (
            propose(HAO, ["党内警告"]),
            SUP_OK,
            LEAD_OK,
            committee_ok(),
            deliver("示纪处〔2026〕12号"),
            Expect(("record_execution",)),
            Wait("2026-03-30T18:00:00+08:00"),
            Expect(("record_execution",)),
            Wait("2026-03-31T09:00:00+08:00"),
            Expect(("urge_execution",)),
            Do("urge_execution", "supervisor", {"urge_method": "约谈单位负责人", "urge_note": "已约谈。"}),
            Expect(("record_execution",)),
            EXECUTED,
            FILED,
        ),
        outcome="第二种形态处置完毕",
        measures=('党内警告',),
        links=("follow_up_visit",),
    ),
    # Setting collective_for_sanctions=False: 主要负责人 approves a 党内警告 without 集体研究.
    "setting_sanction_without_collective": Scenario(
        KEY,
        "handler",
        {**start(HAO), "settings": {"collective_for_sanctions": False}},
        (
            propose(HAO, ["党内警告"]),
            SUP_OK,
            LEAD_OK,
            Expect(("approve_principal",)),
            PRIN_OK,
            deliver("示纪处〔2026〕13号"),
            EXECUTED,
            FILED,
        ),
        outcome="第二种形态处置完毕",
        measures=('党内警告',),
        links=("follow_up_visit",),
    ),
    # Measure sets are checked: two 党纪处分 at once, and a 党纪处分 for a non-member, are refused (422);
    # a 谈话提醒 has no decision document, so no 决定书文号 is asked, while a 党内警告 must carry one.
    "measure_sets_checked": Scenario(
        KEY,
        "handler",
        start(HAO),
        (
            refused(propose(HAO, ["党内警告", "党内严重警告"]), "measures"),
            refused(propose(HAO, ["政务警告", "政务记过"]), "measures"),
            refused(propose({**HAO, "is_party_member": False}, ["党内警告"]), "is_party_member", "measures"),
            Expect(("propose_measures",)),
            propose(HAO, ["党内警告"]),
            SUP_OK,
            LEAD_OK,
            committee_ok(),
            refused(deliver(None), "decision_no"),
            deliver("示纪处〔2026〕15号"),
            EXECUTED,
            FILED,
        ),
        outcome="第二种形态处置完毕",
        measures=('党内警告',),
        links=("follow_up_visit",),
    ),
    "form1_reminder_talk_without_decision_document": Scenario(
        KEY,
        "handler",
        start({**QIAN, "is_party_member": False}),
        (
            propose({**QIAN, "is_party_member": False}, ["谈话提醒"], source="谈话函询"),
            SUP_OK,
            LEAD_OK,
            PRIN_OK,
            deliver(None),
            EXECUTED,
            FILED,
        ),
        outcome="第一种形态处置完毕",
        measures=('谈话提醒',),
    ),
}
