"""DMN support: a decision engine whose cells run through the sandbox with DMN-style shorthands."""

from __future__ import annotations

import ast

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser


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


class SandboxDMNEngine(DMNEngine):
    """DMNEngine that understands `-`, value lists and FEEL booleans before handing cells to the sandbox."""

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
