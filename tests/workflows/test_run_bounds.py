"""Issue 11 point 3: a deployed process cannot stall the engine; point 10: only plain JSON is case data.

Static: check/deploy (load_bundle with bounds) refuse loops without a wait state, cycle timers under
the minimum interval, and timer durations/dates outside sane bounds.  Dynamic: every engine run is
bounded in automatic steps and CPU time, and timer values computed at run time are held to the same
rules, so what slips past the static checks still ends with an error naming the element.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.workflows.bpmn_builder import script_task, user_task
from tests.workflows.stall_processes import (
    SPIN,
    WAITING_LOOPS,
    WAITLESS_LOOPS,
    catch_timer,
    graph,
    spin,
    timer_on_task,
    with_script,
)
from workflows.bounds import DEFAULT_BOUNDS, RunBounds, timer_problem
from workflows.engine import WorkflowEngine
from workflows.errors import DataInvalid, ExpressionFailed, RunLimitExceeded, SpecInvalid, TimerError
from workflows.specs import check_files, load_bundle


def problems_of(files) -> list[tuple[str | None, str]]:
    return [(p.element_id, p.message) for p in check_files(files)]


# ---- static: check and deploy ----

@pytest.mark.parametrize('name', sorted(WAITLESS_LOOPS))
def test_a_loop_without_a_wait_state_is_refused_naming_an_element_of_it(name):
    found = problems_of(WAITLESS_LOOPS[name])
    assert len(found) == 1, found
    element, message = found[0]
    assert '循环中没有等待环节' in message and element in message


@pytest.mark.parametrize('name', sorted(WAITING_LOOPS))
def test_a_loop_that_waits_for_a_person_or_a_timer_is_accepted(name):
    assert problems_of(WAITING_LOOPS[name]) == []


SHORT_CYCLES = ['"R/PT0S"', '"R/PT59S"', '"R5/PT1S"', '"R/2026-01-01T00:00:00/PT0S"', '"R/P0D"', '"R/PT0.5M"']
BAD_DURATIONS = ['"P99999999999Y"', '"PT99999999999H"', '"P11Y"', '"P4000D"', '"P600W"', '"R/P99999999999Y"']
BAD_DATES = ['"9999-12-31T23:59:59"', '"0001-01-01T00:00:00"', '"2101-01-01"', '"1969-12-31T00:00:00+00:00"']


@pytest.mark.parametrize('value', SHORT_CYCLES)
@pytest.mark.parametrize('interrupting', [True, False])
def test_cycle_timers_under_the_minimum_interval_are_refused(value, interrupting):
    kind = 'timeCycle'
    found = problems_of(timer_on_task(kind, value, interrupting))
    assert [e for e, _m in found] == ['timer'], found
    assert '短于下限 60 秒' in found[0][1]


@pytest.mark.parametrize('value', BAD_DURATIONS)
def test_durations_beyond_the_bound_are_refused(value):
    kind = 'timeCycle' if value.startswith('"R') else 'timeDuration'
    found = problems_of(timer_on_task(kind, value))
    assert [e for e, _m in found] == ['timer'] and '超过上限 3660 天' in found[0][1], found


@pytest.mark.parametrize('value', BAD_DATES)
def test_dates_outside_the_sane_years_are_refused(value):
    found = problems_of(catch_timer('timeDate', value))
    assert [e for e, _m in found] == ['t'] and '超出允许范围' in found[0][1], found


@pytest.mark.parametrize('kind,value', [('timeCycle', '"R/PT1M"'), ('timeCycle', '"R3/2026-01-01T09:00:00/P1D"'),
                                        ('timeDuration', '"P15D"'), ('timeDuration', '"P10Y"'),
                                        ('timeDuration', '"PT36H"'), ('timeDate', '"2026-03-03T09:00:00"'),
                                        ('timeDuration', 'f"P{days}D"')])
def test_sane_timers_and_expressions_pass(kind, value):
    assert problems_of(timer_on_task(kind, value)) == []


def test_the_minimum_cycle_interval_is_a_setting():
    files = timer_on_task('timeCycle', '"R/PT30S"', interrupting=False)
    assert problems_of(files)
    assert check_files(files, RunBounds(min_cycle_seconds=30)) == []


def test_the_timer_rules_cost_nothing_even_for_absurd_values():
    started = time.perf_counter()
    for value in ('P99999999999Y', 'R/P99999999999Y', 'P99999999999M', 'R/PT0S'):
        assert timer_problem('timeCycle' if value.startswith('R') else 'timeDuration', value)
    assert time.perf_counter() - started < 0.1


def test_versions_already_deployed_still_load_and_the_engine_bounds_them():
    files = timer_on_task('timeDuration', '"P99999999999Y"')
    with pytest.raises(SpecInvalid):
        load_bundle(files)
    bundle = load_bundle(files, bounds=None)
    with pytest.raises(TimerError, match='timer: .*超过上限'):
        WorkflowEngine().start(bundle, {})


# ---- dynamic: every engine run is bounded ----

def test_a_data_dependent_loop_is_stopped_by_the_step_bound_naming_the_element():
    bundle = load_bundle(spin())    # passes the static checks: no loop in the graph
    started = time.perf_counter()
    with pytest.raises(RunLimitExceeded, match=f'spin.*{DEFAULT_BOUNDS.max_steps} 步') as caught:
        WorkflowEngine().start(bundle, {})
    assert caught.value.bpmn_id == 'spin'
    assert time.perf_counter() - started < 10


def test_the_step_bound_is_a_setting_and_a_small_loop_stays_inside_it():
    bundle = load_bundle(spin('n = 20'))
    engine = WorkflowEngine()
    assert [t.bpmn_id for t in engine.ready_human_tasks(engine.start(bundle, {}))] == ['u']
    with pytest.raises(RunLimitExceeded):
        WorkflowEngine(bounds=RunBounds(max_steps=10)).start(bundle, {})


def test_the_time_bound_stops_a_run_naming_the_element():
    bundle = load_bundle(spin('n = 20'))
    with pytest.raises(RunLimitExceeded, match='时间上限') as caught:
        WorkflowEngine(bounds=RunBounds(max_seconds=0)).start(bundle, {})
    assert caught.value.bpmn_id


def test_timer_firings_are_bounded_too():
    files = graph(script_task('b', 'n = 100000')
                  + '<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"'
                    '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>' + SPIN
                  + user_task('u') + '<bpmn:endEvent id="end" />',
                  [('start', 'b'), ('b', 't'), ('t', 'spin'), ('spin', 'u'), ('u', 'end')])
    now = [datetime(2026, 3, 2, 9, tzinfo=UTC)]
    engine = WorkflowEngine(clock=lambda: now[0])
    wf = engine.start(load_bundle(files), {})
    assert [t.bpmn_id for t in engine.waiting_timers(wf)] == ['t']
    now[0] += timedelta(hours=2)
    with pytest.raises(RunLimitExceeded, match='spin'):
        engine.fire_due_timers(wf)


@pytest.mark.parametrize('kind,expression,data', [
    ('timeDuration', 'f"P{years}Y"', {'years': 99999999999}),
    ('timeCycle', 'f"R/PT{seconds}S"', {'seconds': 0}),
    ('timeDate', 'due', {'due': '9999-12-31T00:00:00'}),
])
def test_timer_values_computed_from_data_are_held_to_the_same_rules(kind, expression, data):
    bundle = load_bundle(timer_on_task(kind, expression, interrupting=kind != 'timeCycle'))
    started = time.perf_counter()
    with pytest.raises(TimerError, match='timer: 定时器取值不被接受'):
        WorkflowEngine().start(bundle, data)
    assert time.perf_counter() - started < 1


# ---- point 10: only plain JSON goes in or comes out ----

@pytest.mark.parametrize('data', [{'x': math.nan}, {'x': math.inf}, {'x': -math.inf}, {'a': {'b': [1, math.nan]}},
                                  {'a': [{'b': math.inf}]}])
def test_nan_and_infinity_in_start_data_are_refused(data):
    bundle = load_bundle(with_script('y = 1'))
    with pytest.raises(DataInvalid, match='NaN/Infinity'):
        WorkflowEngine().start(bundle, data)


def test_nan_in_task_data_is_refused_and_the_task_stays_ready():
    bundle = load_bundle(with_script('y = 1'))
    engine = WorkflowEngine()
    wf = engine.start(bundle, {})
    [task] = engine.ready_human_tasks(wf)
    with pytest.raises(DataInvalid, match='opinion'):
        engine.complete(wf, task.id, {'opinion': [math.nan]})
    assert [t.id for t in engine.ready_human_tasks(wf)] == [task.id]


@pytest.mark.parametrize('script,where', [
    ('x = [len]', 'x[0]'), ('x = {"a": [1, {"b": len}]}', 'x.a[1].b'), ('x = len', 'x'),
    ('x = (1, max)', 'x[1]'), ('x = 1e308 * 10', 'x'), ('x = [1e308 * 10]', 'x[0]'),
    ('x = {1: "a"}', 'x'),
])
def test_a_script_value_that_is_not_json_is_an_error_naming_element_and_variable(script, where):
    bundle = load_bundle(with_script(script))
    with pytest.raises(ExpressionFailed) as caught:
        WorkflowEngine().start(bundle, {})
    assert caught.value.message.startswith('make: ') and where in caught.value.message, caught.value.message


@pytest.mark.parametrize('deadline,data', [('due', {'due': 'not a date'}), ('missing_name', {}),
                                           ('1 / zero', {'zero': 0}), ('due', {'due': 12345})])
def test_a_failing_deadline_expression_is_an_error_naming_the_task(deadline, data):
    bundle = load_bundle(with_script('y = 1', props={'deadline': deadline}))
    engine = WorkflowEngine()
    wf = engine.start(bundle, data)
    with pytest.raises(ExpressionFailed, match='u: 截止时间'):
        engine.ready_human_tasks(wf)
