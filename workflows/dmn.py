"""DMN support: a decision engine whose cells run through the sandbox with DMN-style shorthands."""

from __future__ import annotations

import ast

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from .errors import ExpressionFailed


def is_any_cell(text: str | None) -> bool:
    """True for the DMN 'any value' cell (empty or `-`)."""
    return text is None or text.strip() in ('', '-')


def is_value_list(text: str) -> bool:
    """True for an unparenthesised comma list such as `"a","b"` (matches any of the values)."""
    stripped = text.strip()
    if stripped.startswith('('):
        return False
    try:
        tree = ast.parse(stripped, mode='eval')
    except SyntaxError:
        return False
    return isinstance(tree.body, ast.Tuple)


def cell_as_expression(input_expr: str, cell: str) -> str:
    """The sandbox expression a DMN input cell stands for (used by the linter)."""
    if is_value_list(cell):
        return f'({input_expr}) in ({cell.strip()},)'
    try:
        ast.parse(cell.strip(), mode='eval')
        return f'({input_expr}) == ({cell.strip()})'
    except SyntaxError:
        return f'{input_expr} {cell.strip()}'


class HitPolicyViolated(ExpressionFailed):
    """A UNIQUE decision table matched more than one rule (its rows overlap)."""


class SandboxDMNEngine(DMNEngine):
    """DMNEngine that understands `-`, value lists and FEEL booleans before handing cells to the sandbox.

    Hit policies as DMN defines them: UNIQUE means at most one rule may match (SpiffWorkflow returns the
    first match and hides an overlap), FIRST returns the first matching rule in order, COLLECT all.
    """

    def decide(self, task):
        """The matching rules; more than one under UNIQUE is an error naming the rules."""
        table = self.decision_table
        if table.hit_policy != 'UNIQUE':
            return super().decide(task)
        # DMNEngine keeps its per-rule check private (name-mangled); it is the one SpiffWorkflow uses.
        matched = [rule for rule in table.rules if self._DMNEngine__check_rule(rule, task)]
        if len(matched) > 1:
            ids = ', '.join(str(rule.id) for rule in matched)
            raise HitPolicyViolated(
                f"决策表 {table.id} 的命中策略为 UNIQUE，但同时命中多行：{ids}（应改为 FIRST 或消除重叠）", table.id)
        return matched

    def evaluate(self, input_expr, match_expr, task):
        """Evaluate one input cell against the input expression."""
        if is_any_cell(match_expr):
            return True
        if '?' not in match_expr and is_value_list(match_expr):
            return task.workflow.script_engine.evaluate(task, cell_as_expression(input_expr, match_expr))
        return super().evaluate(input_expr, match_expr.strip(), task)


class QingfengParser(SpiffBpmnParser):
    """SpiffBpmnParser that builds sandbox-aware DMN engines."""

    def get_engine(self, decision_ref, node):
        """Return the decision engine for a business rule task."""
        engine = super().get_engine(decision_ref, node)
        return SandboxDMNEngine(engine.decision_table)
