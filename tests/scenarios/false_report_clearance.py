"""Scenarios for false_report_clearance (澄清正名 and 诬告陷害, domain.md §5).

Covers: both triggers (handler proposal after asking the cadre, written application), every
clearance_eligibility outcome (属实, 未查实, 不实 without effect, consent refused, affected, repeated),
returns at 部门负责人 and 主要负责人, the 5-working-day clearance timer with escalation, correction of a
wrong sanction, and the 诬告 branch: check approval with return, 错告 → education, the good-faith guard,
finding approval with return, higher-level approval (with return, and switched off by a setting), and
handling by the accuser's status (党员 / 监察对象 → new clue about the accuser, others → 公安, crime → 司法).
"""

from __future__ import annotations

from . import Do, Expect, Scenario, Wait

KEY = "false_report_clearance"
APPROVE = {"decision": "approve"}
START = {"settings": {}}


def ret(opinion: str) -> dict:
    return {"decision": "return", "opinion": opinion}


def register(start_type: str, clue_no: str, name: str, unit: str, post: str, allegation: str) -> Do:
    return Do(
        "register_start",
        "handler",
        {
            "start_type": start_type,
            "clue_no": clue_no,
            "subject_name": name,
            "subject_unit": unit,
            "subject_post": post,
            "allegation_summary": allegation,
            "verification_conclusion": "经核实，反映问题不实。",
        },
    )


QIAN = ("XS-2025-0002", "钱样本", "样板街道", "副主任", "经常收受礼品。")
ZHEN = ("XS-2025-0021", "甄示例", "示例社区", "党支部书记", "侵占征地补偿款。")
SUN = ("XS-2025-0003", "孙演示", "演示产业园", "工作人员", "土地问题违规。")

CONSENT = Do(
    "consult_cadre",
    "handler",
    {"consulted_on": "2026-03-02", "cadre_consents": True, "cadre_opinion": "希望在单位范围内澄清。"},
)
REFUSE = Do(
    "consult_cadre",
    "handler",
    {"consulted_on": "2026-03-02", "cadre_consents": False, "cadre_opinion": "不希望再扩大知悉范围。"},
)
APPLY = Do(
    "register_application",
    "handler",
    {
        "application_date": "2026-03-02",
        "basic_facts": "本人基本情况。",
        "false_allegation": "被反映违规处理土地问题。",
        "requested_relief": "请求书面澄清。",
        "cadre_consents": True,
    },
)


def assess(
    finding: str = "不实",
    effect: str = "影响选拔任用、换届、交流或评先",
    *,
    repeated: bool = False,
    wrong_sanction: bool = False,
    suspected: bool = False,
) -> Do:
    return Do(
        "assess_finding",
        "handler",
        {
            "finding": finding,
            "effect_on_cadre": effect,
            "repeated_after_conclusion": repeated,
            "wrong_sanction_given": wrong_sanction,
            "suspected_false_accusation": suspected,
            "assessment": "核实部门认定说明。",
        },
    )


def plan(methods: list[str]) -> Do:
    return Do(
        "draft_plan",
        "handler",
        {
            "clearance_methods": methods,
            "clearance_scope": "所在单位领导班子及相关人员",
            "clearance_wording": "经核实，反映的具体问题不属实。",
        },
    )


SUP_OK = Do("review_supervisor", "supervisor", APPROVE)
PRIN_OK = Do("approve_principal", "leader", APPROVE)


def carry_out(methods: list[str]) -> Do:
    return Do(
        "carry_out",
        "handler",
        {
            "clearance_date": "2026-03-04",
            "methods_done": methods,
            "written_letter_sent": True,
            "clearance_note": "已按方案澄清。",
        },
    )


FILE = Do(
    "record_and_file",
    "handler",
    {
        "record_note": "办理情况已记录。",
        "reported_to_higher": True,
        "filed_in_integrity_file": True,
        "copied_to_org_dept": True,
        "follow_up_planned": False,
    },
)
PROPOSE_CHECK = Do(
    "propose_check",
    "handler",
    {
        "anomaly_indicators": ["换届或选拔任用期间集中举报", "疑似伪造证据材料"],
        "check_plan": "调取举报材料原件，询问相关人员。",
    },
)
CHECK_OK = Do("approve_check", "leader", APPROVE)


