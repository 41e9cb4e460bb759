"""Scenarios for fault_tolerance (容错纠错, domain.md §4).

Covers the three triggers, acceptance and non-acceptance, full / partial / no tolerance, a return at every
approval level (分管领导, 集体研究, 主要负责人), the team-size guard, the verification timer (extension and
then urge), correction done, not corrected, and the correction-deadline timer escalating to 问责 with a
linked four_forms_disposition case.
"""

from __future__ import annotations

from . import Do, Expect, Refused, Scenario, Wait

KEY = "fault_tolerance"
APPROVE = {"decision": "approve"}
START = {"settings": {}}


def ret(opinion: str) -> dict:
    return {"decision": "return", "opinion": opinion}


def register(start_type: str, name: str, unit: str, post: str, matter: str, **extra) -> Do:
    data = {
        "start_type": start_type,
        "subject_name": name,
        "subject_unit": unit,
        "subject_post": post,
        "received_date": "2026-03-02",
        "matter_description": matter,
        **extra,
    }
    if start_type != "问责中依职权启动":
        data.setdefault("accountability_notice_date", "2026-02-26")
    return Do("register_matter", "handler", data)


ZHOU = ("周虚拟", "虚拟科技局", "副局长", "“免申即享”试点向 2 家不符合条件企业拨付补贴。")
WU = ("吴假设", "样板街道", "副主任", "征收拆迁进度滞后。")
ZHENG = ("郑占位", "演示平台公司", "副总经理", "拆分合同规避招标。")


def verify(**overrides) -> Do:
    data = {
        "team_members": "孙演示、钱样本",
        "team_size": 2,
        "dim_motive": "为推进改革，出于公心。",
        "dim_conditions": "政策试点，无先例可循。",
        "dim_procedure": "经局党组会集体研究。",
        "dim_nature": "探索性失误。",
        "dim_consequences": "多拨补贴 12 万元。",
        "dim_remedy": "已全额追回。",
        "personal_gain": False,
        "violated_explicit_ban": False,
        "integrity_violation": False,
        "procedure_followed": True,
        "major_loss": False,
        "remedied_actively": True,
        "art17_category": "改革创新探索性失误",
        "superior_decision_obviously_unlawful": False,
        "prior_similar_errors_count": 0,
        "verification_report": "核实组两人签名的核实情况报告。",
    }
    data.update(overrides)
    return Do("verify", "handler", data)


DRAFT = Do("draft_finding", "handler", {"finding_proposal": "建议按规则结果认定。"})
LEAD_OK = Do("review_leader", "leader", APPROVE)
COMMITTEE_OK = Do("collective_review", "committee", {**APPROVE, "meeting_date": "2026-03-02"})
PRIN_OK = Do("sign_principal", "leader", APPROVE)
DECIDE = (DRAFT, LEAD_OK, COMMITTEE_OK, PRIN_OK)
ACCEPT = Do("accept_review", "supervisor", {"acceptance": "受理"})


def feedback(correction: bool) -> Do:
    return Do(
        "written_feedback",
        "handler",
        {
            "feedback_date": "2026-03-02",
            "notified_cadre_and_unit": True,
            "reported_to_commission": True,
            "copied_to_org_dept": True,
            "result_applied_in": ["年度考核", "选拔任用"],
            "needs_correction": correction,
        },
    )


ISSUE = Do(
    "issue_correction",
    "handler",
    {
        "correction_requirements": "30 日内修订补贴申领规则。",
        "correction_workdays": 20,
        "correction_issued_on": "2026-03-02",
    },
)
ESCALATE = Do(
    "escalate_accountability",
    "leader",
    {"escalation_reason": "逾期未修订规则。", "accountability_measures_suggested": "诫勉"},
)

