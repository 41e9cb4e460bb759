"""Drop finished history from a workflow's task tree so stored state and per-step cost stay flat.

SpiffWorkflow keeps every task a case ever ran and walks the whole tree on each step, so a case that
loops (repeated inquiries, periodic reviews, visits) gets slower and heavier with age. What the
engine still needs is only the subtree under the deepest finished task that is an ancestor of every
unfinished task: joins, boundary events and gateways all look downward from a split that is itself
such an ancestor. Everything above and beside it is history, which the audit trail keeps; the BPMN
ids of the completed steps dropped are returned so the diagram can still show them.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

_DONE = TaskState.COMPLETED | TaskState.CANCELLED


def _common_ancestor(live: list) -> list:
    """Ancestors shared by every live task, root first (the live tasks themselves excluded)."""
    chain = []
    node = live[0].parent
    while node is not None:
        chain.append(node)
        node = node.parent
    chain.reverse()
    index = {task.id: i for i, task in enumerate(chain)}
    limit = len(chain) - 1
    for task in live[1:]:
        node = task.parent
        while node is not None and node.id not in index:
            node = node.parent
        if node is None:
            return []
        limit = min(limit, index[node.id])
    return chain[: limit + 1]


def prune_history(wf: BpmnWorkflow) -> set[str]:
    """Re-root the task tree at the deepest completed common ancestor of the unfinished tasks.

    Returns the bpmn ids of completed tasks removed. Workflows with subprocesses and finished
    workflows are left as they are.
    """
    if wf.subprocesses:
        return set()
    live = [task for task in wf.tasks.values() if not task.has_state(_DONE)]
    if not live:
        return set()
    chain = _common_ancestor(live)
    position = len(chain) - 1
    while position > 0 and chain[position].state != TaskState.COMPLETED:
        position -= 1
    if position <= 0:
        return set()
    new_root = chain[position]
    keep, stack = set(), [new_root]
    while stack:
        task = stack.pop()
        keep.add(task.id)
        stack.extend(task.children)
    removed = [task for task_id, task in wf.tasks.items() if task_id not in keep]
    history = {t.task_spec.bpmn_id for t in removed if t.state == TaskState.COMPLETED and t.task_spec.bpmn_id}
    for task in removed:
        del wf.tasks[task.id]
    new_root.parent = None
    wf.task_tree = new_root
    if wf.last_task is not None and wf.last_task.id not in keep:
        wf.last_task = None
    return history
