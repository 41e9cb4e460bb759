"""The expression sandbox: what it refuses, what it allows, and its limits."""

from datetime import UTC, datetime

import pytest

from workflows import guards
from workflows.errors import ExpressionFailed, ExpressionLimitExceeded, ExpressionRejected, WorkflowError
from workflows.sandbox import SandboxEnvironment, check_expression, check_script

FIXED = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)   # Monday 09:30 in Beijing


@pytest.fixture
def env():
    return SandboxEnvironment(clock=lambda: FIXED, tz='Asia/Shanghai')


def data():
    return {'severity': 'serious', 'amount': 5000, 'n': 15, 'x': 'a', 'settings': {'x': 3},
            'name': ' Zhang ', 'items': [1, 2, 3], 'received_date': '2026-03-02'}


ATTACKS = [
    "__import__('os').system('id')",
    "open('/etc/passwd').read()",
    "open('/etc/passwd')",
    "().__class__.__base__.__subclasses__()",
    "''.__class__",
    "x.__class__",
    "getattr(x, '__class__')",
    "eval('1+1')",
    "exec('import os')",
    "compile('1', 'f', 'eval')",
    "globals()",
    "type(x)",
    "[c for c in ().__class__.__mro__]",
    "(lambda: 1)()",
    "__builtins__",
    "_secret",
    "name.encode()",
    "settings.__getitem__('x')",
    "f'{x.__class__}'",
    "{**settings}",
    "max(*items)",
    "x := 1",
]


@pytest.mark.parametrize('source', ATTACKS)
def test_attack_expressions_are_refused_before_running(source, env):
    assert check_expression(source) is not None
    with pytest.raises(ExpressionRejected):
        env.evaluate(source, data())


SCRIPT_ATTACKS = [
    "import os\nos.system('id')",
    "from os import system",
    "while True:\n    pass",
    "for i in items:\n    x = i",
    "def f():\n    pass",
    "class A:\n    pass",
    "global x\nx = 1",
    "del x",
    "x.y = 1",
    "a, b = 1, 2",
    "len = 3",
    "try:\n    x = 1\nexcept Exception:\n    pass",
    "with open('f') as f:\n    pass",
    "x",
    "items[0] += 1",
]


@pytest.mark.parametrize('source', SCRIPT_ATTACKS)
def test_attack_scripts_are_refused_before_running(source, env):
    assert check_script(source) is not None
    with pytest.raises(ExpressionRejected):
        env.execute(source, data())


RUNTIME_REFUSALS = [
    ("'{0.__class__}'.format(x)", ExpressionFailed),
    ("'{0[0]}'.format(items)", ExpressionFailed),
    ("'%s' % x", ExpressionFailed),
    ("items.get(1)", ExpressionFailed),
    ("sum([[1], [2]], [])", ExpressionFailed),
    ("'x' * 10**9", ExpressionLimitExceeded),
    ("10**10**10", ExpressionLimitExceeded),
    ("[0]*10**9", ExpressionLimitExceeded),
    ("2 << 100000", ExpressionLimitExceeded),
    ("('x' * 90000) + ('y' * 20000)", ExpressionLimitExceeded),
    ("('ab' * 50000).replace('a', 'aaaa')", ExpressionLimitExceeded),
    ("str([['x' * 90000] * 10] * 10)", ExpressionLimitExceeded),
    ("round(10, -10**9)", ExpressionFailed),
    ("workdays_add(received_date, 10**9)", ExpressionFailed),
]


@pytest.mark.parametrize(('source', 'error'), RUNTIME_REFUSALS)
def test_dangerous_values_are_stopped_while_running(source, error, env):
    assert check_expression(source) is None
    with pytest.raises(error):
        env.evaluate(source, data())


