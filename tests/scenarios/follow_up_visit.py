"""Scenarios for `follow_up_visit` (回访教育, domain.md §6): every end state, approval/return branch and
timer branch (planned-visit timer, window reminder, window escalation, limit of visits per year).

Default clock 2026-03-02 09:00 (Mon).  For 党内警告 effective 2026-02-20 the DMN gives 12 months, so the
window closes 2027-02-20, the reminder fires 2026-12-20 09:00 and the escalation at the end of 2027-01-20.
"""

from __future__ import annotations

from tests.scenarios import Do, Expect, Refused, Scenario, Wait

KEY = 'follow_up_visit'

BASE = {
    'title': '回访教育：郝测试（LA-2025-007）',
    'case_no': 'LA-2025-007',
    'subject_name': '郝测试',
    'subject_unit': '虚拟招商局',
    'sanction_type': '党内警告',
    'effective_date': '2026-02-20',
    'form': 2,
    'is_accountability': False,
    'settings': {},
}

APPROVE = {'decision': 'approve'}


def refused(step: Do, *fields: str) -> Refused:
    return Refused(step.task, step.role, step.data, fields)


def start(**changes) -> dict:
    return {**BASE, **changes}


def plan(date: str = '2026-03-16', team=('张纪检', '王监察'), consulted: bool = True) -> Do:
    return Do('plan_visit', 'handler', {
        'unit_consulted': consulted,
        'unit_contact': '虚拟招商局党组 李书记',
        'unit_opinion': '同意按计划回访，单位将安排座谈。',
        'planned_visit_date': date,
        'team_leader': team[0],
        'team_members': list(team),
        'visit_methods': ['听取单位领导班子意见', '察看思想和工作表现', '与本人谈心谈话'],
        'visit_outline': '了解对处分的认识、工作表现、困难诉求和处分决定执行情况。',
    })


def record(grade: str, date: str = '2026-03-16', *, new_violation: bool = False, second: bool = False,
           team=('张纪检', '王监察')) -> Do:
    data = {
        'actual_visit_date': date,
        'team_members': list(team),
        'interviewees': ['单位主要负责人', '被回访人本人', '党员干部群众代表'],
        'listen_notes': '单位反映其受处分后工作积极。',
        'observe_notes': '按时完成招商任务，无迟到早退。',
        'talk_notes': '本人表示深刻认识错误，主动退还相关费用。',
        'decision_execution': '已全面执行',
        'grade': grade,
        'new_violation_found': new_violation,
        'request_second_visit': second,
    }
    if new_violation:
        data['new_violation_summary'] = '群众反映其近期多次接受招商企业宴请。'
    return Do('record_visit', 'handler', data)


def ret(task: str, role: str, opinion: str) -> Do:
    return Do(task, role, {'decision': 'return', 'opinion': opinion})


def recommend() -> tuple:
    return (
        Do('draft_recommendation', 'handler', {
            'recommended_uses': ['可重用', '可评先评优'],
            'recommendation_text': '该同志受处分后认识深刻、表现良好，建议影响期满后正常使用。',
        }),
        Do('approve_recommendation', 'leader', APPROVE),
    )


def supervise(action: str) -> Do:
    return Do('supervise_overdue', 'supervisor', {
        'overdue_reason': '承办人员抽调参加巡察，未及时安排回访。',
        'overdue_action': action,
        'opinion': '立即整改。',
    })


GOOD_VISIT = (
    plan(),
    Do('approve_plan', 'supervisor', APPROVE),
    Expect(()),                                   # waiting for the planned visit date (timeDate)
    Wait('2026-03-15T18:00:00+08:00'),
    Expect(()),
    Wait('2026-03-16T09:30:00+08:00'),
    Expect(('record_visit',)),
    record('好'),
    Do('review_record', 'supervisor', APPROVE),
)

