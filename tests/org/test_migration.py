"""An existing database migrates: roles become positions held since the account existed, cases get a department."""

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from service.migrate import alembic_config
from tests.conftest import database_url

BEFORE = "2bdd58532a45"


@pytest.mark.skipif(bool(database_url()), reason="runs on a scratch SQLite file (the PostgreSQL test schema is shared)")
def test_roles_become_positions_and_cases_get_their_handlers_department(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, BEFORE)
    engine = create_engine(url)
    at = datetime(2025, 1, 1, tzinfo=UTC).isoformat()
    with engine.begin() as conn:
        for uid, name, roles, dept in [(1, "h", "handler", "第一监督检查室"), (2, "s", "supervisor", "第一监督检查室"),
                                       (3, "l", "leader", "纪工委"), (4, "i", "intake", "信访室")]:
            conn.execute(text("INSERT INTO users (id, username, display_name, password_hash, roles, department, active,"
                              " created_at) VALUES (:id, :u, :u, '!', :r, :d, 1, :at)"),
                         {"id": uid, "u": name, "r": roles, "d": dept, "at": at})
        conn.execute(text("INSERT INTO process_versions (id, process_key, version, name, sha256, files, start_roles,"
                          " deployed_at, comment) VALUES (1, 'p', 1, 'p', 'x', '{}', 'intake', :at, '')"), {"at": at})
        for cid, handler in [(1, 1), (2, None)]:
            conn.execute(text("INSERT INTO cases (id, reference, title, process_key, process_version_id, status, stage,"
                              " subject_name, subject_unit, clue_no, department, handler_id, created_by_id, created_at,"
                              " updated_at, state, version) VALUES (:id, :ref, 't', 'p', 1, 'open', '', '', '', '', '',"
                              " :h, 4, :at, :at, '{}', 1)"), {"id": cid, "ref": f"GX-{cid}", "h": handler, "at": at})
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        positions = conn.execute(text("SELECT u.username, p.kind, d.name FROM positions p"
                                      " JOIN users u ON u.id = p.user_id"
                                      " LEFT JOIN departments d ON d.id = p.department_id ORDER BY u.id")).all()
        assert [tuple(r) for r in positions] == [("h", "member", "第一监督检查室"), ("s", "head", "第一监督检查室"),
                                                 ("l", "principal", None), ("i", "intake", None)]
        cases = conn.execute(text("SELECT c.id, d.name FROM cases c LEFT JOIN departments d ON d.id = c.department_id"
                                  " ORDER BY c.id")).all()
        assert [tuple(r) for r in cases] == [(1, "第一监督检查室"), (2, "第一监督检查室")]
    engine.dispose()
