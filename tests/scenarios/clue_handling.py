"""Scenarios for `clue_handling` (问题线索处置, domain.md §2).

Every end state, every approval / return-for-revision branch, the higher approval for a subject who
heads a lower party committee, and both timer branches (overdue 函询 reply, periodic review of
暂存待查) are driven here. Default clock: Monday 2026-03-02 09:00 (+08:00); all dates below are
computed by hand against the China working-day calendar (no holidays in March–September 2026
affect them except where noted).
"""

from __future__ import annotations

from tests.scenarios import Do, Expect, Refused, Scenario, Wait

KEY = "clue_handling"
START = {"settings": {}}

# ------------------------------------------------------------------ clue data (names from domain.md §10)
_CLUE_BASE = {
    "clue_no": "XS-2025-0001",
    "source": "信访举报",
    "channel": "网络",
    "received_date": "2026-03-02",
    "is_real_name": True,
    "subject_name": "郝测试",
    "subject_unit": "虚拟招商局",
    "subject_post": "科长",
    "cadre_level": "乡科级",
    "is_party_member": True,
    "is_supervision_object": True,
    "is_lower_party_head": False,
    "allegation_summary": "反映其公车私用，将单位公务用车用于婚礼车队",
    "allegation_category": "廉洁纪律",
    "is_duplicate": False,
    "jurisdiction": "本级",
    "has_real_content": True,
}
# reporter_* fields are part of the registration form; the service moves them to the protected
# reporters table [S12], at engine level they are ordinary data.
CLUE_0001 = {**_CLUE_BASE, "reporter_name": "冯哑元", "reporter_phone": "13800000000"}  # 网络 → 初核 → 立案
CLUE_0002 = {  # 来信, anonymous: "gifts often", no details → 谈话函询 → 采信了结
    **_CLUE_BASE,
    "clue_no": "XS-2025-0002",
    "channel": "来信",
    "is_real_name": False,
    "subject_name": "钱样本",
    "subject_unit": "样板街道",
    "subject_post": "副主任",
    "allegation_summary": "反映其经常收受管理服务对象礼品，未提供具体细节",
}
CLUE_0003 = {  # 电话, real name, repeat report → 留存备查
    **_CLUE_BASE,
    "reporter_name": "卫样例",
    "clue_no": "XS-2025-0003",
    "channel": "电话",
    "subject_name": "孙演示",
    "subject_unit": "演示产业园",
    "subject_post": "工作人员",
    "cadre_level": "一般干部",
    "allegation_summary": "反映其在土地问题上违规操作（2024年已有结论）",
    "allegation_category": "工作纪律",
    "is_duplicate": True,
    "linked_clue_no": "XS-2024-0031",
}
CLUE_LOWER_HEAD = {  # subject heads a lower party committee → higher approvals
    **CLUE_0001,
    "clue_no": "XS-2025-0004",
    "subject_name": "甄示例",
    "subject_unit": "示例社区党委",
    "subject_post": "党委书记",
    "cadre_level": "乡科级",
    "is_lower_party_head": True,
    "allegation_summary": "反映其挪用征地补偿款",
}

# ------------------------------------------------------------------ analysis inputs → DMN suggestion
_BASE_ANALYSIS = {"in_jurisdiction": True, "has_substance": True, "analysis_summary": "经分析研判"}
A_INQUIRY = {
    **_BASE_ANALYSIS,
    "verifiable": "部分可查",
    "severity": "苗头性倾向性一般性问题",
    "ready_to_verify": False,
}  # rule 6 → 谈话函询
A_VERIFY = {
    **_BASE_ANALYSIS,
    "verifiable": "可查",
    "severity": "涉嫌违纪违法犯罪",
    "ready_to_verify": True,
}  # rule 5 → 初步核实
A_SHELVE = {
    **_BASE_ANALYSIS,
    "verifiable": "可查",
    "severity": "涉嫌违纪违法犯罪",
    "ready_to_verify": False,
}  # rule 4 → 暂存待查
A_CLOSE = {
    **_BASE_ANALYSIS,
    "verifiable": "无法查证",
    "severity": "苗头性倾向性一般性问题",
    "ready_to_verify": False,
}  # rule 3 → 予以了结
A_OUT = {
    **_BASE_ANALYSIS,
    "in_jurisdiction": False,
    "verifiable": "可查",
    "severity": "苗头性倾向性一般性问题",
    "ready_to_verify": False,
}  # rule 1 → 转送/退回
A_NOSUB = {
    **_BASE_ANALYSIS,
    "has_substance": False,
    "verifiable": "无法查证",
    "severity": "苗头性倾向性一般性问题",
    "ready_to_verify": False,
}  # rule 2 → 留存备查

COLLECTIVE = {
    "meeting_type": "专题会",
    "meeting_date": "2026-03-02",
    "attendees": ["李模拟", "周虚拟", "吴假设"],
    "collective_opinion": "同意承办人分析意见",
}

