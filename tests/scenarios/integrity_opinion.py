"""Scenarios for `integrity_opinion` (党风廉政意见回复, domain.md §7): the three reply types read from the
cadre records (each scenario's `history`: what earlier cases recorded), several candidates in one letter, the
return of an incomplete request, every approval/return branch, the re-check loop, the approval-level setting
and the overdue-reply timer.

Default clock 2026-03-02 09:00 (Mon); a request received that day is due at the end of the third working
day, 2026-03-05 23:59:59 (setting `reply_workdays` = 3).
"""

from __future__ import annotations

from tests.scenarios import Do, Expect, PastCase, Sanction, Scenario, Wait

KEY = 'integrity_opinion'
APPROVE = {'decision': 'approve'}
ALL_SOURCES = ['廉政档案', '问题线索台账', '案件监督管理数据库', '处分决定及影响期', '在办初核和立案情况']

CANDIDATES = {
    '郝测试': ('虚拟招商局', '科长', '虚拟招商局副局长'),
    '吴假设': ('样板街道', '副主任', '样板街道主任'),
    '钱样本': ('样板街道', '副主任', '样板街道党工委委员'),
    '孙演示': ('演示产业园', '科员', '演示产业园副科长'),
}


def start(name: str, **settings) -> dict:
    return {'title': f'党风廉政意见回复：{name}', 'subject_name': name, 'subject_unit': CANDIDATES[name][0],
            'settings': dict(settings)}


def register(name: str, *, complete: bool = True, received: str = '2026-03-02') -> Do:
    unit, post, proposed = CANDIDATES[name]
    return Do('register_request', 'intake', {
        'request_no': '组干函〔2026〕12号',
        'requesting_dept': '示例高新区党工委组织部',
        'received_date': received,
        'subject_name': name,
        'subject_unit': unit,
        'subject_post': post,
        'proposed_post': proposed,
        'request_stamped': True,
        'appointment_form_attached': complete,
    })


def check(notes: str = '已逐项核查。') -> Do:
    """The handler confirms the paper files were checked; the records are read by the service (issue 15)."""
    return Do('check_records', 'handler', {'checked_sources': ALL_SOURCES, 'check_notes': notes})


def register_several(first: str, *others: str) -> Do:
    """One letter asking about several candidates (a 组织部 letter usually does)."""
    step = register(first)
    lines = [f"{name}，{CANDIDATES[name][0]}，{CANDIDATES[name][1]}，{CANDIDATES[name][2]}" for name in others]
    return Do(step.task, step.role, {**step.data, 'more_candidates': lines})


# Cadre records the scenarios start from (what earlier cases recorded).
HAO_WARNING_IN_FORCE = Sanction('郝测试', '虚拟招商局', '党内警告', '2025-06-10', 12)  # 影响期至 2026-06-09
HAO_WARNING_EXPIRED = Sanction('郝测试', '虚拟招商局', '党内警告', '2024-06-10', 12)   # 届满 2025-06-09
WU_VERIFICATION = PastCase('吴假设', '样板街道', 'clue_handling', 'open', in_verification=True)
WU_CASE_OPENED = (PastCase('吴假设', '样板街道', 'clue_handling', 'completed', '立案审查调查', 'XS-2025-0009'),
                  PastCase('吴假设', '样板街道', 'four_forms_disposition', 'open', clue_no='XS-2025-0009'))
QIAN_CLEARED = (PastCase('钱样本', '样板街道', 'clue_handling', 'completed', '谈话函询了结', 'XS-2025-0002'),
                PastCase('钱样本', '样板街道', 'false_report_clearance', 'completed', '已澄清正名'))
HAO_OPEN_CLUE = PastCase('郝测试', '虚拟招商局', 'clue_handling', 'open', clue_no='XS-2026-0031')
SUN_ADMONISHED = Sanction('孙演示', '演示产业园', '诫勉', '2026-01-05')


def draft(text: str = '经核查，提出回复意见如下。', recheck: bool = False) -> Do:
    return Do('draft_reply', 'handler', {'reply_text': text, 'recheck_needed': recheck})


def ret(task: str, role: str, opinion: str) -> Do:
    return Do(task, role, {'decision': 'return', 'opinion': opinion})




def issue(date: str = '2026-03-04') -> Do:
    return Do('issue_reply', 'intake', {'reply_no': '纪工委函〔2026〕5号', 'reply_date': date,
                                        'reply_stamped': True, 'archived_with_request': True})


ISSUE = issue()
APPROVALS = (
    Do('department_study', 'supervisor', APPROVE),
    Do('approve_reply', 'leader', APPROVE),
)

