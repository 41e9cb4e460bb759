"""The engine layer stays a library: no web, database or service imports."""

import ast
from pathlib import Path

import workflows

FORBIDDEN = ('flask', 'flask_', 'sqlalchemy', 'marshmallow', 'service', 'werkzeug', 'alembic', 'psycopg')
PACKAGE = Path(workflows.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_module_in_workflows_imports_flask_sqlalchemy_marshmallow_or_service():
    offenders = {}
    for path in sorted(PACKAGE.rglob('*.py')):
        bad = sorted(m for m in imported_modules(path)
                     if any(m == f or m.startswith(f + '.') or (f.endswith('_') and m.startswith(f))
                            for f in FORBIDDEN))
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = bad
    assert offenders == {}


def test_the_layering_check_would_notice_a_forbidden_import(tmp_path):
    module = tmp_path / 'm.py'
    module.write_text('import flask_login\nfrom service.models import Case\nfrom .x import y\n')
    assert imported_modules(module) == {'flask_login', 'service.models'}