APPROVE = {"decision": "approve", "opinion": "同意"}


def ret(opinion: str = "请补充事实依据后重新报批") -> dict:
    return {"decision": "return", "opinion": opinion}


# ------------------------------------------------------------------ step builders
def register(clue: dict) -> tuple:
    return (Do("register_clue", "intake", clue),)


def accept(clue: dict) -> tuple:
    """Registration of a first report for this body, acceptance notice, screening."""
    steps = [*register(clue)]
    if clue["is_real_name"]:
        steps += [
            Expect(("notify_acceptance",)),
            Do("notify_acceptance", "intake", {"notice_date": "2026-03-02", "notice_method": "电话"}),
        ]
    steps += [
        Expect(("screen_clue",)),
        Do("screen_clue", "handler", {"screen_result": "有实质内容，转入分析"}),
    ]
    return tuple(steps)


def propose(disposal: str, reason: str = "") -> Do:
    return Do(
        "propose_disposal",
        "handler",
        {"disposal": disposal, "override_reason": reason, "proposal_summary": f"拟{disposal}"},
    )


def analyse(analysis: dict, disposal: str, reason: str = "") -> tuple:
    return (
        Do("analyse_clue", "handler", analysis),
        Do("collective_study", "committee", COLLECTIVE),
        propose(disposal, reason),
    )


def chain(*levels: str) -> tuple:
    """Approve the disposal at the given levels (dept, leader, principal, party_head)."""
    tasks = {
        "dept": ("approve_disposal_dept", "supervisor"),
        "leader": ("approve_disposal_leader", "leader"),
        "principal": ("approve_disposal_principal", "leader"),
        "party_head": ("approve_disposal_party_head", "leader"),
    }
    out = []
    for level in levels:
        task, role = tasks[level]
        data = dict(APPROVE)
        if level == "party_head":
            data |= {"party_head_name": "示例高新区党工委书记", "party_head_approval_date": "2026-03-03"}
        out += [Expect((task,)), Do(task, role, data)]
    return tuple(out)


FULL = ("dept", "leader", "principal")


def feedback(objection_new_evidence: bool = False) -> tuple:
    return (
        Expect(("feedback_result",)),
        Do(
            "feedback_result",
            "intake",
            {
                "feedback_date": "2026-03-05",
                "feedback_method": "书面",
                "objection_raised": objection_new_evidence,
                "objection_summary": "举报人提供了新的证据材料" if objection_new_evidence else "",
                "objection_new_evidence": objection_new_evidence,
            },
        ),
    )


def inquiry_plan(method: str, talkers: list[str] | None = None) -> Do:
    return Do(
        "inquiry_plan",
        "handler",
        {
            "inquiry_method": method,
            "talkers": talkers if talkers is not None else ["卫样例", "郑占位"],
            "delegated_to_party_head": False,
            "plan_summary": f"采取{method}方式了解有关情况",
            "contingency_plan": "被反映人情绪异常时暂停谈话并报告",
        },
    )


def refused(step: Do, *fields: str) -> Refused:
    """The same submission as `step`, refused with 422 naming `fields`."""
    return Refused(step.task, step.role, step.data, fields)


def letter(sent: str = "2026-03-02", received: str | None = None) -> tuple:
    """Send the 函询 letter and record when the subject received it (the reply clock starts then)."""
    return (
        Do(
            "send_inquiry_letter",
            "handler",
            {
                "letter_no": "函询〔2026〕1号",
                "letter_sent_date": sent,
                "copied_to_party_head": True,
                "letter_content_summary": "请就反映的收受礼品问题作出书面说明",
            },
        ),
        Expect(("record_letter_receipt",)),
        Do("record_letter_receipt", "handler",
           {"letter_received_date": received or sent, "receipt_method": "直接送达"}),
        Expect(("record_letter_reply",)),
    )


def reply(date: str) -> Do:
    return Do(
        "record_letter_reply",
        "handler",
        {
            "reply_received_date": date,
            "endorsed_by_party_head": True,
            "reply_summary": "本人书面说明，所在党委书记签字背书",
        },
    )


def talk(date: str = "2026-03-03") -> Do:
    return Do(
        "conduct_talk",
        "handler",
        {
            "talk_date": date,
            "talk_location": "谈话室",
            "talk_record_summary": "谈话笔录",
            "record_signed": True,
        },
    )


def inquiry_report(outcome: str, **extra) -> Do:
    return Do(
        "inquiry_report",
        "handler",
        {"inquiry_outcome": outcome, "report_summary": "谈话函询情况报告", **extra},
    )


def approve(task: str, role: str) -> tuple:
    return (Expect((task,)), Do(task, role, APPROVE))


TEAM = ["卫样例", "郑占位"]
TEAM3 = [*TEAM, "冯哑元"]