def investigate(
    status: str = "其他人员",
    *,
    fabricated: bool = True,
    intent: bool = True,
    good_faith: bool = False,
    crime: bool = False,
) -> Do:
    return Do(
        "investigate",
        "handler",
        {
            "fabricated_or_forged": fabricated,
            "intent_to_harm": intent,
            "accuser_good_faith": good_faith,
            "accuser_status": status,
            "suspected_crime": crime,
            "aggravating": ["干扰换届或选拔任用"],
            "investigation_report": "核查报告。",
        },
    )


FINDING_OK = Do("approve_finding", "leader", APPROVE)
HIGHER_OK = Do(
    "higher_approval", "leader", {**APPROVE, "higher_body": "示例市纪委监委", "reply_no": "示纪复〔2026〕5号"}
)
EDUCATE = Do(
    "educate_reporter",
    "handler",
    {"education_method": "说明解释", "education_note": "已向举报人说明核查结论。"},
)


def accuser(task: str) -> Do:
    return Do(
        task,
        "handler",
        {
            "accuser_name": "冯哑元",
            "accuser_unit": "示例社区居委会",
            "handling_note": "捏造事实诬告他人，建议立案审查。",
            "publicise_typical_case": True,
        },
    )


def transfer(task: str, body: str) -> Do:
    return Do(
        task,
        "handler",
        {"transferred_on": "2026-03-06", "receiving_body": body, "publicise_typical_case": True},
    )


CLEAR_PATH = (SUP_OK, PRIN_OK)
NO_CLEARANCE_OK = Do("approve_no_clearance", "leader", APPROVE)  # 不予澄清 is approved as well

