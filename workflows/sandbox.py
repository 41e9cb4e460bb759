"""The one sandboxed environment for conditions, scripts, DMN cells, timers and `deadline` properties.

Mechanism (why this is a sandbox and not just "eval without builtins"):

1. Whitelist.  Source is parsed with `ast` and every node is checked against a whitelist: literals,
   names, arithmetic, comparisons, boolean logic, `x if c else y`, subscripts/slices, f-strings and
   calls of helper functions.  Scripts may also use `name = expr`, `name[key] = expr`, `name += expr`,
   `if/elif/else` and `pass`.  There are no loops, comprehensions, lambdas, imports, definitions,
   `global`, `del`, starred arguments or `**kwargs`; names starting with `_` and well-known escape
   hatches (`getattr`, `eval`, `open`, `type`, ...) are refused; attribute access exists only as a
   direct call of a whitelisted str/dict method, which is rewritten into `_method(obj, 'name', ...)`
   and re-checked against the value's type at run time.  Without attribute access and dunder names
   no object graph walk (`().__class__.__base__...`) can be written.
2. Bounded work.  Without loops or recursion the number of operations is bounded by the node count
   (at most `MAX_NODES`, source at most `MAX_SOURCE` characters).  The operators that can make huge
   values (`+ * ** << %`), literals, f-string parts, method calls and the converting helpers are
   rewritten into guard functions (workflows.guards) that refuse results over 100k items/characters
   or 4096-bit integers *before* computing them, and charge every produced value against a
   per-evaluation allocation budget.  So every single operation is small and fast.
3. Time.  Each evaluation runs under a deadline (0.25 s of the thread's CPU time, `time.thread_time`,
   so a busy machine does not fail honest expressions) stored in a context variable; every guard call
   checks it, and it is checked once more when the evaluation ends.  No `sys.settrace` or signals are
   used (signals only work in the main thread); point 2 makes the gaps between checks short, so the
   deadline is effective.
4. Execution.  The checked tree is compiled (cached with `lru_cache` keyed by source) and run with
   `{'__builtins__': {}}` plus the helper namespace; after a script, new or changed variables are
   copied back into the task data (underscore names dropped); a value that is not plain JSON (a function,
   NaN/Infinity, an object, a non-text key), even nested in a list or dict, is an error naming the variable.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)

from .bounds import DEFAULT_BOUNDS, RunBounds, timer_problem
from .errors import ExpressionFailed, ExpressionLimitExceeded, ExpressionRejected, TimerError, WorkflowError
from .guards import GUARDS, SAFE_METHODS, check_format_spec, limits
from .helpers import HELPER_NAMES, build_helpers
from .jsondata import MAX_DATA_DEPTH, json_problem

MAX_NODES = 2000
MAX_SOURCE = 20_000

FORBIDDEN_NAMES = frozenset({
    'eval', 'exec', 'compile', 'getattr', 'setattr', 'delattr', 'hasattr', 'open', 'globals', 'locals',
    'vars', 'dir', 'type', 'object', 'super', 'breakpoint', 'input', 'help', 'memoryview', 'bytearray',
    'print', 'exit', 'quit', 'classmethod', 'staticmethod', 'property', 'callable', 'id', 'iter', 'next',
})

_EXPR_NODES = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add,
    ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift, ast.RShift, ast.BitAnd,
    ast.BitOr, ast.BitXor, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Invert, ast.Compare, ast.Eq,
    ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot, ast.IfExp,
    ast.Subscript, ast.Slice, ast.JoinedStr, ast.FormattedValue, ast.List, ast.Tuple, ast.Set, ast.Dict,
    ast.Call, ast.keyword, ast.Attribute,
)
_SCRIPT_NODES = _EXPR_NODES + (ast.Module, ast.Assign, ast.AugAssign, ast.If, ast.Pass, ast.Expr, ast.Store)
_AUG_OPS = (ast.Add, ast.Sub, ast.Mult)

_NODE_NAMES = {
    'For': 'for 循环', 'While': 'while 循环', 'ListComp': '列表推导式', 'DictComp': '字典推导式',
    'SetComp': '集合推导式', 'GeneratorExp': '生成器表达式', 'Lambda': 'lambda', 'Import': 'import',
    'ImportFrom': 'import', 'FunctionDef': '函数定义', 'ClassDef': '类定义', 'Global': 'global',
    'Nonlocal': 'nonlocal', 'Delete': 'del', 'Try': 'try', 'With': 'with', 'Raise': 'raise',
    'Return': 'return', 'Starred': '星号展开', 'NamedExpr': ':= 赋值表达式', 'Await': 'await',
    'Yield': 'yield', 'AsyncFunctionDef': '函数定义', 'Assert': 'assert', 'Match': 'match',
}


class _Checker:
    """Walk a parsed tree and collect the first whitelist violation."""

    def __init__(self, allowed: tuple, script: bool):
        self.allowed = allowed
        self.script = script

    def check(self, tree: ast.AST) -> str | None:
        nodes = list(ast.walk(tree))
        self.method_funcs = {id(n.func) for n in nodes
                             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
        if len(nodes) > MAX_NODES:
            return f"表达式过长 (超过 {MAX_NODES} 个语法节点)"
        for node in nodes:
            problem = self._check_node(node)
            if problem:
                line = getattr(node, 'lineno', None)
                return f"第 {line} 行: {problem}" if self.script and line else problem
        return None

    def _check_node(self, node: ast.AST) -> str | None:
        if not isinstance(node, self.allowed):
            kind = type(node).__name__
            return f"不允许使用 {_NODE_NAMES.get(kind, kind)}"
        if isinstance(node, ast.Name):
            return self._check_name(node)
        if isinstance(node, ast.Attribute) and id(node) not in self.method_funcs:
            return f"不允许访问属性 .{node.attr} (只能直接调用允许的方法)"
        if isinstance(node, ast.Call):
            return self._check_call(node)
        if isinstance(node, ast.Dict) and any(k is None for k in node.keys):
            return "不允许使用 ** 展开"
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            return self._check_spec(node.format_spec)
        if isinstance(node, ast.Assign):
            return next(filter(None, map(self._check_target, node.targets)), None)
        if isinstance(node, ast.AugAssign):
            if not isinstance(node.target, ast.Name) or not isinstance(node.op, _AUG_OPS):
                return "增量赋值只支持 name += / -= / *= expr"
            return self._check_target(node.target)
        if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Call):
            return "脚本中的单独表达式只能是函数调用"
        return None

    @staticmethod
    def _check_name(node: ast.Name) -> str | None:
        if node.id.startswith('_'):
            return f"不允许使用以下划线开头的名称: {node.id}"
        if node.id in FORBIDDEN_NAMES:
            return f"不允许使用 {node.id}"
        return None

    @staticmethod
    def _check_call(node: ast.Call) -> str | None:
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr not in SAFE_METHODS:
                return f"不允许调用方法 .{func.attr}()"
            if isinstance(func.value, ast.Attribute):
                return "不允许访问属性"
        elif not isinstance(func, ast.Name):
            return "只能调用内置辅助函数"
        elif func.id not in HELPER_NAMES:
            return f"未知函数 {func.id}()"
        if any(kw.arg is None for kw in node.keywords):
            return "不允许使用 ** 展开"
        return None

    @staticmethod
    def _check_spec(spec: ast.AST) -> str | None:
        if not isinstance(spec, ast.JoinedStr) or not all(isinstance(v, ast.Constant) for v in spec.values):
            return "f-string 的格式说明只能是常量"
        return check_format_spec(''.join(str(v.value) for v in spec.values))

    @staticmethod
    def _check_target(target: ast.AST) -> str | None:
        while isinstance(target, ast.Subscript):
            target = target.value
        if not isinstance(target, ast.Name):
            return "只能给变量或 变量[键] 赋值"
        if target.id in HELPER_NAMES:
            return f"不能给内置函数名 {target.id} 赋值"
        return None


def _guard_call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


class _Rewriter(ast.NodeTransformer):
    """Route size-producing operations through the guard functions."""

    _BINOPS = {ast.Add: '_add', ast.Mult: '_mul', ast.Pow: '_pow', ast.LShift: '_lshift', ast.Mod: '_mod'}

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        guard = self._BINOPS.get(type(node.op))
        return _guard_call(guard, node.left, node.right) if guard else node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        current = ast.Name(id=node.target.id, ctx=ast.Load())
        value = ast.BinOp(left=current, op=node.op, right=node.value)
        return ast.Assign(targets=[node.target], value=self.visit_BinOp(value))

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Attribute):
            args = [node.func.value, ast.Constant(node.func.attr), *node.args]
            return ast.Call(func=ast.Name(id='_method', ctx=ast.Load()), args=args, keywords=node.keywords)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node.value = _guard_call('_fmt', self.visit(node.value))
        return node

    def _literal(self, node: ast.AST) -> ast.AST:
        self.generic_visit(node)
        if isinstance(getattr(node, 'ctx', ast.Load()), ast.Load):
            return _guard_call('_lit', node)
        return node

    visit_List = visit_Tuple = visit_Set = visit_Dict = visit_JoinedStr = _literal


def _parse(source: str, mode: str) -> ast.AST:
    if not isinstance(source, str):
        raise ExpressionRejected("表达式必须是文本", str(source))
    if len(source) > MAX_SOURCE:
        raise ExpressionRejected(f"表达式过长 (超过 {MAX_SOURCE} 个字符)", source[:200])
    try:
        return ast.parse(source.strip() if mode == 'eval' else source, mode=mode)
    except SyntaxError as exc:
        raise ExpressionRejected(f"语法错误 (第 {exc.lineno} 行): {exc.msg}", source)
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionRejected("表达式嵌套过深或无法解析", source)


@lru_cache(maxsize=4096)
def _compile(source: str, mode: str):
    tree = _parse(source, mode)
    try:
        problem = _Checker(_EXPR_NODES if mode == 'eval' else _SCRIPT_NODES, mode == 'exec').check(tree)
    except Exception as exc:  # the checker must fail closed
        problem = f"无法检查: {type(exc).__name__}"
    if problem:
        raise ExpressionRejected(problem, source)
    try:
        return compile(ast.fix_missing_locations(_Rewriter().visit(tree)), '<sandbox>', mode)
    except (SyntaxError, RecursionError, ValueError, MemoryError) as exc:
        raise ExpressionRejected(f"无法编译: {exc}", source)


def compile_expression(source: str):
    """Check and compile an expression; raise ExpressionRejected."""
    return _compile(source, 'eval')


def compile_script(source: str):
    """Check and compile a script; raise ExpressionRejected."""
    return _compile(source, 'exec')


def check_expression(source: str) -> str | None:
    """Return a Chinese error message when the expression is not allowed, else None."""
    try:
        compile_expression(source)
    except ExpressionRejected as exc:
        return exc.message
    return None


def check_script(source: str) -> str | None:
    """Return a Chinese error message when the script is not allowed, else None."""
    try:
        compile_script(source)
    except ExpressionRejected as exc:
        return exc.message
    return None


def _runtime_error(exc: Exception, source: str) -> WorkflowError:
    if isinstance(exc, WorkflowError):
        if isinstance(exc, ExpressionFailed | ExpressionRejected) and not exc.expression:
            exc.expression = source
        return exc
    if isinstance(exc, MemoryError | RecursionError | OverflowError):
        return ExpressionLimitExceeded(f"表达式超出计算限制: {type(exc).__name__}", source)
    if isinstance(exc, NameError):
        return ExpressionFailed(f"变量 '{getattr(exc, 'name', None) or exc}' 未定义", source)
    if isinstance(exc, ZeroDivisionError):
        return ExpressionFailed("除数为零", source)
    if isinstance(exc, KeyError):
        return ExpressionFailed(f"键 {exc} 不存在", source)
    if isinstance(exc, IndexError):
        return ExpressionFailed(f"下标越界: {exc}", source)
    return ExpressionFailed(f"表达式计算出错 ({type(exc).__name__}): {exc}", source)


def json_safe(value, path: str = '', depth: int = 0):
    """Turn sets, tuples and dict views into lists (recursively) so task data stays JSON; refuse what is
    not JSON at all (functions, NaN/Infinity, other objects, non-text keys) naming where it sits."""
    if depth > MAX_DATA_DEPTH:
        raise ExpressionLimitExceeded(f"数据嵌套过深或存在循环引用 (超过 {MAX_DATA_DEPTH} 层)")
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ExpressionFailed(f"{path or '结果'}: 对象的键必须是文本")
        return {k: json_safe(v, f"{path}.{k}" if path else k, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset) or type(value).__name__.startswith('dict_'):
        return [json_safe(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
    found = json_problem(value, path)
    if found:
        raise ExpressionFailed(f"{found[0] or '结果'}: {found[1]}")
    return value


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Spiff script environment that runs everything through the whitelisted, bounded sandbox."""

    def __init__(self, clock: Callable[[], datetime] | None = None, tz: str = 'Asia/Shanghai', calendar=None):
        super().__init__({**build_helpers(clock, tz, calendar), **GUARDS, '__builtins__': {}})

    def _namespace(self, context: dict, external_context: dict | None) -> dict:
        # Helpers and guards win over task data of the same name.
        return {**context, **(external_context or {}), **self.globals}

    def evaluate(self, expression, context, external_context=None):
        """Evaluate an expression against task data."""
        code = compile_expression(expression)
        namespace = self._namespace(context, external_context)
        try:
            with limits(expression):
                result = eval(code, namespace)  # noqa: S307 - checked, rewritten tree; empty builtins
        except Exception as exc:
            raise _runtime_error(exc, expression) from exc
        return json_safe(result)

    def execute(self, script, context, external_context=None):
        """Run a script and copy new or changed variables back into the task data."""
        code = compile_script(script)
        namespace = self._namespace(context, external_context)
        try:
            with limits(script):
                exec(code, namespace)  # noqa: S102 - checked, rewritten tree; empty builtins
        except Exception as exc:
            raise _runtime_error(exc, script) from exc
        skip = set(self.globals) | set(external_context or {})
        updates = {name: value for name, value in namespace.items()
                   if name not in skip and not name.startswith('_')}
        try:
            # Also re-normalizes values mutated in place (`d[k] = {1}`), so data stays JSON.
            context.update({name: json_safe(value, name) for name, value in updates.items()})
        except WorkflowError as exc:
            raise _runtime_error(exc, script) from exc
        return True

    def call_service(self, context, **kwargs):
        """Service tasks are not supported."""
        raise ExpressionRejected("不支持服务任务 (serviceTask)")


