"""Process versions side by side: what changed between two bundles, and moving a running workflow across.

The service asks two things: `bundle_diff` (flow nodes added, removed, changed; files too) for the
designer, and `migrate` for an open case. `migrate` refuses (`MigrationRefused`, with the reason in
Chinese) when the case waits on, or has passed, a node the new version no longer has; otherwise it
moves the workflow in memory, runs its engine steps under the engine's clock and proves that the
result saves and restores on the new version. Nothing is stored here: a dry run is a migration
whose result the caller does not store.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from .engine import WorkflowEngine
from .errors import WorkflowError
from .specs import ProcessBundle

_WAITING = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
_PREDICTED = TaskState.MAYBE | TaskState.LIKELY | TaskState.FUTURE


class MigrationRefused(WorkflowError):
    """The workflow cannot move to the new version safely; the message says why."""


def _node(spec) -> dict:
    return {"id": spec.bpmn_id, "name": spec.bpmn_name or "", "type": type(spec).__name__}


def bundle_diff(engine: WorkflowEngine, old: ProcessBundle, new: ProcessBundle) -> dict:
    """Flow nodes added, removed and changed (with the changed spec fields) between two bundles, plus files."""
    registry = engine.serializer.registry
    added, removed, changed = [], [], []
    pairs = [(old.spec, new.spec)] + [(old.subprocess_specs.get(k), new.subprocess_specs.get(k))
                                      for k in sorted(set(old.subprocess_specs) | set(new.subprocess_specs))]
    for before, after in pairs:
        if before is None or after is None:
            side = added if before is None else removed
            spec = after if before is None else before
            if spec is not None:
                side += [_node(ts) for ts in spec.task_specs.values() if ts.bpmn_id]
            continue
        diff = SpecDiff(registry, before, after)
        added += [_node(ts) for ts in diff.added if ts.bpmn_id]
        removed += [_node(ts) for ts in diff.removed if ts.bpmn_id]
        for ts, fields in diff.changed.items():
            if ts.bpmn_id:
                entry = _node(diff.alignment.get(ts) or ts)
                entry["was"] = {"id": ts.bpmn_id, "name": ts.bpmn_name or ""}
                entry["fields"] = sorted(fields)
                changed.append(entry)
    files = {
        "added": sorted(set(new.files) - set(old.files)),
        "removed": sorted(set(old.files) - set(new.files)),
        "changed": sorted(n for n in set(old.files) & set(new.files) if old.files[n] != new.files[n]),
    }
    by_id = lambda items: sorted(items, key=lambda n: n["id"])  # noqa: E731
    return {"added": by_id(added), "removed": by_id(removed), "changed": by_id(changed), "files": files}


def _task_label(task) -> str:
    spec = task.task_spec
    return f"“{spec.bpmn_name or spec.bpmn_id}”({spec.bpmn_id})"


def _refusal(diff, where: str = "") -> str | None:
    waiting = [t for t in diff.removed if t.task_spec.bpmn_id and t.state & _WAITING]
    if waiting:
        names = "、".join(dict.fromkeys(_task_label(t) for t in waiting))
        return f"案件{where}正在等待的任务 {names} 在新版本中已删除"
    passed = [t for t in diff.removed if t.task_spec.bpmn_id and not t.state & _PREDICTED]
    if passed:
        names = "、".join(dict.fromkeys(_task_label(t) for t in passed))
        return f"案件{where}已经过的步骤 {names} 在新版本中已删除，无法安全迁移"
    return None


def migrate(engine: WorkflowEngine, wf: BpmnWorkflow, new: ProcessBundle) -> BpmnWorkflow:
    """Move `wf` (in place) onto `new` and run it to its next wait state; refuse what would be unsafe."""
    top_diff, sp_diffs = diff_workflow(engine.serializer.registry, wf, new.spec, new.subprocess_specs)
    reason = _refusal(top_diff)
    for sp_id, sp_diff in sp_diffs.items():
        if reason:
            break
        if sp_diff is None:
            reason = f"案件正在运行的子流程 {wf.subprocesses[sp_id].spec.name} 在新版本中已不存在"
        else:
            reason = _refusal(sp_diff, f"子流程 {wf.subprocesses[sp_id].spec.name} 中")
    if reason:
        raise MigrationRefused(reason)
    try:
        with engine._running("migrate", wf):   # the engine clock, and engine errors as WorkflowError
            migrate_workflow(top_diff, wf, new.spec)
            for sp_id, sp_diff in sp_diffs.items():
                sub = wf.subprocesses[sp_id]
                migrate_workflow(sp_diff, sub, new.subprocess_specs[sub.spec.name])
            wf.subprocess_specs = dict(new.subprocess_specs)
            engine._run_engine(wf)   # bounded in steps and time like every engine run
        engine.restore(new, engine.dump(wf))   # the migrated state must save and restore
    except WorkflowError as exc:  # engine failures while migrating refuse this case only
        raise MigrationRefused(f"迁移后流程无法继续运行: {exc}") from exc
    return wf