SCENARIOS = {
    # 钱样本: handler proposal, consent, 不实 and up for promotion → 书面 + 当面 clearance.
    "proposal_cleared_written_and_face": Scenario(
        KEY,
        "handler",
        START,
        (
            register("承办部门提议", *QIAN),
            Expect(("consult_cadre",)),
            CONSENT,
            assess(),
            Expect(("draft_plan",)),
            plan(["当面"]),
            *CLEAR_PATH,
            Expect(("carry_out",)),
            carry_out(["书面", "当面"]),
            FILE,
        ),
        outcome="澄清正名",
    ),
    # Returns at 部门负责人 and at 主要负责人, each back to the clearance plan.
    "plan_returned_twice": Scenario(
        KEY,
        "handler",
        START,
        (
            register("承办部门提议", *QIAN),
            CONSENT,
            assess(),
            plan(["通报"]),
            Do("review_supervisor", "supervisor", ret("通报范围过大，应与传播范围相当。")),
            Expect(("draft_plan",)),
            plan(["会议"]),
            SUP_OK,
            Do("approve_principal", "leader", ret("澄清措辞只限具体问题。")),
            Expect(("draft_plan",)),
            plan(["会议"]),
            *CLEAR_PATH,
            carry_out(["书面", "会议"]),
            FILE,
        ),
        outcome="澄清正名",
    ),
    # Approved 2026-03-02; due 2026-03-09 23:59:59 (5 wd); overdue → escalated → +2 wd → done.
    "clearance_timer_escalated": Scenario(
        KEY,
        "handler",
        START,
        (
            register("承办部门提议", *QIAN),
            CONSENT,
            assess(),
            plan(["书面"]),
            *CLEAR_PATH,
            Expect(("carry_out",)),
            Wait("2026-03-09T18:00:00+08:00"),
            Expect(("carry_out",)),
            Wait("2026-03-10T09:00:00+08:00"),
            Expect(("escalate_clearance",)),
            Do(
                "escalate_clearance",
                "supervisor",
                {"overdue_reason": "单位会议推迟。", "urge_note": "两日内完成。"},
            ),
            Expect(("carry_out",)),
            carry_out(["书面"]),
            FILE,
        ),
        outcome="澄清正名",
    ),
    # Written application; a wrong sanction was given → corrected after clearance.
    "application_cleared_wrong_sanction_corrected": Scenario(
        KEY,
        "handler",
        START,
        (
            register("本人书面申请", *SUN),
            Expect(("register_application",)),
            APPLY,
            assess(effect="人身、财产或正常生活受到损害", wrong_sanction=True),
            plan(["书面"]),
            *CLEAR_PATH,
            carry_out(["书面"]),
            Expect(("correct_sanction",)),
            Do(
                "correct_sanction",
                "handler",
                {"correction_measure": "建议撤销原诫勉决定。", "correction_date": "2026-03-05"},
            ),
            FILE,
        ),
        outcome="澄清正名",
    ),
    # No effect on the cadre but the same matter is reported again after a conclusion → clearance.
    "repeated_after_conclusion_cleared": Scenario(
        KEY,
        "handler",
        START,
        (
            register("本人书面申请", *SUN),
            APPLY,
            assess(effect="无", repeated=True),
            plan(["书面"]),
            *CLEAR_PATH,
            carry_out(["书面"]),
            FILE,
        ),
        outcome="澄清正名",
    ),
    # Findings that give no clearance (record only).
    "finding_true_no_clearance": Scenario(
        KEY,
        "handler",
        START,
        (
            register("承办部门提议", *QIAN),
            CONSENT,
            assess(finding="部分属实"),
            Expect(("approve_no_clearance",)),
            NO_CLEARANCE_OK,
            Expect(("record_and_file",)),
            FILE,
        ),
        outcome="不予澄清",
    ),
    "unproven_not_excluded_no_clearance": Scenario(
        KEY,
        "handler",
        START,
        (register("承办部门提议", *QIAN), CONSENT, assess(finding="未查实但不能排除"), NO_CLEARANCE_OK, FILE),
        outcome="不予澄清",
    ),
    "false_but_no_effect_record_only": Scenario(
        KEY,
        "handler",
        START,
        (register("承办部门提议", *QIAN), CONSENT, assess(effect="无"), NO_CLEARANCE_OK, FILE),
        outcome="不予澄清",
    ),
    "cadre_refuses_no_clearance": Scenario(
        KEY,
        "handler",
        START,
        (register("承办部门提议", *QIAN), REFUSE, assess(), NO_CLEARANCE_OK, Expect(("record_and_file",)), FILE),
        outcome="不予澄清",
    ),
    # 甄示例: 会议 clearance + 诬告 by a non-member neighbour with forged receipts → 公安 (higher approval).
    "cleared_and_false_accusation_to_police": Scenario(
        KEY,
        "handler",
        START,
        (
            register("承办部门提议", *ZHEN),
            CONSENT,
            assess(suspected=True),
            plan(["会议"]),
            *CLEAR_PATH,
            carry_out(["书面", "会议"]),
            Expect(("propose_check",)),
            PROPOSE_CHECK,
            CHECK_OK,
            investigate("其他人员"),
            Expect(("approve_finding",)),
            FINDING_OK,
            Expect(("higher_approval",)),
            HIGHER_OK,
            Expect(("transfer_police",)),
            transfer("transfer_police", "示例区公安分局"),
            FILE,
        ),
        outcome="澄清正名；诬告陷害（移送公安机关）",
    ),
    # 孙演示: 错告 from incomplete knowledge → no 诬告 finding; reporter given an explanation; 书面澄清.
    "cleared_and_mistaken_report_educated": Scenario(
        KEY,
        "handler",
        START,
        (
            register("本人书面申请", *SUN),
            APPLY,
            assess(suspected=True),
            plan(["书面"]),
            *CLEAR_PATH,
            carry_out(["书面"]),
            PROPOSE_CHECK,
            CHECK_OK,
            investigate("中共党员", fabricated=False, intent=False, good_faith=True),
            Expect(("educate_reporter",)),
            EDUCATE,
            FILE,
        ),
        outcome="澄清正名；错告（不予追究）",
    ),
    # Guard: the facts look like 诬告 to the DMN, but the reporter acted in good faith → never punished.
    "good_faith_guard_blocks_punishment": Scenario(
        KEY,
        "handler",
        START,
        (
            register("承办部门提议", *QIAN),
            REFUSE,
            assess(suspected=True),
            NO_CLEARANCE_OK,
            Expect(("propose_check",)),
            PROPOSE_CHECK,
            CHECK_OK,
            investigate("中共党员", good_faith=True),
            Expect(("educate_reporter",)),
            EDUCATE,
            FILE,
        ),
        outcome="不予澄清；错告（不予追究）",
    ),
    # Party-member accuser: check returned once, finding returned once, higher body returns once;
    # then 党纪处理 and a new clue about the accuser (clue_handling).
    "party_member_accuser_returns_and_new_clue": Scenario(
        KEY,
        "handler",
        START,
        (
            register("承办部门提议", *ZHEN),
            CONSENT,
            assess(suspected=True),
            plan(["书面"]),
            *CLEAR_PATH,
            carry_out(["书面"]),
            PROPOSE_CHECK,
            Do("approve_check", "leader", ret("核查方案须明确保护善意举报人的措施。")),
            Expect(("propose_check",)),
            PROPOSE_CHECK,
            CHECK_OK,
            investigate("中共党员"),
            Do("approve_finding", "leader", ret("伪造收据的鉴定意见需补充。")),
            Expect(("investigate",)),
            investigate("中共党员"),
            FINDING_OK,
            Do("higher_approval", "leader", {**ret("补充证人证言。"), "higher_body": "示例市纪委监委"}),
            Expect(("investigate",)),
            investigate("中共党员"),
            FINDING_OK,
            HIGHER_OK,
            Expect(("party_discipline",)),
            accuser("party_discipline"),
            FILE,
        ),
        outcome="澄清正名；诬告陷害（移送党纪审查）",
        links=("clue_handling",),
    ),
    # 监察对象 accuser, higher approval switched off by a setting → 政务处分 + new clue.
    "supervision_object_accuser_no_higher_approval": Scenario(
        KEY,
        "handler",
        {"settings": {"accusation_finding_needs_higher_approval": False}},
        (
            register("承办部门提议", *ZHEN),
            CONSENT,
            assess(finding="不实", effect="无", suspected=True),
            NO_CLEARANCE_OK,
            Expect(("propose_check",)),
            PROPOSE_CHECK,
            CHECK_OK,
            investigate("监察对象（非中共党员）"),
            FINDING_OK,
            Expect(("govt_sanction",)),
            accuser("govt_sanction"),
            FILE,
        ),
        outcome="不予澄清；诬告陷害（移送政务处分审查）",
        links=("clue_handling",),
    ),
    # A party member suspected of the crime (刑法 art.243): party discipline AND transfer to the police.
    "party_member_suspected_of_the_crime_both_referred": Scenario(
        KEY,
        "handler",
        START,
        (
            register("承办部门提议", *ZHEN),
            CONSENT,
            assess(suspected=True),
            plan(["书面"]),
            *CLEAR_PATH,
            carry_out(["书面"]),
            PROPOSE_CHECK,
            CHECK_OK,
            investigate("中共党员", crime=True),
            FINDING_OK,
            HIGHER_OK,
            Expect(("party_discipline",)),
            accuser("party_discipline"),
            Expect(("transfer_police",)),
            transfer("transfer_police", "示例区公安分局"),
            FILE,
        ),
        outcome="澄清正名；诬告陷害（移送党纪审查、移送公安机关）",
        links=("clue_handling",),
    ),
    # The cadre applied in writing; 不予澄清 is returned once, then approved, and the cadre gets a written reply.
    "written_application_refused_with_a_written_reply": Scenario(
        KEY,
        "handler",
        START,
        (
            register("本人书面申请", *SUN),
            APPLY,
            assess(finding="部分属实"),
            Expect(("approve_no_clearance",)),
            Do("approve_no_clearance", "leader", ret("请核对举报中已查否的部分。")),
            Expect(("assess_finding",)),
            assess(finding="部分属实"),
            NO_CLEARANCE_OK,
            Expect(("reply_no_clearance",)),
            Do("reply_no_clearance", "handler", {"reply_no": "示纪函〔2026〕3号", "reply_date": "2026-03-04",
                                                 "reply_reason": "经核查，反映的问题部分属实，不属于不实举报。"}),
            Expect(("record_and_file",)),
            FILE,
        ),
        outcome="不予澄清",
    ),
    # Setting: the plan goes straight to 主要负责人 (clearance_supervisor_review=False).
    "setting_plan_straight_to_principal": Scenario(
        KEY,
        "handler",
        {"settings": {"clearance_supervisor_review": False}},
        (
            register("本人书面申请", *SUN),
            APPLY,
            assess(),
            plan(["书面"]),
            Expect(("approve_principal",)),
            PRIN_OK,
            carry_out(["书面"]),
            FILE,
        ),
        outcome="澄清正名",
    ),
}