SCENARIOS = {
    # 好 → recommended to the 组织部门 [S37]; the planned-visit timer fires on the planned date.
    'good_recommended': Scenario(KEY, 'handler', start(), (
        Expect(('plan_visit',)),
        *GOOD_VISIT,
        *recommend(),
    ), outcome='已向组织部门推荐使用'),

    # Every return branch: plan refused (422) for the team-size setting (3) and a past date, plan returned,
    # record with a future date refused, record returned, recommendation returned.
    'good_with_returns': Scenario(KEY, 'supervisor', start(settings={'min_team_size': 3}), (
        refused(plan(), 'team_members'),                           # 2 members < setting 3
        refused(plan(date='2026-02-27', team=('张纪检', '王监察', '赵干事')), 'planned_visit_date'),  # past date
        Expect(('plan_visit',)),
        plan(team=('张纪检', '王监察', '赵干事')),
        ret('approve_plan', 'supervisor', '请补充与单位党员群众代表座谈的安排。'),
        plan(team=('张纪检', '王监察', '赵干事')),
        Do('approve_plan', 'supervisor', APPROVE),
        Wait('2026-03-16T10:00:00+08:00'),
        refused(record('好', date='2026-03-17', team=('张纪检', '王监察', '赵干事')), 'actual_visit_date'),
        Expect(('record_visit',)),
        record('好', team=('张纪检', '王监察', '赵干事')),
        ret('review_record', 'supervisor', '谈话内容记录过简，请补充。'),
        record('好', team=('张纪检', '王监察', '赵干事')),
        Do('review_record', 'supervisor', APPROVE),
        # Correction 8: inside the 影响期 (until 2027-02-20) 可提拔使用 is refused, not left to the approver.
        refused(Do('draft_recommendation', 'handler', {'recommended_uses': ['可提拔使用'],
                                                       'recommendation_text': '建议提拔使用。'}), 'recommended_uses'),
        Do('draft_recommendation', 'handler', {'recommended_uses': ['可评先评优'],
                                               'recommendation_text': '建议评先评优。'}),
        ret('approve_recommendation', 'leader', '请补充评先评优的具体事项。'),
        *recommend(),
    ), outcome='已向组织部门推荐使用'),

    # 一般 → unit keeps up daily education; no second visit requested.
    'general_closed': Scenario(KEY, 'handler', start(
        subject_name='卫样例', sanction_type='党内严重警告', effective_date='2026-01-20',
        title='回访教育：卫样例'), (
        plan(date='2026-07-02'),
        Do('approve_plan', 'supervisor', APPROVE),
        Wait('2026-07-02T09:30:00+08:00'),
        record('一般', date='2026-07-02'),
        Do('review_record', 'supervisor', APPROVE),
    ), outcome='继续帮教'),

    # A second visit is allowed, but at most `max_visits_per_year` (2) in one year: the third is refused.
    'second_visit_then_limit': Scenario(KEY, 'handler', start(), (
        plan(),
        Do('approve_plan', 'supervisor', APPROVE),
        Wait('2026-03-16T09:30:00+08:00'),
        record('一般', second=True),
        Do('review_record', 'supervisor', APPROVE),
        Expect(('plan_visit',)),                           # second round
        plan(date='2026-06-15'),
        Do('approve_plan', 'supervisor', APPROVE),
        Wait('2026-06-15T09:30:00+08:00'),
        record('一般', date='2026-06-15', second=True),    # asks for a third: 2 visits in 2026 already
        Do('review_record', 'supervisor', APPROVE),
    ), outcome='继续帮教'),

    # 较差 → handled by the rules with education; the leader first returns the proposal.
    'poor_education': Scenario(KEY, 'handler', start(), (
        plan(),
        Do('approve_plan', 'supervisor', APPROVE),
        Wait('2026-03-16T09:30:00+08:00'),
        record('较差'),
        Do('review_record', 'supervisor', APPROVE),
        Do('propose_handling', 'handler', {'handling_measure': '批评教育',
                                           'handling_reason': '对处分认识不到位。'}),
        ret('approve_handling', 'leader', '应由纪委领导进行谈话提醒。'),
        Do('propose_handling', 'handler', {'handling_measure': '谈话提醒',
                                           'handling_reason': '对处分认识不到位。'}),
        Do('approve_handling', 'leader', APPROVE),
    ), outcome='已依规教育处理'),

    # New violations found → a linked clue case (clue_handling) is requested.
    'new_violation_clue': Scenario(KEY, 'handler', start(), (
        plan(),
        Do('approve_plan', 'supervisor', APPROVE),
        Wait('2026-03-16T09:30:00+08:00'),
        record('一般', new_violation=True),
        Do('review_record', 'supervisor', APPROVE),
        Do('propose_handling', 'handler', {
            'handling_measure': '移送问题线索', 'handling_reason': '反映问题具体，需按线索处置。',
            'clue_summary': '回访中群众反映郝测试近期多次接受招商企业宴请。'}),
        Do('approve_handling', 'leader', APPROVE),
    ), outcome='已移送问题线索', links=('clue_handling',)),

    # 开除党籍: no impact period to visit in → not in scope (domain §10, 李模拟).
    'expelled_not_in_scope': Scenario(KEY, 'handler', start(
        subject_name='李模拟', sanction_type='开除党籍', form=4, title='回访教育：李模拟'), (
        Expect(()),
    ), outcome='不在回访范围'),

    # Form-1 measure, not 问责: not a priority target; not drawn into the yearly plan.
    'non_priority_not_planned': Scenario(KEY, 'handler', start(sanction_type='诫勉', form=1), (
        Expect(('decide_inclusion',)),
        Do('decide_inclusion', 'handler', {'include_in_plan': False,
                                           'inclusion_reason': '本年度抽查比例已满足。'}),
    ), outcome='未纳入回访计划'),

    # Form-1 measure drawn into the yearly plan (≥30 % sample) and visited.
    'non_priority_sampled': Scenario(KEY, 'handler', start(sanction_type='诫勉', form=1), (
        Do('decide_inclusion', 'handler', {'include_in_plan': True, 'inclusion_reason': '纳入年度抽查。'}),
        plan(),
        Do('approve_plan', 'supervisor', APPROVE),
        Wait('2026-03-16T09:30:00+08:00'),
        record('一般'),
        Do('review_record', 'supervisor', APPROVE),
    ), outcome='继续帮教'),

    # 问责 诫勉 (6 months, window closes 2026-08-20): nobody plans; the reminder (2026-06-20) does not
    # interrupt, the escalation (end of 2026-07-20) goes to the supervisor, who urges a visit before the
    # window closes; the visit is then done and graded 好.
    'reminder_escalation_urged': Scenario(KEY, 'handler', start(
        sanction_type='诫勉', form=1, is_accountability=True), (
        Expect(('plan_visit',)),
        Wait('2026-06-20T10:00:00+08:00'),                 # reminder: plan_visit still open
        Expect(('plan_visit',)),
        Wait('2026-07-20T22:00:00+08:00'),
        Expect(('plan_visit',)),
        Wait('2026-07-21T08:00:00+08:00'),                 # escalation interrupts planning
        Expect(('supervise_overdue',)),
        supervise('督促限期回访'),
        Expect(('record_visit',)),
        record('好', date='2026-07-21'),
        Do('review_record', 'supervisor', APPROVE),
        *recommend(),
    ), outcome='已向组织部门推荐使用'),

    # Planned visit (问责 诫勉, window closes 2026-08-20) reached, but no record: the reminder on the visit
    # task does not interrupt it, the escalation does; the supervisor confirms the window is missed.
    'visit_reminder_then_escalation': Scenario(KEY, 'handler', start(
        sanction_type='诫勉', form=1, is_accountability=True), (
        plan(date='2026-06-01'),
        Do('approve_plan', 'supervisor', APPROVE),
        Wait('2026-06-01T09:30:00+08:00'),
        Expect(('record_visit',)),
        Wait('2026-06-20T10:00:00+08:00'),                 # reminder
        Expect(('record_visit',)),
        Wait('2026-07-21T08:00:00+08:00'),                 # escalation interrupts the visit task
        Expect(('supervise_overdue',)),
        supervise('确认逾期未回访'),
    ), outcome='逾期未回访'),

    # Sample 郝测试 (警告 2025-03-10): the window is about to close when the case starts → escalation at
    # once; the supervisor confirms no visit.
    'overdue_confirmed': Scenario(KEY, 'handler', start(effective_date='2025-03-10'), (
        Expect(('supervise_overdue',)),
        supervise('确认逾期未回访'),
    ), outcome='逾期未回访'),

    # Urged once, still no visit: at the window close the escalation fires again and the urge option is
    # no longer possible → 逾期未回访.
    'urged_then_window_closed': Scenario(KEY, 'handler', start(effective_date='2025-03-10'), (
        supervise('督促限期回访'),
        Expect(('record_visit',)),
        Wait('2026-03-09T23:00:00+08:00'),
        Expect(('record_visit',)),
        Wait('2026-03-10T00:30:00+08:00'),                 # window closed
        Expect(('supervise_overdue',)),
        supervise('督促限期回访'),
    ), outcome='逾期未回访'),

    # A second visit was requested but not carried out before the window escalation.
    'second_visit_overdue': Scenario(KEY, 'handler', start(), (
        plan(),
        Do('approve_plan', 'supervisor', APPROVE),
        Wait('2026-03-16T09:30:00+08:00'),
        record('一般', second=True),
        Do('review_record', 'supervisor', APPROVE),
        Expect(('plan_visit',)),
        Wait('2027-01-21T08:00:00+08:00'),
        Expect(('supervise_overdue',)),
        supervise('确认逾期未回访'),
    ), outcome='按已有回访结果归档'),
}
