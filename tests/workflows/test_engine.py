"""WorkflowEngine: start, complete, dump/restore, timers on an injected clock, long loops."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.workflows.bpmn_builder import bundle_files, flow, linear, process, script_task, user_task
from workflows.engine import WorkflowEngine
from workflows.errors import (
    ExpressionFailed,
    ExpressionRejected,
    SpecInvalid,
    TaskNotFound,
    TaskNotReady,
    TimerError,
    WorkflowError,
)
from workflows.specs import collect_sources, load_bundle

FIXTURES = Path(__file__).parent / 'fixtures'


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))   # Monday 09:00 Beijing


@pytest.fixture
def engine(clock):
    return WorkflowEngine(clock=clock)


@pytest.fixture
def simple():
    return load_bundle(collect_sources(FIXTURES, 'simple_case'))


def start_data():
    return {'settings': {}, 'clue_no': 'XS-2026-001', 'subject_name': '张三', 'received_date': '2026-03-02',
            'title': '关于张三的问题线索'}


def roundtrip(engine, bundle, wf):
    """Dump to JSON text the way the service stores it, and restore."""
    text = json.dumps(engine.dump(wf), ensure_ascii=False)
    return engine.restore(bundle, json.loads(text))


def test_start_runs_to_the_first_human_task_with_role_form_instructions_and_due_time(engine, simple):
    wf = engine.start(simple, start_data())
    [task] = engine.ready_human_tasks(wf)
    assert (task.bpmn_id, task.name, task.lane, task.role) == ('register', '登记线索', '承办人', 'handler')
    assert task.form == 'forms/simple_case/register.json'
    assert task.instructions == '请登记线索 XS-2026-001，被反映人 张三'
    assert task.due_at == '2026-03-09T23:59:59+08:00'      # 5 working days, from the settings script
    assert engine.case_data(wf)['forward_days'] == 5


def test_a_case_runs_to_its_end_across_dump_and_restore(engine, simple):
    wf = roundtrip(engine, simple, engine.start(simple, start_data()))
    register = engine.ready_human_tasks(wf)[0]
    engine.complete(wf, register.id, {'severity': 'serious', 'amount': 5000, 'is_real_name': True})
    wf = roundtrip(engine, simple, wf)
    assert engine.case_data(wf)['disposition'] == '立案审查'
    [approve] = engine.ready_human_tasks(wf)
    assert (approve.bpmn_id, approve.role, approve.approves) == ('approve', 'leader', 'register')
    engine.complete(wf, approve.id, {'decision': 'return', 'opinion': '请补充材料'})
    wf = roundtrip(engine, simple, wf)
    [again] = engine.ready_human_tasks(wf)
    assert again.bpmn_id == 'register' and engine.case_data(wf)['round_no'] == 1
    engine.complete(wf, again.id, {'severity': 'minor', 'amount': 10})
    wf = roundtrip(engine, simple, wf)
    assert engine.is_completed(wf)
    assert engine.outcome(wf) == '予以了结'
    completed, active = engine.element_states(wf)
    assert {'start', 'register', 'approve', 'set_light', 'end_closed'} <= set(completed) and active == []
    # Older steps were pruned from the task tree (history lives in the audit trail); the log keeps the rest.
    assert [e['bpmn_id'] for e in engine.completed_task_log(wf)][-1:] == ['register']


def test_completing_a_completed_task_raises_task_not_ready(engine, simple):
    wf = engine.start(simple, start_data())
    task = engine.ready_human_tasks(wf)[0]
    engine.complete(wf, task.id, {'severity': 'minor', 'amount': 1})
    with pytest.raises(TaskNotReady):
        engine.complete(wf, task.id, {'severity': 'minor', 'amount': 1})


def test_unknown_task_ids_raise_task_not_found(engine, simple):
    wf = engine.start(simple, start_data())
    for task_id in ('not-a-uuid', '00000000-0000-0000-0000-000000000000'):
        with pytest.raises(TaskNotFound):
            engine.complete(wf, task_id, {})


def test_non_human_tasks_cannot_be_completed(engine, simple):
    wf = engine.start(simple, start_data())
    decide = next(t for t in wf.get_tasks() if t.task_spec.bpmn_id == 'decide')
    with pytest.raises(TaskNotReady):
        engine.complete(wf, str(decide.id), {})


def test_dump_is_json_without_spec_and_keeps_chinese_text(engine, simple):
    wf = engine.start(simple, start_data())
    state = engine.dump(wf)
    assert 'spec' not in state and 'subprocess_specs' not in state
    text = json.dumps(state, ensure_ascii=False)
    assert '关于张三的问题线索' in text and '\\u' not in text


def test_restore_does_not_modify_the_stored_state(engine, simple):
    state = engine.dump(engine.start(simple, start_data()))
    before = json.dumps(state, sort_keys=True)
    engine.restore(simple, state)
    assert json.dumps(state, sort_keys=True) == before


def test_a_failing_script_raises_a_workflow_error_naming_the_task():
    calc = script_task('calc', 'total = amount / divisor')
    bundle = load_bundle(bundle_files(linear(user_task('fill'), calc)))
    engine = WorkflowEngine()
    wf = engine.start(bundle, {})
    task = engine.ready_human_tasks(wf)[0]
    with pytest.raises(ExpressionFailed) as caught:
        engine.complete(wf, task.id, {'amount': 1, 'divisor': 0})
    assert caught.value.message.startswith('calc:') and '除数为零' in caught.value.message
    assert caught.value.bpmn_id == 'calc' and caught.value.task_id
    wf = engine.start(bundle, {})
    with pytest.raises(ExpressionFailed, match='calc: .*divisor'):
        engine.complete(wf, engine.ready_human_tasks(wf)[0].id, {'amount': 1})


def test_a_condition_that_fails_is_reported_with_the_gateway_id():
    body = ('<bpmn:startEvent id="start" />' + user_task('fill')
            + '<bpmn:exclusiveGateway id="gw" default="f_b" />'
            + '<bpmn:endEvent id="a" /><bpmn:endEvent id="b" />'
            + flow('f1', 'start', 'fill') + flow('f2', 'fill', 'gw') + flow('f_a', 'gw', 'a', "missing > 1")
            + flow('f_b', 'gw', 'b'))
    bundle = load_bundle(bundle_files(process(body)))
    engine = WorkflowEngine()
    wf = engine.start(bundle, {})
    with pytest.raises(WorkflowError, match='未定义'):
        engine.complete(wf, engine.ready_human_tasks(wf)[0].id, {})


def test_size_limits_surface_as_workflow_errors_from_the_engine():
    bundle = load_bundle(bundle_files(linear(script_task('boom', "x = 'a' * 10**9"))))
    with pytest.raises(WorkflowError, match='boom'):
        WorkflowEngine().start(bundle, {})


def test_a_rejected_expression_hidden_in_data_never_runs():
    bundle = load_bundle(bundle_files(linear(user_task('fill', props={'deadline': 'due'}))))
    engine = WorkflowEngine()
    wf = engine.start(bundle, {'due': "__import__('os').system('id')"})
    with pytest.raises(ExpressionFailed, match='fill: 截止时间'):
        engine.ready_human_tasks(wf)
    assert issubclass(ExpressionRejected, WorkflowError)


def test_case_requests_collect_start_case_variables(engine):
    script = ("start_case_follow_up = {'process_key': 'follow_up_visit', 'title': '回访', "
              "'data': {'subject_name': '张三'}}")
    bundle = load_bundle(bundle_files(linear(script_task('ask', script, links={'follow_up': 'follow_up_visit'}),
                                             user_task('wait'))))
    assert bundle.links['follow_up'].element_id == 'ask'
    wf = engine.start(bundle, {})
    assert engine.case_requests(wf) == {'follow_up': {'process_key': 'follow_up_visit', 'title': '回访',
                                                      'data': {'subject_name': '张三'}}}


# -- timers ----------------------------------------------------------------------------------------

def timer_bundle(timer_xml: str):
    timer = (f'<bpmn:intermediateCatchEvent id="wait_deadline" name="办理期限">'
             f'<bpmn:timerEventDefinition id="td">{timer_xml}</bpmn:timerEventDefinition>'
             f'</bpmn:intermediateCatchEvent>')
    compute = script_task('compute', 'due_at = workday_deadline(received_date, 15)')
    return load_bundle(bundle_files(linear(compute, timer, user_task('overdue', name='超期处理'))))


def test_a_working_day_timer_fires_only_after_the_injected_clock_passes_it(engine, clock):
    bundle = timer_bundle('<bpmn:timeDate>due_at</bpmn:timeDate>')
    wf = engine.start(bundle, {'received_date': '2026-03-02'})
    [timer] = engine.waiting_timers(wf)
    assert timer.bpmn_id == 'wait_deadline' and timer.name == '办理期限'
    assert timer.due_at == datetime(2026, 3, 23, 15, 59, 59, tzinfo=UTC)     # 23:59:59 Beijing, 15 wd later
    clock.now = datetime(2026, 3, 23, 15, 59, 58, tzinfo=UTC)
    wf = roundtrip(engine, bundle, wf)
    assert engine.fire_due_timers(wf) == [] and engine.ready_human_tasks(wf) == []
    clock.now = datetime(2026, 3, 23, 16, 0, 0, tzinfo=UTC)
    wf = roundtrip(engine, bundle, wf)
    assert engine.fire_due_timers(wf) == ['wait_deadline']
    assert [t.bpmn_id for t in engine.ready_human_tasks(wf)] == ['overdue']
    assert engine.waiting_timers(wf) == []


def test_duration_timers_start_counting_at_the_injected_clock(engine, clock):
    bundle = timer_bundle('<bpmn:timeDuration>"PT1H"</bpmn:timeDuration>')
    wf = engine.start(bundle, {'received_date': '2026-03-02'})
    assert engine.waiting_timers(wf)[0].due_at == clock.now + timedelta(hours=1)
    clock.now += timedelta(hours=1, seconds=1)
    assert engine.fire_due_timers(wf) == ['wait_deadline']


def test_an_interrupting_boundary_timer_cancels_the_task_and_escalates(engine, clock):
    bundle = boundary_bundle()
    wf = engine.start(bundle, {})
    assert [t.bpmn_id for t in engine.ready_human_tasks(wf)] == ['handle']
    clock.now += timedelta(days=2)
    wf = roundtrip(engine, bundle, wf)
    assert engine.fire_due_timers(wf) == ['late']
    assert [(t.bpmn_id, t.role) for t in engine.ready_human_tasks(wf)] == [('escalate', 'supervisor')]


# -- long loops ------------------------------------------------------------------------------------

def loop_bundle():
    body = ('<bpmn:startEvent id="start" />' + script_task('init', 'n = 0') + user_task('review', name='复核')
            + script_task('count', 'n += 1') + '<bpmn:exclusiveGateway id="more" default="f_done" />'
            + '<bpmn:endEvent id="end" />'
            + flow('f1', 'start', 'init') + flow('f2', 'init', 'review') + flow('f3', 'review', 'count')
            + flow('f4', 'count', 'more') + flow('f_again', 'more', 'review', 'n < limit')
            + flow('f_done', 'more', 'end'))
    return load_bundle(bundle_files(process(body, pid='loop'), name='loop.bpmn'))


def run_loop(engine, bundle, rounds: int, restore_every: int):
    wf = engine.start(bundle, {'limit': rounds})
    for i in range(rounds):
        if i % restore_every == 0:
            wf = roundtrip(engine, bundle, wf)
        [task] = engine.ready_human_tasks(wf)
        assert task.bpmn_id == 'review'
        engine.complete(wf, task.id, {'opinion': f'第 {i + 1} 轮意见'})
    return wf


@pytest.mark.slow
def test_a_thousand_round_loop_stays_open_and_finishes_correctly(engine):
    bundle = loop_bundle()
    wf = run_loop(engine, bundle, 1000, restore_every=250)
    wf = roundtrip(engine, bundle, wf)
    assert engine.is_completed(wf)
    assert engine.case_data(wf)['n'] == 1000
    assert engine.case_data(wf)['opinion'] == '第 1000 轮意见'


# -- more contracts --------------------------------------------------------------------------------

def test_call_activities_run_their_called_process_from_the_same_bundle(engine):
    call = '<bpmn:callActivity id="call" name="回访" calledElement="sub" />'
    main = linear(call, user_task('after'), pid='mainp')
    sub = linear(user_task('inner', name='子流程任务'), pid='sub')
    bundle = load_bundle(bundle_files(main, name='mainp.bpmn', **{'sub.bpmn': sub}))
    assert (bundle.key, list(bundle.subprocess_specs)) == ('mainp', ['sub'])
    wf = roundtrip(engine, bundle, engine.start(bundle, {'x': 1}))
    [inner] = engine.ready_human_tasks(wf)
    assert (inner.bpmn_id, inner.lane) == ('inner', None)
    engine.complete(wf, inner.id, {'y': 2})
    wf = roundtrip(engine, bundle, wf)
    assert [t.bpmn_id for t in engine.ready_human_tasks(wf)] == ['after']
    assert engine.case_data(wf) == {'x': 1, 'y': 2}


def test_script_results_stay_json_serializable(engine):
    script = "tags = {'a'}\nkeys = limits.keys()\npair = (1, 2)\nlimits['s'] = {1}"
    bundle = load_bundle(bundle_files(linear(script_task('calc', script), user_task('show'))))
    data = engine.case_data(engine.start(bundle, {'limits': {'k': 1}}))
    assert (data['tags'], data['keys'], data['pair']) == (['a'], ['k', 's'], [1, 2])   # keys() is a live view
    assert data['limits'] == {'k': 1, 's': [1]}
    json.dumps(data)


def test_form_data_must_be_a_dict(engine, simple):
    wf = engine.start(simple, start_data())
    with pytest.raises(WorkflowError):
        engine.complete(wf, engine.ready_human_tasks(wf)[0].id, ['not', 'a', 'dict'])


def test_the_clock_patch_only_applies_inside_engine_operations(engine, clock):
    from SpiffWorkflow.bpmn.specs.event_definitions import timer
    assert abs(timer.datetime.now(UTC) - datetime.now(UTC)) < timedelta(seconds=5)
    from workflows import patches
    with patches.engine_clock(clock, engine.zone):
        assert timer.datetime.now(UTC) == clock.now
    patches.install()   # idempotent


def boundary_bundle():
    body = ('<bpmn:startEvent id="start" />' + script_task('compute', 'due = workday_deadline(today(), 1)')
            + user_task('handle') + user_task('escalate', role='supervisor')
            + '<bpmn:boundaryEvent id="late" attachedToRef="handle"><bpmn:timerEventDefinition id="lt">'
            '<bpmn:timeDate>due</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
            '<bpmn:endEvent id="end" /><bpmn:endEvent id="end_late" />'
            + flow('f1', 'start', 'compute') + flow('f2', 'compute', 'handle') + flow('f3', 'handle', 'end')
            + flow('f4', 'late', 'escalate') + flow('f5', 'escalate', 'end_late'))
    return load_bundle(bundle_files(process(body)))


def test_attached_timers_are_the_deadline_timers_of_a_human_task(engine):
    bundle = boundary_bundle()
    wf = engine.start(bundle, {})
    [handle] = engine.ready_human_tasks(wf)
    [timer] = engine.attached_timers(wf, handle.id)
    assert timer.bpmn_id == 'late'
    assert timer.due_at == datetime(2026, 3, 3, 15, 59, 59, tzinfo=UTC)


def test_a_rescheduled_timer_fires_at_its_new_time_after_restore(engine, clock):
    bundle = boundary_bundle()
    wf = engine.start(bundle, {})
    [timer] = engine.attached_timers(wf, engine.ready_human_tasks(wf)[0].id)
    new_due = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    engine.reschedule_timer(wf, timer.task_id, new_due)
    wf = roundtrip(engine, bundle, wf)
    assert engine.waiting_timers(wf)[0].due_at == new_due
    clock.now = new_due - timedelta(seconds=1)
    assert engine.fire_due_timers(wf) == []
    clock.now = new_due + timedelta(seconds=1)
    assert engine.fire_due_timers(wf) == ['late']


def test_only_waiting_timers_can_be_rescheduled(engine):
    wf = engine.start(boundary_bundle(), {})
    with pytest.raises(TaskNotReady):
        engine.reschedule_timer(wf, engine.ready_human_tasks(wf)[0].id, datetime(2026, 3, 10, tzinfo=UTC))


def test_an_unusable_timer_value_raises_a_timer_error(engine):
    timer = ('<bpmn:intermediateCatchEvent id="wait" name="等待"><bpmn:timerEventDefinition id="td">'
             '<bpmn:timeDate>"明天"</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
    with pytest.raises(SpecInvalid, match='wait'):   # refused at check/deploy
        load_bundle(bundle_files(linear(timer)))
    bundle = load_bundle(bundle_files(linear(timer)), bounds=None)   # as if deployed before the check existed
    with pytest.raises(TimerError, match='wait: 定时器'):
        engine.start(bundle, {})


def test_a_corrupted_state_cannot_be_restored_and_says_so(engine, simple):
    with pytest.raises(WorkflowError):
        engine.restore(simple, {'tasks': 'garbage'})


def test_naive_timer_dates_mean_the_engine_time_zone_not_the_servers(engine):
    bundle = timer_bundle('<bpmn:timeDate>"2026-03-03T09:00:00"</bpmn:timeDate>')
    wf = engine.start(bundle, {'received_date': '2026-03-02'})
    assert engine.waiting_timers(wf)[0].due_at == datetime(2026, 3, 3, 1, 0, tzinfo=UTC)


def test_firing_timers_on_a_workflow_without_timers_does_nothing(engine, simple):
    wf = engine.start(simple, start_data())
    assert engine.waiting_timers(wf) == [] and engine.fire_due_timers(wf) == []


def test_engines_with_different_clocks_do_not_share_time_across_threads():
    from concurrent.futures import ThreadPoolExecutor
    bundle = timer_bundle('<bpmn:timeDuration>"PT1H"</bpmn:timeDuration>')
    starts = [datetime(2026, 3, 2, h, 0, tzinfo=UTC) for h in range(8)]

    def due_for(start):
        engine = WorkflowEngine(clock=lambda: start)
        return engine.waiting_timers(engine.start(bundle, {'received_date': '2026-03-02'}))[0].due_at

    with ThreadPoolExecutor(max_workers=4) as pool:
        dues = list(pool.map(due_for, starts * 5))
    assert dues == [s + timedelta(hours=1) for s in starts * 5]