def verification_plan(team: list[str] | None = None) -> Do:
    return Do(
        "verification_plan",
        "handler",
        {
            "verification_basis": "经批准的线索处置意见",
            "key_questions": "是否存在公车私用",
            "methods": ["谈话了解", "查阅复制文件账目"],
            "steps_and_timing": "两个月内完成",
            "verification_scope": "车辆使用记录",
            "team_leader": "卫样例",
            "team_members": team if team is not None else TEAM,
        },
    )


def verification_report(proposal: str, signed: list[str] | None = None, **extra) -> Do:
    data = {
        "findings": "初核情况",
        "facts_established": "基本属实",
        "verification_proposal": proposal,
        "report_untrue": False,
        "signed_by": signed if signed is not None else TEAM,
    }
    return Do("verification_report", "handler", data | extra)


def verification_chain(*levels: str) -> tuple:
    tasks = {
        "dept": ("approve_verification_dept", "supervisor"),
        "leader": ("approve_verification_leader", "leader"),
        "committee": ("review_verification_close", "committee"),
        "principal": ("approve_verification_principal", "leader"),
        "party_head": ("approve_verification_party_head", "leader"),
    }
    out = []
    for level in levels:
        task, role = tasks[level]
        data = dict(APPROVE)
        if level == "party_head":
            data |= {"party_head_name": "示例高新区党工委书记", "party_head_approval_date": "2026-03-20"}
        if level == "committee":
            data |= {"meeting_date": "2026-03-20"}
        out += [Expect((task,)), Do(task, role, data)]
    return tuple(out)


def verification(proposal: str, **extra) -> tuple:
    """Plan, plan approval, report and the full approval of the report."""
    return (
        Expect(("verification_plan",)),
        verification_plan(),
        *approve("approve_verification_plan", "leader"),
        Expect(("verification_report",)),
        verification_report(proposal, **extra),
        *verification_chain("dept", "leader", "principal"),
    )


SHELVE_REVIEW_1 = "2026-06-02T10:00:00+08:00"  # shelved 2026-03-02 + 3 months, 09:00
SHELVE_REVIEW_2 = "2026-09-02T10:00:00+08:00"  # re-shelved 2026-06-02 + 3 months