ALLOWED = [
    ("severity == 'serious' and amount > 1000", True),
    ("x in ['a', 'b']", True),
    ("get(settings, 'x', 15)", 3),
    ("get(settings, 'missing', 15)", 15),
    ('f"P{n}D"', 'P15D'),
    ("{'a': [1, 2], 'b': (3,), 'c': {4}}", {'a': [1, 2], 'b': [3], 'c': [4]}),   # results are JSON-safe
    ("amount * 2 + 1 - 3 / 3", 10000.0),
    ("2 ** 10", 1024),
    ("'高' if amount > 1000 else '低'", '高'),
    ("items[1:]", [2, 3]),
    ("name.strip().lower()", 'zhang'),
    ("','.join(['a', 'b'])", 'a,b'),
    ("'{} 件'.format(n)", '15 件'),
    ("sorted(settings.keys())", ['x']),
    ("len(items) + sum(items) + max(items)", 12),
    ("not (amount < 10 or x is None)", True),
    ("true and not false and null is None", True),
    ("today()", '2026-03-02'),
    ("now()", '2026-03-02T09:30:00+08:00'),
    ("days_between('2026-03-01', '2026-03-31')", 30),
    ("date_add_months('2026-01-31', 1)", '2026-02-28'),
    ("workdays_add('2026-03-02', 5)", '2026-03-09'),
    ("workday_deadline(received_date, 15)", '2026-03-23T23:59:59+08:00'),
    ("workday_deadline('2026-03-02T10:00:00+08:00', 1)", '2026-03-03T23:59:59+08:00'),
    ("f'{amount:>8}'", '    5000'),
]


@pytest.mark.parametrize(('source', 'expected'), ALLOWED)
def test_allowed_expressions_evaluate(source, expected, env):
    assert check_expression(source) is None
    assert env.evaluate(source, data()) == expected


def test_scripts_assign_update_and_branch_into_task_data(env):
    context = data()
    script = ("deadline_days = 15\ncount = 1\ncount += 2\ncount *= 3\nsettings['y'] = 4\n"
              "if amount > 10000:\n    level = 'high'\nelif amount > 1000:\n    level = 'mid'\n"
              "else:\n    pass\n"
              "label = f'{level}-{count}'")
    assert check_script(script) is None
    env.execute(script, context)
    assert context['deadline_days'] == 15
    assert context['count'] == 9
    assert context['settings'] == {'x': 3, 'y': 4}
    assert context['label'] == 'mid-9'


def test_scripts_do_not_leak_helpers_or_guards_into_task_data(env):
    context = {}
    env.execute("x = 1", context)
    assert context == {'x': 1}


def test_unknown_variable_is_an_expression_failure_with_a_chinese_message(env):
    with pytest.raises(ExpressionFailed) as caught:
        env.evaluate("missing > 1", data())
    assert "missing" in caught.value.message and "未定义" in caught.value.message
    assert caught.value.expression == "missing > 1"


def test_division_by_zero_is_an_expression_failure(env):
    with pytest.raises(ExpressionFailed, match="除数为零"):
        env.evaluate("amount / 0", data())


def test_syntax_errors_are_rejected_with_a_message():
    assert "语法错误" in check_expression("x ==== 1")
    assert "语法错误" in check_script("x = = 1")


def test_too_long_sources_are_rejected():
    assert check_expression("1 + " * 3000 + "1") is not None
    assert check_expression("x" * 30000) is not None


def test_the_deadline_stops_an_evaluation(env, monkeypatch):
    monkeypatch.setattr(guards, 'TIME_LIMIT', -1.0)
    with pytest.raises(ExpressionLimitExceeded, match="超时"):
        env.evaluate("'a' * 3", data())


def test_the_allocation_budget_bounds_one_evaluation(env):
    script = "\n".join(f"v{i} = 'x' * 90000" for i in range(15))
    with pytest.raises(ExpressionLimitExceeded):
        env.execute(script, {})


def test_each_limit_error_is_a_workflow_error():
    assert issubclass(ExpressionLimitExceeded, ExpressionFailed)
    assert issubclass(ExpressionRejected, WorkflowError)


def test_compiled_code_is_cached_by_source(env):
    from workflows.sandbox import compile_expression
    assert compile_expression("amount > 1") is compile_expression("amount > 1")


def test_self_referencing_data_is_refused_instead_of_reaching_the_serializer(env):
    with pytest.raises(ExpressionLimitExceeded, match="循环引用") as caught:
        env.execute("d = {}\nd['k'] = d", {})
    assert caught.value.expression == "d = {}\nd['k'] = d"


def test_doubling_a_structure_through_literals_hits_the_size_limit(env):
    script = "a = ['x' * 1000]\n" + "a = [a, a]\n" * 20
    with pytest.raises(ExpressionLimitExceeded):
        env.execute(script, {})


@pytest.mark.parametrize('source', [
    'f"{x:' + '9' * 5000 + '}"',        # a width too long even to convert to int
    '-' * 900 + '1',                    # nesting that overflows the compiler's recursion
    '[' * 1000 + ']' * 1000,
    'not ' * 1900 + 'x',
])
def test_pathological_sources_fail_closed_with_a_message(source):
    assert isinstance(check_expression(source), str)