_TIMER_KINDS = {TimeDateEventDefinition: 'timeDate', DurationTimerEventDefinition: 'timeDuration',
                CycleTimerEventDefinition: 'timeCycle'}


class SandboxScriptEngine(PythonScriptEngine):
    """PythonScriptEngine whose validation also applies the sandbox whitelist, and whose timer values
    are checked against the run bounds before SpiffWorkflow computes with them."""

    def __init__(self, clock: Callable[[], datetime] | None = None, tz: str = 'Asia/Shanghai', calendar=None,
                 bounds: RunBounds = DEFAULT_BOUNDS):
        super().__init__(environment=SandboxEnvironment(clock, tz, calendar))
        self.bounds = bounds

    def evaluate(self, task, expression, external_context=None):
        """Evaluate; a timer expression's value must be a sane date, duration or cycle."""
        value = super().evaluate(task, expression, external_context)
        event = getattr(task.task_spec, 'event_definition', None)
        kind = _TIMER_KINDS.get(type(event))
        if kind is not None and expression == event.expression:
            problem = timer_problem(kind, value, self.bounds)
            if problem:
                error = TimerError(f"{task.task_spec.bpmn_id or task.task_spec.name}: 定时器取值不被接受: {problem}")
                error.bpmn_id, error.task_id = task.task_spec.bpmn_id, str(task.id)
                raise error
        return value


def unwrap_error(exc: BaseException) -> WorkflowError | None:
    """Find our own WorkflowError in the cause/context chain of a (Spiff) exception."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, WorkflowError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None