SCENARIOS = {
    # 郝测试 (党内警告 still in its 影响期 when the check is made) → 不宜提拔任用.
    'in_impact_period_not_suitable': Scenario(KEY, 'intake', start('郝测试'), (
        Expect(('register_request',)),
        register('郝测试'),
        Expect(('check_records',)),
        check(),
        draft('该同志受党内警告处分，尚在影响期内，不宜提拔任用。'),
        *APPROVALS,
        ISSUE,
    ), outcome='不宜提拔任用', history=(HAO_WARNING_IN_FORCE,)),

    # The same 党内警告 two years earlier: its 影响期 ended 2025-06-10, so it is no obstacle, and the reply
    # says the sanction expired instead of "no sanction record".
    'expired_sanction_no_obstacle': Scenario(KEY, 'intake', start('郝测试'), (
        register('郝测试'),
        check(),
        draft('该同志曾受党内警告处分，影响期已届满，暂未发现影响提拔任用的问题。'),
        *APPROVALS,
        ISSUE,
    ), outcome='暂未发现影响提拔任用的问题', history=(HAO_WARNING_EXPIRED,)),

    # 吴假设 (初核 open) → 建议暂缓.
    'verification_open_deferred': Scenario(KEY, 'handler', start('吴假设'), (
        register('吴假设'),
        check(),
        draft('该同志有问题线索正在初步核实，建议暂缓，待查清后答复。'),
        *APPROVALS,
        ISSUE,
    ), outcome='建议暂缓，待查清后答复', history=(WU_VERIFICATION,)),

    # 钱样本 (report found untrue and cleared) → 暂未发现影响提拔任用的问题.
    'cleared_no_problem': Scenario(KEY, 'intake', start('钱样本'), (
        register('钱样本'),
        check(notes='2025 年反映收受礼品问题经谈话函询采信了结，已澄清正名。'),
        draft('暂未发现影响提拔任用的问题。'),
        *APPROVALS,
        ISSUE,
    ), outcome='暂未发现影响提拔任用的问题', history=QIAN_CLEARED),

    # No record; the department study and then the 纪委书记 return the draft once each.
    'no_record_with_returns': Scenario(KEY, 'intake', start('孙演示'), (
        register('孙演示'),
        check(),
        draft('无问题。'),
        ret('department_study', 'supervisor', '请按规范表述回复意见。'),
        draft('经核查，暂未发现影响提拔任用的问题。'),
        Do('department_study', 'supervisor', APPROVE),
        ret('approve_reply', 'leader', '请注明核查范围。'),
        draft('经核查廉政档案、问题线索、案管数据库和处分情况，暂未发现影响提拔任用的问题。'),
        Do('department_study', 'supervisor', APPROVE),
        Do('approve_reply', 'leader', APPROVE),
        ISSUE,
    ), outcome='暂未发现影响提拔任用的问题'),

    # The handler finds the check incomplete while drafting: back to the check, the decision changes.
    'recheck_changes_reply': Scenario(KEY, 'intake', start('吴假设'), (
        register('吴假设'),
        check(),
        draft('暂未发现问题。', recheck=True),
        Expect(('check_records',)),
        check(notes='复核案管数据库，已立案审查调查。'),
        draft('该同志正在接受立案审查调查，建议暂缓，待查清后答复。'),
        *APPROVALS,
        ISSUE,
    ), outcome='建议暂缓，待查清后答复', history=WU_CASE_OPENED),

    # Request without the 任免审批表 → returned to the organisation department.
    'incomplete_request_returned': Scenario(KEY, 'intake', start('郝测试'), (
        register('郝测试', complete=False),
    ), outcome='来函退回补正'),

    # Approval level is a setting: without the 纪委书记 step the department head signs.
    'department_signs_when_configured': Scenario(KEY, 'intake', start('孙演示',
                                                                     leader_approval_required=False), (
        register('孙演示'),
        check(),
        draft('暂未发现影响提拔任用的问题。'),
        Do('department_study', 'supervisor', APPROVE),
        Expect(('issue_reply',)),
        ISSUE,
    ), outcome='暂未发现影响提拔任用的问题'),

    # Reply overdue (due 2026-03-05 23:59:59): the supervisor is asked to chase it, then the reply goes out.
    'overdue_escalated': Scenario(KEY, 'intake', start('郝测试'), (
        register('郝测试'),
        check(),
        Wait('2026-03-05T23:00:00+08:00'),
        Expect(('draft_reply',)),
        Wait('2026-03-06T08:30:00+08:00'),
        Expect(('draft_reply', 'supervise_overdue_reply')),
        Do('supervise_overdue_reply', 'supervisor', {
            'overdue_reason': '需向案管室调取线索办理情况。', 'expected_reply_date': '2026-03-06',
            'org_dept_notified': True}),
        Expect(('draft_reply',)),
        draft('有反映具体的问题线索尚未了结，建议暂缓，待查清后答复。'),
        *APPROVALS,
        issue('2026-03-06'),
    ), outcome='建议暂缓，待查清后答复', history=(HAO_OPEN_CLUE,)),

    # Overdue, but the reply is issued before anybody handles the escalation: ending the case closes it.
    'overdue_reply_issued_first': Scenario(KEY, 'intake', start('钱样本'), (
        register('钱样本'),
        check(),
        draft('暂未发现影响提拔任用的问题。'),
        Wait('2026-03-06T09:00:00+08:00'),
        Expect(('department_study', 'supervise_overdue_reply')),
        *APPROVALS,
        issue('2026-03-06'),
    ), outcome='暂未发现影响提拔任用的问题', history=QIAN_CLEARED),

    # One letter, three candidates, each answered from their own record: 郝测试's 警告 is in force, 孙演示 was
    # given 诫勉 two months ago (within the six-month setting), 钱样本 was cleared.
    'several_candidates_each_answered': Scenario(KEY, 'intake', start('郝测试'), (
        register_several('郝测试', '孙演示', '钱样本'),
        check(),
        draft('经核查，逐人回复如下。'),
        *APPROVALS,
        ISSUE,
    ), outcome='已逐人答复', history=(HAO_WARNING_IN_FORCE, SUN_ADMONISHED, *QIAN_CLEARED)),
}
