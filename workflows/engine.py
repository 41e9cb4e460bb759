"""WorkflowEngine: start, restore, dump and drive BPMN workflows of a ProcessBundle."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from . import form_checks, patches
from .bounds import DEFAULT_BOUNDS, RunBounds, RunBudget
from .errors import DataInvalid, ExpressionFailed, TaskNotFound, TaskNotReady, TimerError, WorkflowError
from .jsondata import json_problem
from .pruning import prune_history
from .sandbox import SandboxScriptEngine, unwrap_error
from .serialization import make_serializer, state_from_dict, state_to_dict
from .specs import ProcessBundle

_PLACEHOLDER = re.compile(r'\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}')
HISTORY_KEY = 'qingfeng_history'  # bpmn ids of completed steps pruned from the tree
_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


def utc_now() -> datetime:
    """The real clock, aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class ReadyTask:
    """A human task waiting for someone."""

    id: str
    bpmn_id: str
    name: str
    lane: str | None
    role: str | None
    approves: str | None
    form: str | None
    instructions: str | None
    due_at: str | None


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event waiting for its due time."""

    task_id: str
    bpmn_id: str
    name: str
    due_at: datetime


class WorkflowEngine:
    """Runs workflows with the sandbox, an injectable clock and spec-free serialization."""

    def __init__(self, clock: Callable[[], datetime] = utc_now, tz: str = 'Asia/Shanghai', calendar=None,
                 bounds: RunBounds = DEFAULT_BOUNDS):
        """`calendar`: a WorkCalendar, a callable returning the current one (admin overrides), or None.
        `bounds`: steps and CPU time of one engine run, and the sane range of timer values."""
        patches.install()
        self.clock = clock
        self.tz = tz
        self.zone = ZoneInfo(tz)
        self.calendar = calendar
        self.bounds = bounds
        self.script_engine = SandboxScriptEngine(self._now, tz, calendar, bounds)
        self.serializer = make_serializer()

    def _now(self) -> datetime:
        moment = self.clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    @contextmanager
    def _running(self, what: str, wf: BpmnWorkflow | None = None):
        """Run engine code under this engine's clock and turn every failure into a WorkflowError."""
        with patches.engine_clock(self._now, self.zone):
            try:
                yield
            except WorkflowError:
                raise
            except Exception as exc:
                raise self._convert(exc, what, wf) from exc

    @staticmethod
    def _broken_timer(wf: BpmnWorkflow | None):
        """The waiting timer whose value cannot be parsed (Spiff raises those without a task)."""
        for task in wf.get_tasks(state=TaskState.NOT_FINISHED_MASK) if wf is not None else []:
            value = task._get_internal_data('event_value')
            if isinstance(getattr(task.task_spec, 'event_definition', None), TimerEventDefinition) \
                    and isinstance(value, str):
                try:
                    TimerEventDefinition.parse_time_or_duration(value)
                except Exception:
                    return task
        return None

    def _convert(self, exc: Exception, what: str, wf: BpmnWorkflow | None = None) -> WorkflowError:
        inner = unwrap_error(exc)
        task = getattr(exc, 'task', None) or (self._broken_timer(wf) if inner is None else None)
        spec = getattr(task, 'task_spec', None) or getattr(exc, 'task_spec', None)
        where = getattr(spec, 'bpmn_id', None) or getattr(spec, 'name', None) or what
        if inner is not None:
            error = type(inner).__new__(type(inner))
            error.__dict__.update(inner.__dict__)
            error.message = f"{where}: {inner.message}"
            error.args = (error.message,)
        elif isinstance(getattr(spec, 'event_definition', None), TimerEventDefinition):
            error = TimerError(f"{where}: 定时器表达式无效: {exc}")
        elif task is not None:
            error = ExpressionFailed(f"{where}: 流程运行出错: {exc}")
        else:
            error = WorkflowError(f"{where}: 流程运行出错: {exc}")
        error.bpmn_id = getattr(spec, 'bpmn_id', None)
        error.task_id = str(task.id) if task is not None else None
        return error

    def _run_engine(self, wf: BpmnWorkflow) -> None:
        """Run automatic tasks until the workflow waits, within the step and time bounds."""
        wf.do_engine_steps(will_complete_task=RunBudget(self.bounds))

    @staticmethod
    def _check_data(data: dict) -> None:
        found = json_problem(data)
        if found:
            path, message = found
            raise DataInvalid(f"{path}: {message}" if path else message, {path or '_form': [message]})

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, bundle: ProcessBundle, data: dict) -> BpmnWorkflow:
        """Create a workflow, seed its data and run until it waits for people or timers."""
        self._check_data(dict(data or {}))
        with self._running('start'):
            wf = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=self.script_engine)
        with self._running('start', wf):
            wf.get_next_task(state=TaskState.READY).data.update(dict(data or {}))
            self._run_engine(wf)
        return wf

    def restore(self, bundle: ProcessBundle, state: dict) -> BpmnWorkflow:
        """Rebuild a workflow from stored state plus the bundle's specs (no engine steps are run)."""
        state = dict(state)
        history = state.pop(HISTORY_KEY, [])
        with self._running('restore'):
            wf = state_from_dict(self.serializer, state, bundle.spec, bundle.subprocess_specs)
            wf.script_engine = self.script_engine
        wf.qingfeng_history = set(history)
        return wf

    def dump(self, wf: BpmnWorkflow) -> dict:
        """JSON-safe workflow state without the spec, with finished history pruned (see pruning.py)."""
        with self._running('dump'):
            pruned = prune_history(wf)
            wf.qingfeng_history = getattr(wf, 'qingfeng_history', set()) | pruned
            state = state_to_dict(self.serializer, wf)
        state[HISTORY_KEY] = sorted(wf.qingfeng_history)
        return state

    # -- human tasks -------------------------------------------------------------------------

    def ready_human_tasks(self, wf: BpmnWorkflow) -> list[ReadyTask]:
        """READY user/manual tasks with role, form, rendered instructions and due time."""
        return [self._ready_task(t) for t in wf.get_tasks(state=TaskState.READY, manual=True)]

    def _ready_task(self, task) -> ReadyTask:
        ts = task.task_spec
        ext = getattr(ts, 'extensions', {}) or {}
        props = ext.get('properties', {}) or {}
        form = ext.get('formJsonSchemaFilename')
        due_at = self._due_at(task, props.get('deadline'))
        return ReadyTask(
            id=str(task.id), bpmn_id=ts.bpmn_id, name=ts.bpmn_name or ts.bpmn_id, lane=ts.lane,
            role=props.get('role'), approves=props.get('approves'),
            form=(form if form.startswith('forms/') else f'forms/{form}') if form else None,
            instructions=render_instructions(ext.get('instructionsForEndUser'), task.data),
            due_at=due_at)

    def _due_at(self, task, expression: str | None) -> str | None:
        """The task's due time from its `deadline` property; a failing expression is an error naming the
        task (a task silently left without its time limit would escape every deadline report)."""
        if not expression:
            return None
        try:
            with patches.engine_clock(self._now, self.zone):
                value = self.script_engine.environment.evaluate(expression, task.data)
            return self._normalize_due(value)
        except (WorkflowError, ValueError, TypeError, OverflowError) as exc:
            message = exc.message if isinstance(exc, WorkflowError) else str(exc)
            error = ExpressionFailed(f"{task.task_spec.bpmn_id}: 截止时间 (deadline) 无法计算: {message}", expression)
            error.bpmn_id, error.task_id = task.task_spec.bpmn_id, str(task.id)
            raise error from exc

    def _normalize_due(self, value) -> str | None:
        if value in (None, ''):
            return None
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        return moment.isoformat()

    def _task(self, wf: BpmnWorkflow, task_id: str):
        try:
            return wf.get_task_from_id(uuid.UUID(str(task_id)))
        except (ValueError, TaskNotFoundException, KeyError):
            raise TaskNotFound(f"任务 {task_id} 不存在")

    def complete(self, wf: BpmnWorkflow, task_id: str, data: dict) -> None:
        """Complete a READY human task with form data and run the workflow on."""
        if not isinstance(data, dict):
            raise WorkflowError("表单数据必须是对象 (dict)")
        self._check_data(data)
        task = self._task(wf, task_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            state = TaskState.get_name(task.state)
            raise TaskNotReady(f"任务 {task.task_spec.bpmn_id} 当前不可办理 (状态 {state})")
        with self._running(task.task_spec.bpmn_id or 'complete', wf):
            task.set_data(**data)
            task.run()
            self._run_engine(wf)

    def check_submission(self, wf: BpmnWorkflow, task_id: str, data: dict, checks: list[dict]
                         ) -> dict[str, list[str]]:
        """The form's cross-field checks that the submission violates ({field: [messages]}; empty = fine)."""
        if not checks:
            return {}
        task = self._task(wf, task_id)

        def evaluate(expression: str, context: dict):
            return self.script_engine.environment.evaluate(expression, context)

        with self._running(task.task_spec.bpmn_id or 'check', wf):
            return form_checks.violations(evaluate, checks, task.data, data)

    def evaluate(self, expression: str, context: dict, missing=None):
        """Evaluate an expression in the sandbox against `context` (documents' templates); an undefined
        name or a missing key gives `missing` (a field the case's path never filled), any other error raises."""
        try:
            return self.script_engine.environment.evaluate(expression, context)
        except WorkflowError as exc:
            if isinstance(exc.__cause__, NameError | KeyError):
                return missing
            raise

    # -- timers ------------------------------------------------------------------------------

    def waiting_timers(self, wf: BpmnWorkflow) -> list[WaitingTimer]:
        """Timer events currently waiting, with their due time (aware UTC)."""
        timers = []
        for task in wf.get_tasks(state=TaskState.WAITING):
            event = getattr(task.task_spec, 'event_definition', None)
            if not isinstance(event, TimerEventDefinition):
                continue
            due = self._timer_due(event.details(task).value)
            if due is None:
                continue
            timers.append(WaitingTimer(str(task.id), task.task_spec.bpmn_id, task.task_spec.bpmn_name or
                                       event.name or task.task_spec.bpmn_id, due.astimezone(UTC)))
        return timers

    def _timer_due(self, value) -> datetime | None:
        """Parse a timer's pending value (ISO datetime or week date; naive = engine zone)."""
        if not isinstance(value, str) or not value or value.upper().startswith('P'):
            return None
        try:
            with patches.engine_clock(self._now, self.zone):
                return TimerEventDefinition.parse_time_or_duration(value)
        except Exception:  # a broken value is reported as TimerError when the engine runs it
            return None

    def fire_due_timers(self, wf: BpmnWorkflow) -> list[str]:
        """Fire every timer due by the engine clock; return the bpmn ids of the fired timers."""
        before = {t.task_id: t for t in self.waiting_timers(wf)}
        if not before:
            return []
        with self._running('timers', wf):
            wf.refresh_timers()
            self._run_engine(wf)
        still = {t.task_id: t.due_at for t in self.waiting_timers(wf)}
        return [t.bpmn_id for tid, t in before.items() if tid not in still or still[tid] != t.due_at]

    def attached_timers(self, wf: BpmnWorkflow, task_id: str) -> list[WaitingTimer]:
        """Waiting boundary timers attached to the human task `task_id` (its deadline timers)."""
        task = self._task(wf, task_id)
        parent = task.parent
        if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
            return []
        siblings = {str(t.id) for t in parent.children if t is not task}
        return [t for t in self.waiting_timers(wf) if t.task_id in siblings]

    def reschedule_timer(self, wf: BpmnWorkflow, task_id: str, new_due: datetime) -> None:
        """Move a waiting timeDate/timeDuration timer to `new_due` (deadline suspended or extended)."""
        task = self._task(wf, task_id)
        event = getattr(task.task_spec, 'event_definition', None)
        if task.state != TaskState.WAITING or not isinstance(event, TimerEventDefinition):
            raise TaskNotReady(f"{task.task_spec.bpmn_id} 不是等待中的定时器")
        if not isinstance(event.details(task).value, str):
            raise TimerError(f"{task.task_spec.bpmn_id}: 周期定时器不能改期")
        due = new_due if new_due.tzinfo else new_due.replace(tzinfo=self.zone)
        task._set_internal_data(event_value=due.astimezone(self.zone).isoformat())

    # -- read models -------------------------------------------------------------------------

    def is_completed(self, wf: BpmnWorkflow) -> bool:
        """True when the workflow has finished."""
        return wf.is_completed()

    def case_data(self, wf: BpmnWorkflow) -> dict:
        """The latest data of the case: end data when finished, else merged data of the active tasks."""
        if wf.is_completed():
            base = wf.last_task.data if wf.last_task is not None else {}
            return {**base, **wf.data}
        active = sorted(wf.get_tasks(state=_ACTIVE), key=lambda t: t.last_state_change)
        data = dict(wf.last_task.data) if wf.last_task is not None else {}
        for task in active:
            data.update(task.data)
        return data

    def outcome(self, wf: BpmnWorkflow, data: dict | None = None) -> str | None:
        """The `outcome` label set before an end event, if any (`data`: case_data(wf) if already computed)."""
        value = (self.case_data(wf) if data is None else data).get('outcome')
        return str(value) if value not in (None, '') else None

    def element_states(self, wf: BpmnWorkflow) -> tuple[list[str], list[str]]:
        """BPMN element ids that are completed / active, for the diagram."""
        completed, active = [], []
        for task in wf.get_tasks(state=TaskState.COMPLETED | _ACTIVE):
            bpmn_id = task.task_spec.bpmn_id
            if bpmn_id is None:
                continue
            target = completed if task.state == TaskState.COMPLETED else active
            if bpmn_id not in target:
                target.append(bpmn_id)
        completed.extend(sorted(set(getattr(wf, 'qingfeng_history', ())) - set(completed)))
        return completed, active

    def case_requests(self, wf: BpmnWorkflow, data: dict | None = None) -> dict[str, dict]:
        """`start_case_<name>` requests present in the current data (`data`: case_data(wf) if already computed)."""
        data = self.case_data(wf) if data is None else data
        return {key[len('start_case_'):]: value for key, value in data.items()
                if key.startswith('start_case_') and isinstance(value, dict) and key != 'start_case_'}

    def completed_task_log(self, wf: BpmnWorkflow) -> list[dict]:
        """Completed human tasks still in the task tree (since the last prune), in completion order."""
        done = [t for t in wf.get_tasks(state=TaskState.COMPLETED) if t.task_spec.manual]
        done.sort(key=lambda t: t.last_state_change)
        return [{
            'task_id': str(t.id), 'bpmn_id': t.task_spec.bpmn_id, 'name': t.task_spec.bpmn_name,
            'lane': t.task_spec.lane,
            'completed_at': datetime.fromtimestamp(t.last_state_change, UTC).isoformat(),
        } for t in done]


def render_instructions(template: str | None, data: dict) -> str | None:
    """Replace `{{ name }}` placeholders with task data (missing names become empty)."""
    if template is None:
        return None
    return _PLACEHOLDER.sub(lambda m: '' if data.get(m.group(1)) is None else str(data.get(m.group(1))),
                            template)