SCENARIOS: dict[str, Scenario] = {
    # ------------------------------------------------------------- registration end states
    "forwarded_to_higher_body": Scenario(
        KEY,
        "intake",
        START,
        (
            *register({**CLUE_0001, "cadre_level": "县处级", "jurisdiction": "上级"}),
            Expect(("forward_clue",)),
            Do(
                "forward_clue",
                "intake",
                {
                    "forward_route": "转上级纪检监察机关（反映上级管理干部，已报本机关主要负责人）",
                    "forward_to": "示例市纪委监委信访室",
                    "forward_date": "2026-03-05",
                    "confidentiality_confirmed": True,
                },
            ),
            Expect(()),
        ),
        outcome="不予受理/转送",
    ),
    "not_accepted_out_of_scope": Scenario(
        KEY,
        "intake",
        START,
        (
            *register({**CLUE_0001, "jurisdiction": "非纪检", "allegation_summary": "民事借贷纠纷"}),
            Expect(("not_accepted",)),
            Do(
                "not_accepted",
                "intake",
                {
                    "not_accepted_reason": "属于仲裁、行政复议或诉讼程序",
                    "reason_note": "民事纠纷，告知向人民法院起诉",
                    "informant_notified": True,
                },
            ),
        ),
        outcome="不予受理/转送",
    ),
    "repeat_report_kept_on_file": Scenario(
        KEY,
        "intake",
        START,
        (
            *register(CLUE_0003),
            Expect(("keep_on_file",)),
            Do(
                "keep_on_file",
                "intake",
                {
                    "keep_reason": "重复检举",
                    "filing_note": "与XS-2024-0031反映问题相同，已有结论",
                    "periodic_notice": True,
                },
            ),
        ),
        outcome="留存备查",
    ),
    "no_content_kept_at_registration": Scenario(
        KEY,
        "intake",
        START,
        (
            *register({**CLUE_0002, "has_real_content": False}),
            Expect(("keep_on_file",)),
            Do("keep_on_file", "intake", {"keep_reason": "无实质内容", "filing_note": "无具体事实"}),
        ),
        outcome="留存备查",
    ),
    # ------------------------------------------------------------- screening: return to 信访 needs 分管领导
    "screening_return_after_revision": Scenario(
        KEY,
        "intake",
        START,
        (
            *register(CLUE_0001),
            Do("notify_acceptance", "intake", {"notice_date": "2026-03-03", "notice_method": "电话"}),
            Do("screen_clue", "handler", {"screen_result": "无实质内容", "screen_note": "未反映具体事实"}),
            Expect(("approve_screen_return",)),
            Do("approve_screen_return", "leader", ret("请核实是否有可查线索")),
            Expect(("screen_clue",)),
            Do(
                "screen_clue", "handler", {"screen_result": "无实质内容", "screen_note": "经核对仍无具体事实"}
            ),
            *approve("approve_screen_return", "leader"),
            *feedback(),
        ),
        outcome="留存备查",
    ),
    "screening_return_not_our_body": Scenario(
        KEY,
        "intake",
        START,
        (
            *register(CLUE_0002),
            Do(
                "screen_clue",
                "handler",
                {"screen_result": "不属于本机关受理", "screen_note": "属区人社局职责"},
            ),
            *approve("approve_screen_return", "leader"),
            Expect(()),
        ),
        outcome="不予受理/转送",
    ),
    # ------------------------------------------------------------- disposal chain
    "closed_no_action": Scenario(
        KEY,
        "intake",
        START,
        (*accept(CLUE_0001), *analyse(A_CLOSE, "予以了结"), *chain(*FULL), *feedback()),
        outcome="予以了结",
    ),
    "disposal_returned_at_each_level": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0002),
            Do("analyse_clue", "handler", A_INQUIRY),
            Do("collective_study", "committee", COLLECTIVE),
            refused(propose("予以了结"), "disposal", "override_reason"),  # differs from 谈话函询, no reason
            Expect(("propose_disposal",)),
            propose("予以了结", "被反映人已调离，反映问题无法查证"),
            Expect(("approve_disposal_dept",)),
            Do("approve_disposal_dept", "supervisor", ret("理由不充分")),
            Expect(("propose_disposal",)),
            propose("予以了结", "补充：知情人均已离职，无法查证"),
            *chain("dept"),
            Expect(("approve_disposal_leader",)),
            Do("approve_disposal_leader", "leader", ret("请补充调离时间")),
            propose("予以了结", "补充调离时间"),
            *chain("dept", "leader"),
            Expect(("approve_disposal_principal",)),
            Do("approve_disposal_principal", "leader", ret("请集体再议")),
            propose("予以了结", "已再议"),
            *chain(*FULL),
            Expect(()),
        ),
        outcome="予以了结",
    ),
    "analysed_out_of_jurisdiction_forwarded": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0002),
            *analyse(A_OUT, "转送/退回"),
            *chain("dept", "leader"),  # 转送/退回 is not in principal_approval_disposals by default
            Expect(("forward_clue",)),
            Do(
                "forward_clue",
                "intake",
                {
                    "forward_route": "转下级纪检监察机关",
                    "forward_to": "样板街道纪工委",
                    "forward_date": "2026-03-04",
                    "confidentiality_confirmed": True,
                },
            ),
        ),
        outcome="不予受理/转送",
    ),
    "analysed_no_substance_filed": Scenario(
        KEY,
        "intake",
        START,
        (*accept(CLUE_0001), *analyse(A_NOSUB, "留存备查"), *chain("dept", "leader"), *feedback()),
        outcome="留存备查",
    ),
    # ------------------------------------------------------------- 谈话函询
    "inquiry_letter_accepted_with_clearance": Scenario(  # XS-2025-0002: reply in 12 wd → 采信了结
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0002),
            *analyse(A_INQUIRY, "谈话函询"),
            *chain(*FULL),
            Expect(("inquiry_plan",)),
            inquiry_plan("函询"),
            Expect(("approve_inquiry_plan",)),
            Do("approve_inquiry_plan", "supervisor", ret("工作预案不具体")),
            inquiry_plan("函询"),
            *approve("approve_inquiry_plan", "supervisor"),
            *letter("2026-03-02"),
            Wait("2026-03-18T10:00:00+08:00"),  # 12th working day: not yet overdue
            Expect(("record_letter_reply",)),
            reply("2026-03-18"),
            Expect(("inquiry_report",)),
            inquiry_report("采信了结", request_clearance=True),
            Expect(("approve_inquiry_report_principal",)),
            Do("approve_inquiry_report_principal", "leader", ret("请补充抽查核实情况")),
            inquiry_report("采信了结", request_clearance=True, spot_checked=True),
            *approve("approve_inquiry_report_principal", "leader"),
            Expect(("notify_subject_closure",)),
            Do("notify_subject_closure", "handler", {"closure_letter_date": "2026-03-20"}),
            Expect(()),
        ),
        outcome="谈话函询了结",
        measures=('谈话函询了结',),
        links=("false_report_clearance",),
    ),
    "inquiry_letter_overdue_then_first_form": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0002),
            *analyse(A_INQUIRY, "谈话函询"),
            *chain(*FULL),
            inquiry_plan("函询"),
            *approve("approve_inquiry_plan", "supervisor"),
            *letter("2026-03-02"),
            Wait("2026-03-23T18:00:00+08:00"),  # 15th working day, still within the limit
            Expect(("record_letter_reply",)),
            Wait("2026-03-24T09:00:00+08:00"),  # overdue → escalation
            Expect(("escalate_overdue_reply",)),
            Do(
                "escalate_overdue_reply",
                "supervisor",
                {"overdue_action": "催告并限期回复", "urge_note": "电话催告"},
            ),
            Expect(("record_letter_reply",)),
            reply("2026-03-27"),
            inquiry_report("第一种形态处理", first_form_measure="诫勉"),
            *approve("approve_inquiry_report_principal", "leader"),
            Expect(()),
        ),
        outcome="第一种形态处理",
        links=("four_forms_disposition",),
    ),
    "inquiry_letter_overdue_twice_to_verification_transfer": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0002),
            *analyse(A_INQUIRY, "谈话函询"),
            *chain(*FULL),
            inquiry_plan("函询"),
            *approve("approve_inquiry_plan", "supervisor"),
            *letter("2026-03-02"),
            Wait("2026-03-24T09:00:00+08:00"),
            Do(
                "escalate_overdue_reply",
                "supervisor",
                {"overdue_action": "催告并限期回复", "urge_note": "书面催告"},
            ),
            Wait("2026-04-01T09:00:00+08:00"),  # 5 working days after 2026-03-24 = 2026-03-31
            Expect(("escalate_overdue_reply",)),
            Do(
                "escalate_overdue_reply",
                "supervisor",
                {"overdue_action": "转初步核实", "urge_note": "拒不说明"},
            ),
            Expect(("propose_disposal",)),
            propose("初步核实"),
            *chain(*FULL),
            *verification("移送有关党组织或部门"),
            Expect(("transfer_to_organisation",)),
            Do(
                "transfer_to_organisation",
                "handler",
                {"transfer_target": "样板街道党工委", "transfer_date": "2026-04-10"},
            ),
            Expect(()),
        ),
        outcome="移送有关组织",
    ),
    "inquiry_talk_first_form": Scenario(
        KEY,
        "intake",
        {"settings": {"talk_team_min": 3}},  # a body requiring three talkers
        (
            *accept(CLUE_0001),
            *analyse(A_INQUIRY, "谈话函询"),
            *chain(*FULL),
            refused(inquiry_plan("谈话"), "inquiry_method", "talkers"),  # two talkers, fewer than the setting
            Expect(("inquiry_plan",)),
            inquiry_plan("谈话", TEAM3),
            *approve("approve_inquiry_plan", "supervisor"),
            Expect(("conduct_talk",)),
            talk(),
            inquiry_report("第一种形态处理", first_form_measure="批评教育"),
            *approve("approve_inquiry_report_principal", "leader"),
            *feedback(),
        ),
        outcome="第一种形态处理",
        links=("four_forms_disposition",),
    ),
    "inquiry_repeated_then_false_accusation": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0002),
            *analyse(A_INQUIRY, "谈话函询"),
            *chain(*FULL),
            inquiry_plan("谈话"),
            *approve("approve_inquiry_plan", "supervisor"),
            talk(),
            inquiry_report("再次谈话函询"),
            *approve("approve_inquiry_report_principal", "leader"),
            Expect(("inquiry_plan",)),
            inquiry_plan("函询"),
            *approve("approve_inquiry_plan", "supervisor"),
            *letter("2026-03-04"),
            reply("2026-03-10"),
            inquiry_report("涉嫌诬告陷害"),
            *approve("approve_inquiry_report_principal", "leader"),
            Do("notify_subject_closure", "handler", {"closure_letter_date": "2026-03-12"}),
            Expect(()),
        ),
        outcome="谈话函询了结",
        links=("false_report_clearance",),
    ),
    "inquiry_then_verification_case_opened": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0001),
            *analyse(A_INQUIRY, "谈话函询"),
            *chain(*FULL),
            inquiry_plan("谈话"),
            *approve("approve_inquiry_plan", "supervisor"),
            talk(),
            inquiry_report("初步核实"),
            *approve("approve_inquiry_report_principal", "leader"),
            Expect(("propose_disposal",)),
            propose("初步核实"),
            *chain(*FULL),
            *verification("拟立案审查调查"),
            *feedback(),
        ),
        outcome="立案审查调查",
        links=("four_forms_disposition",),
    ),
    # ------------------------------------------------------------- 初步核实
    "verification_case_opened_with_returns": Scenario(  # XS-2025-0001
        KEY,
        "intake",
        {"settings": {"verification_team_min": 3}},  # a body requiring a team of three
        (
            *accept(CLUE_0001),
            *analyse(A_VERIFY, "初步核实"),
            *chain(*FULL),
            Expect(("verification_plan",)),
            refused(verification_plan(), "team_members"),  # team of two, fewer than the setting
            Expect(("verification_plan",)),
            verification_plan(TEAM3),
            Expect(("approve_verification_plan",)),
            Do("approve_verification_plan", "leader", ret("核查范围过宽")),
            verification_plan(TEAM3),
            *approve("approve_verification_plan", "leader"),
            refused(verification_report("拟立案审查调查"), "signed_by"),  # two of the three members signed
            Expect(("verification_report",)),
            verification_report("拟立案审查调查", TEAM3),
            Expect(("approve_verification_dept",)),
            Do("approve_verification_dept", "supervisor", ret("证据目录不全")),
            verification_report("拟立案审查调查", TEAM3),
            *verification_chain("dept"),
            Expect(("approve_verification_leader",)),
            Do("approve_verification_leader", "leader", ret("请补充车辆使用记录")),
            verification_report("拟立案审查调查", TEAM3),
            *verification_chain("dept", "leader"),
            Expect(("approve_verification_principal",)),
            Do("approve_verification_principal", "leader", ret("请明确涉嫌违反的条款")),
            verification_report("拟立案审查调查", TEAM3),
            *verification_chain("dept", "leader", "principal"),
            *feedback(),
        ),
        outcome="立案审查调查",
        links=("four_forms_disposition",),
    ),
    "verification_reminder_talk": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0002),
            *analyse(A_VERIFY, "初步核实"),
            *chain(*FULL),
            *verification("谈话提醒"),
            Expect(()),
        ),
        outcome="第一种形态处理",
        links=("four_forms_disposition",),
    ),
    "verification_closed_report_false": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0001),
            *analyse(A_VERIFY, "初步核实"),
            *chain(*FULL),
            *verification("予以了结", facts_established="不属实", report_untrue=True, request_clearance=True,
                          face_to_face=True),
            *feedback(),
        ),
        outcome="予以了结",
        links=("false_report_clearance",),
        measures=("面对面初核了结",),  # issue 15 correction 9: a form-1 outcome recorded on the cadre
    ),
    "verification_shelved_by_committee_then_archived": Scenario(
        KEY,
        "intake",
        {"settings": {"committee_decides_verification_close": True}},
        (
            *accept(CLUE_0002),
            *analyse(A_VERIFY, "初步核实"),
            *chain(*FULL),
            verification_plan(),
            *approve("approve_verification_plan", "leader"),
            verification_report("暂存待查"),
            *verification_chain("dept", "leader"),
            Expect(("review_verification_close",)),
            Do(
                "review_verification_close",
                "committee",
                ret("证据条件可能近期具备，请明确复查要点") | {"meeting_date": "2026-03-20"},
            ),
            Expect(("verification_report",)),
            verification_report("暂存待查"),
            *verification_chain("dept", "leader", "committee", "principal"),
            Expect(("shelved_pending",)),
            Wait(SHELVE_REVIEW_1),
            Expect(("periodic_review",)),
            Do(
                "periodic_review",
                "supervisor",
                {"review_decision": "暂存归档", "review_note": "条件仍不具备，归档"},
            ),
            Expect(()),
        ),
        outcome="暂存待查",
    ),
    "verification_overdue_extended_then_limited": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0002),
            *analyse(A_VERIFY, "初步核实"),
            *chain(*FULL),
            verification_plan(),
            *approve("approve_verification_plan", "leader"),
            Expect(("verification_report",)),
            Wait("2026-05-02T20:00:00+08:00"),  # 初核 due 2026-05-02 23:59:59 (plan approved 2026-03-02)
            Expect(("verification_report",)),
            Wait("2026-05-03T09:00:00+08:00"),
            Expect(("request_verification_extension",)),
            Do("request_verification_extension", "handler", {"extension_reason": "需调取银行流水"}),
            *approve("approve_verification_extension", "leader"),  # extended to 2026-06-02
            Expect(("verification_report",)),
            Wait("2026-06-03T09:00:00+08:00"),
            Do("request_verification_extension", "handler", {"extension_reason": "仍需补充材料"}),
            Expect(("approve_verification_extension",)),
            Do("approve_verification_extension", "leader", ret("不再延长，限期报告")),
            Expect(("verification_report",)),  # due 5 working days after 2026-06-03
            verification_report("予以了结", facts_established="无法查证"),
            *verification_chain("dept", "leader", "principal"),
            Expect(()),
        ),
        outcome="予以了结",
    ),
    # ------------------------------------------------------------- subject heads a lower party committee
    "lower_party_head_verification_higher_approval": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_LOWER_HEAD),
            *analyse(A_VERIFY, "初步核实"),
            *chain(*FULL),
            Expect(("approve_disposal_party_head",)),
            Do(
                "approve_disposal_party_head",
                "leader",
                ret("请补充基本事实")
                | {"party_head_name": "示例高新区党工委书记", "party_head_approval_date": "2026-03-03"},
            ),
            Expect(("propose_disposal",)),
            propose("初步核实"),
            *chain("dept", "leader", "principal", "party_head"),
            verification_plan(),
            *approve("approve_verification_plan", "leader"),
            verification_report("拟立案审查调查"),
            *verification_chain("dept", "leader", "principal"),
            Expect(("approve_verification_party_head",)),
            Do(
                "approve_verification_party_head",
                "leader",
                ret("请补充证据")
                | {"party_head_name": "示例高新区党工委书记", "party_head_approval_date": "2026-03-20"},
            ),
            Expect(("verification_report",)),
            verification_report("拟立案审查调查"),
            *verification_chain("dept", "leader", "principal", "party_head"),
            *feedback(),
        ),
        outcome="立案审查调查",
        links=("four_forms_disposition",),
    ),
    "lower_party_head_inquiry_needs_principal": Scenario(
        KEY,
        "intake",
        {"settings": {"principal_approval_disposals": []}},
        (
            *accept({**CLUE_LOWER_HEAD, "is_real_name": False}),
            *analyse(A_INQUIRY, "谈话函询"),
            *chain("dept", "leader"),
            Expect(("approve_disposal_principal",)),  # required for a lower party head despite the setting
            Do("approve_disposal_principal", "leader", APPROVE),
            Expect(("inquiry_plan",)),  # no 同级党委 approval for 谈话函询
            inquiry_plan("谈话"),
            *approve("approve_inquiry_plan", "supervisor"),
            talk(),
            inquiry_report("采信了结"),
            *approve("approve_inquiry_report_principal", "leader"),
            Do("notify_subject_closure", "handler", {"closure_letter_date": "2026-03-06"}),
            Expect(()),
        ),
        outcome="谈话函询了结",
        measures=('谈话函询了结',),
    ),
    "settings_skip_principal_for_ordinary_subject": Scenario(
        KEY,
        "intake",
        {"settings": {"principal_approval_disposals": []}},
        (*accept(CLUE_0001), *analyse(A_CLOSE, "予以了结"), *chain("dept", "leader"), *feedback()),
        outcome="予以了结",
    ),
    "settings_department_head_only": Scenario(  # approval levels are settings, not code
        KEY,
        "intake",
        {
            "settings": {
                "leader_approval_disposals": ["谈话函询", "初步核实"],
                "principal_approval_disposals": [],
            }
        },
        (*accept(CLUE_0002), *analyse(A_NOSUB, "留存备查"), *chain("dept"), Expect(())),
        outcome="留存备查",
    ),
    # ------------------------------------------------------------- 暂存待查
    "shelved_review_continue_then_reopen": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0001),
            *analyse(A_SHELVE, "暂存待查"),
            *chain(*FULL),
            Expect(("shelved_pending",)),
            Wait("2026-06-01T10:00:00+08:00"),
            Expect(("shelved_pending",)),
            Wait(SHELVE_REVIEW_1),
            Expect(("periodic_review",)),
            Do(
                "periodic_review",
                "supervisor",
                {"review_decision": "继续暂存待查", "review_note": "条件尚不具备"},
            ),
            Expect(("shelved_pending",)),
            Wait(SHELVE_REVIEW_2),
            Expect(("periodic_review",)),
            Do(
                "periodic_review",
                "supervisor",
                {"review_decision": "重新启动处置", "review_note": "关键证人已可联系"},
            ),
            Expect(("analyse_clue",)),
            *analyse(A_CLOSE, "予以了结"),
            *chain(*FULL),
            *feedback(),
        ),
        outcome="予以了结",
    ),
    "shelved_reopened_on_new_evidence": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0002),
            *analyse(A_SHELVE, "暂存待查"),
            *chain(*FULL),
            Expect(("shelved_pending",)),
            Wait("2026-04-15T10:00:00+08:00"),
            Do(
                "shelved_pending",
                "handler",
                {"new_evidence_date": "2026-04-15", "new_evidence_summary": "收到新的举报材料"},
            ),
            Expect(("analyse_clue",)),
            *analyse(A_INQUIRY, "谈话函询"),
            *chain(*FULL),
            inquiry_plan("谈话"),
            *approve("approve_inquiry_plan", "supervisor"),
            talk("2026-04-16"),
            inquiry_report("采信了结"),
            *approve("approve_inquiry_report_principal", "leader"),
            Do("notify_subject_closure", "handler", {"closure_letter_date": "2026-04-20"}),
            Expect(()),
        ),
        outcome="谈话函询了结",
        measures=('谈话函询了结',),
    ),
    "shelved_archived": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0001),
            *analyse(A_SHELVE, "暂存待查"),
            *chain(*FULL),
            Wait(SHELVE_REVIEW_1),
            Do("periodic_review", "supervisor", {"review_decision": "暂存归档", "review_note": "归档"}),
            *feedback(),
        ),
        outcome="暂存待查",
    ),
    "shelved_still_open": Scenario(
        KEY,
        "intake",
        START,
        (*accept(CLUE_0002), *analyse(A_SHELVE, "暂存待查"), *chain(*FULL), Expect(("shelved_pending",))),
        outcome=None,
    ),
    # ------------------------------------------------------------- feedback objection with new evidence
    "feedback_objection_reopens": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0001),
            *analyse(A_CLOSE, "予以了结"),
            *chain(*FULL),
            *feedback(objection_new_evidence=True),
            Expect(("analyse_clue",)),
            *analyse(A_NOSUB, "留存备查"),
            *chain("dept", "leader"),
            *feedback(),
        ),
        outcome="留存备查",
    ),
    # ------------------------------------------------------------- the 函询 reply clock starts on receipt
    "inquiry_letter_received_a_week_after_sending": Scenario(
        KEY,
        "intake",
        START,
        (
            *accept(CLUE_0002),
            *analyse(A_INQUIRY, "谈话函询"),
            *chain(*FULL),
            inquiry_plan("函询"),
            *approve("approve_inquiry_plan", "supervisor"),
            Expect(("send_inquiry_letter",)),
            *letter("2026-03-02", received="2026-03-09"),
            Wait("2026-03-24T09:00:00+08:00"),  # overdue if counted from sending; 11th working day since receipt
            Expect(("record_letter_reply",)),
            Wait("2026-03-31T09:00:00+08:00"),  # 15 working days after 2026-03-09 end on 2026-03-30
            Expect(("escalate_overdue_reply",)),
            Do("escalate_overdue_reply", "supervisor", {"overdue_action": "催告并限期回复", "urge_note": "电话催告"}),
            reply("2026-04-01"),
            inquiry_report("采信了结"),
            *approve("approve_inquiry_report_principal", "leader"),
            Do("notify_subject_closure", "handler", {"closure_letter_date": "2026-04-02"}),
            Expect(()),
        ),
        outcome="谈话函询了结",
        measures=('谈话函询了结',),
    ),
    # ------------------------------------------------- closure approved at the level that opened the case
    "inquiry_opened_by_leader_is_closed_by_leader": Scenario(
        KEY,
        "intake",
        {"settings": {"principal_approval_disposals": ["初步核实"]}},
        (
            *accept(CLUE_0001),
            *analyse(A_INQUIRY, "谈话函询"),
            *chain("dept", "leader"),
            inquiry_plan("谈话"),
            *approve("approve_inquiry_plan", "supervisor"),
            talk(),
            inquiry_report("采信了结"),
            Expect(("approve_inquiry_report",)),
            Do("approve_inquiry_report", "leader", ret("请补充谈话中核实的情况")),
            inquiry_report("采信了结"),
            *approve("approve_inquiry_report", "leader"),
            Do("notify_subject_closure", "handler", {"closure_letter_date": "2026-03-06"}),
            *feedback(),
        ),
        outcome="谈话函询了结",
        measures=('谈话函询了结',),
    ),
    "opened_by_department_head_closed_and_verified_at_that_level": Scenario(
        KEY,
        "intake",
        {"settings": {"leader_approval_disposals": [], "principal_approval_disposals": []}},
        (
            *accept(CLUE_0001),
            *analyse(A_INQUIRY, "谈话函询"),
            *chain("dept"),
            inquiry_plan("谈话"),
            *approve("approve_inquiry_plan", "supervisor"),
            talk(),
            inquiry_report("初步核实"),
            *approve("approve_inquiry_report_dept", "supervisor"),
            propose("初步核实"),
            *chain("dept"),
            verification_plan(),
            Expect(("approve_verification_plan_dept",)),
            Do("approve_verification_plan_dept", "supervisor", ret("核查范围过宽")),
            verification_plan(),
            *approve("approve_verification_plan_dept", "supervisor"),
            verification_report("谈话提醒"),
            *verification_chain("dept", "leader", "principal"),
            *feedback(),
        ),
        outcome="第一种形态处理",
        links=("four_forms_disposition",),
    ),
    "verification_opened_by_leader_plan_approved_by_leader": Scenario(
        KEY,
        "intake",
        {"settings": {"principal_approval_disposals": ["谈话函询"]}},
        (
            *accept(CLUE_0001),
            *analyse(A_VERIFY, "初步核实"),
            *chain("dept", "leader"),
            verification_plan(),
            Expect(("approve_verification_plan_leader",)),
            Do("approve_verification_plan_leader", "leader", ret("请明确核查措施")),
            verification_plan(),
            *approve("approve_verification_plan_leader", "leader"),
            # 基本属实 together with 反映问题失实 contradicts itself: refused, naming both fields
            refused(verification_report("予以了结", report_untrue=True), "facts_established", "report_untrue"),
            Expect(("verification_report",)),
            verification_report("予以了结", facts_established="不属实", report_untrue=True),
            *verification_chain("dept", "leader", "principal"),
            *feedback(),
        ),
        outcome="予以了结",
    ),
}