SCENARIOS = {
    # 周虚拟: ex officio during 问责, full tolerance (art.17 reform), correction ordered and done.
    "ex_officio_full_tolerance_corrected": Scenario(
        KEY,
        "handler",
        START,
        (
            register("问责中依职权启动", *ZHOU),
            Expect(("verify",)),
            verify(),
            *DECIDE,
            feedback(True),
            ISSUE,
            Expect(("track_correction",)),
            Do(
                "track_correction",
                "handler",
                {"corrected": True, "correction_evidence": "已印发修订后的规则。"},
            ),
        ),
        outcome="免予问责",
    ),
    # 吴假设: written application, force majeure (flood), no correction needed.
    "application_force_majeure_no_correction": Scenario(
        KEY,
        "intake",
        START,
        (
            register("书面申请", *WU),
            Expect(("accept_review",)),
            ACCEPT,
            verify(
                art17_category="不可抗力或难以预见因素",
                remedied_actively=False,
                dim_conditions="汛期洪水导致停工。",
            ),
            *DECIDE,
            feedback(False),
        ),
        outcome="不予问责",
    ),
    # 郑占位: knew the explicit ban → excluded → 不予容错.
    "explicit_ban_not_tolerated": Scenario(
        KEY,
        "handler",
        START,
        (
            register("书面申请", *ZHENG),
            ACCEPT,
            verify(violated_explicit_ban=True, art17_category="不适用", procedure_followed=False),
            *DECIDE,
            feedback(False),
        ),
        outcome="不予容错",
    ),
    # Appeal: major loss but actively remedied → partial (art.18).
    "appeal_partial_tolerance": Scenario(
        KEY,
        "handler",
        START,
        (
            register("申诉", *WU),
            ACCEPT,
            verify(art17_category="不适用", major_loss=True, remedied_actively=True),
            *DECIDE,
            feedback(False),
        ),
        outcome="从轻减轻问责",
    ),
    # Repeat error exclusion.
    "repeat_error_not_tolerated": Scenario(
        KEY,
        "handler",
        START,
        (
            register("问责中依职权启动", *ZHOU),
            verify(prior_similar_errors_count=1),
            *DECIDE,
            feedback(False),
        ),
        outcome="不予容错",
    ),
    # Application out of scope → 不予受理.
    "application_not_accepted": Scenario(
        KEY,
        "handler",
        START,
        (
            register("书面申请", *ZHENG, accountability_notice_date="2026-01-05"),
            Do(
                "accept_review",
                "supervisor",
                {"acceptance": "不予受理", "acceptance_reason": "超出申请时限。"},
            ),
        ),
        outcome="不予受理",
    ),
    # Returns at 分管领导, 集体研究 and 主要负责人, each back to the finding proposal.
    "returns_at_every_level": Scenario(
        KEY,
        "handler",
        START,
        (
            register("问责中依职权启动", *ZHOU),
            verify(),
            DRAFT,
            Do("review_leader", "leader", ret("请补充决策过程材料分析。")),
            Expect(("draft_finding",)),
            DRAFT,
            LEAD_OK,
            Do(
                "collective_review",
                "committee",
                {**ret("请说明损失追回情况。"), "meeting_date": "2026-03-02"},
            ),
            Expect(("draft_finding",)),
            DRAFT,
            LEAD_OK,
            COMMITTEE_OK,
            Do("sign_principal", "leader", ret("文字请再斟酌。")),
            Expect(("draft_finding",)),
            *DECIDE,
            feedback(False),
        ),
        outcome="免予问责",
    ),
    # The verification team has 1 member (< min_team_size 2): refused (422), then done with a full team.
    "team_too_small_refused": Scenario(
        KEY,
        "handler",
        START,
        (
            register("问责中依职权启动", *ZHOU),
            Refused("verify", "handler", verify(team_members="孙演示", team_size=1).data,
                    ("team_members", "team_size")),
            Expect(("verify",)),
            verify(),
            *DECIDE,
            feedback(False),
        ),
        outcome="免予问责",
    ),
    # Verification due 2026-03-23 (15 wd): overdue → extended once (15 wd → 2026-04-15), overdue again →
    # urged (3 wd), then done.
    "verification_timer_extended_then_urged": Scenario(
        KEY,
        "handler",
        START,
        (
            register("问责中依职权启动", *ZHOU),
            Expect(("verify",)),
            Wait("2026-03-23T20:00:00+08:00"),
            Expect(("verify",)),
            Wait("2026-03-24T09:00:00+08:00"),
            Expect(("urge_verification",)),
            Do("urge_verification", "supervisor", {"overdue_note": "同意延长一次。"}),
            Expect(("verify",)),
            Wait("2026-04-15T09:00:00+08:00"),
            Expect(("verify",)),
            Wait("2026-04-16T09:00:00+08:00"),
            Expect(("urge_verification",)),
            Do("urge_verification", "supervisor", {"overdue_note": "限三个工作日内完成。"}),
            verify(),
            *DECIDE,
            feedback(False),
        ),
        outcome="免予问责",
    ),
    # Correction recorded as not done → escalate to 问责 (linked four_forms_disposition case).
    "correction_not_done_escalated": Scenario(
        KEY,
        "handler",
        START,
        (
            register("问责中依职权启动", *ZHOU),
            verify(),
            *DECIDE,
            feedback(True),
            ISSUE,
            Do("track_correction", "handler", {"corrected": False, "correction_evidence": "规则未修订。"}),
            Expect(("escalate_accountability",)),
            ESCALATE,
        ),
        outcome="逾期未纠错转入问责",
        links=("four_forms_disposition",),
    ),
    # Correction deadline (20 wd from 2026-03-02 → 2026-03-30 23:59:59) passes → escalate.
    "correction_timer_escalated": Scenario(
        KEY,
        "handler",
        START,
        (
            register("问责中依职权启动", *ZHOU),
            verify(),
            *DECIDE,
            feedback(True),
            ISSUE,
            Expect(("track_correction",)),
            Wait("2026-03-30T23:00:00+08:00"),
            Expect(("track_correction",)),
            Wait("2026-03-31T09:00:00+08:00"),
            Expect(("escalate_accountability",)),
            ESCALATE,
        ),
        outcome="逾期未纠错转入问责",
        links=("four_forms_disposition",),
    ),
    # Setting: no 集体研究 for 容错认定 (collective_required=False) → 分管领导 then 主要负责人.
    "setting_without_collective": Scenario(
        KEY,
        "handler",
        {"settings": {"collective_required": False}},
        (
            register("问责中依职权启动", *ZHOU),
            verify(),
            DRAFT,
            LEAD_OK,
            Expect(("sign_principal",)),
            PRIN_OK,
            feedback(False),
        ),
        outcome="免予问责",
    ),
    # The rule finds 免予问责 (exploratory mistake); the collective decision changes it to 从轻减轻问责 with a
    # reason (a change without a reason is refused), the principal signs the changed result.
    "collective_changes_the_result_with_a_reason": Scenario(
        KEY,
        "handler",
        START,
        (
            register("问责中依职权启动", *ZHOU),
            verify(),
            DRAFT,
            LEAD_OK,
            Refused("collective_review", "committee",
                    {"decision": "change", "decided_result": "从轻减轻问责", "meeting_date": "2026-03-02"},
                    ("decided_result", "change_reason")),
            Refused("collective_review", "committee",
                    {"decision": "change", "decided_result": "免予问责", "change_reason": "同上",
                     "meeting_date": "2026-03-02"},
                    ("decision", "decided_result")),
            Do("collective_review", "committee",
               {"decision": "change", "decided_result": "从轻减轻问责", "meeting_date": "2026-03-02",
                "meeting_minutes_no": "纪工委会〔2026〕2号",
                "change_reason": "试点中多拨补贴的审核环节存在明显疏漏，不宜全部免责。"}),
            Expect(("sign_principal",)),
            PRIN_OK,
            feedback(False),
        ),
        outcome="从轻减轻问责",
    ),
}
