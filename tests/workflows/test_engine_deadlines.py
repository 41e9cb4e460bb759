"""Engine hooks for service-side deadlines: a pluggable working-day calendar and timer rescheduling."""

import json
from datetime import UTC, date, datetime

import pytest

from tests.workflows.bpmn_builder import bundle_files, flow, process, script_task, user_task
from workflows.calendar import Override, WorkCalendar
from workflows.engine import WorkflowEngine
from workflows.errors import TaskNotReady
from workflows.specs import load_bundle


class FakeClock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))   # Monday 09:00 Beijing


def deadline_bundle():
    """handle (due in 5 working days) with an interrupting boundary timer on the same deadline → escalate."""
    body = ('<bpmn:startEvent id="start" />' + script_task('compute', 'due = workday_deadline(today(), 5)')
            + user_task('handle', props={'deadline': 'due'}) + user_task('escalate', role='supervisor')
            + '<bpmn:boundaryEvent id="late" attachedToRef="handle"><bpmn:timerEventDefinition id="lt">'
            '<bpmn:timeDate>due</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
            '<bpmn:endEvent id="end" /><bpmn:endEvent id="end_late" />'
            + flow('f1', 'start', 'compute') + flow('f2', 'compute', 'handle') + flow('f3', 'handle', 'end')
            + flow('f4', 'late', 'escalate') + flow('f5', 'escalate', 'end_late'))
    return load_bundle(bundle_files(process(body)))


def roundtrip(engine, bundle, wf):
    return engine.restore(bundle, json.loads(json.dumps(engine.dump(wf))))


def test_the_engine_uses_the_calendar_it_is_given_for_deadlines(clock):
    closed = WorkCalendar([Override(date(2026, 3, 4), False, "本地停工")])
    plain = WorkflowEngine(clock=clock).start(deadline_bundle(), {})
    engine = WorkflowEngine(clock=clock, calendar=closed)
    wf = engine.start(deadline_bundle(), {})
    assert WorkflowEngine(clock=clock).ready_human_tasks(plain)[0].due_at == '2026-03-09T23:59:59+08:00'
    assert engine.ready_human_tasks(wf)[0].due_at == '2026-03-10T23:59:59+08:00'


def test_a_calendar_provider_is_asked_on_every_use_so_new_overrides_apply(clock):
    current = {'cal': WorkCalendar()}
    engine = WorkflowEngine(clock=clock, calendar=lambda: current['cal'])
    assert engine.ready_human_tasks(engine.start(deadline_bundle(), {}))[0].due_at.startswith('2026-03-09')
    current['cal'] = WorkCalendar([Override(date(2026, 3, 3), False)])
    assert engine.ready_human_tasks(engine.start(deadline_bundle(), {}))[0].due_at.startswith('2026-03-10')


def test_attached_timers_lists_the_boundary_timer_of_a_human_task(clock):
    engine = WorkflowEngine(clock=clock)
    wf = engine.start(deadline_bundle(), {})
    [task] = engine.ready_human_tasks(wf)
    [timer] = engine.attached_timers(wf, task.id)
    assert timer.bpmn_id == 'late' and timer.due_at == datetime(2026, 3, 9, 15, 59, 59, tzinfo=UTC)


def test_a_rescheduled_timer_fires_at_its_new_time_and_not_before(clock):
    engine = WorkflowEngine(clock=clock)
    bundle = deadline_bundle()
    wf = engine.start(bundle, {})
    [task] = engine.ready_human_tasks(wf)
    [timer] = engine.attached_timers(wf, task.id)
    engine.reschedule_timer(wf, timer.task_id, datetime(2026, 3, 13, 23, 59, 59).replace(tzinfo=None))
    wf = roundtrip(engine, bundle, wf)
    assert engine.waiting_timers(wf)[0].due_at == datetime(2026, 3, 13, 15, 59, 59, tzinfo=UTC)
    clock.now = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)       # after the old due time
    assert engine.fire_due_timers(wf) == []
    clock.now = datetime(2026, 3, 13, 16, 0, tzinfo=UTC)
    assert engine.fire_due_timers(wf) == ['late']
    assert [t.bpmn_id for t in engine.ready_human_tasks(wf)] == ['escalate']


def test_only_waiting_timers_can_be_rescheduled(clock):
    engine = WorkflowEngine(clock=clock)
    wf = engine.start(deadline_bundle(), {})
    [task] = engine.ready_human_tasks(wf)
    with pytest.raises(TaskNotReady):
        engine.reschedule_timer(wf, task.id, datetime(2026, 3, 13, tzinfo=UTC))
