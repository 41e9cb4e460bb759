"""The case list stays fast with 100,000 cases (rows inserted directly; pages go through the real views)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from service.models import ProcessVersion

pytestmark = pytest.mark.slow
CASES = 100_000
BUDGET_SECONDS = 1.5  # generous for slow CI machines; ~0.1 s on a laptop with SQLite


def _insert_cases(svc, users) -> None:
    start = datetime(2026, 3, 2, 1, tzinfo=UTC).replace(tzinfo=None)
    with svc.db.read_session() as session:
        version_id = session.scalar(select(ProcessVersion.id))
    rows = [{"ref": f"GX-2025-{i:06d}", "title": f"批量案件 {i}", "pv": version_id,
             "status": "open" if i % 3 else "completed", "subject": f"被反映人{i % 5000}",
             "handler": users["handler"] if i % 2 else None, "by": users["intake"],
             "due": start + timedelta(days=i % 40), "at": start - timedelta(minutes=i)} for i in range(CASES)]
    with svc.db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO cases (reference, title, process_key, process_version_id, status, stage, subject_name,"
            " subject_unit, clue_no, department, handler_id, created_by_id, due_at, created_at, updated_at, state,"
            " version) VALUES (:ref, :title, 'approval_demo', :pv, :status, '部门负责人审批', :subject, '', '', '',"
            " :handler, :by, :due, :at, :at, '{}', 1)"), rows)


def test_case_list_pages_stay_fast_at_100000_cases(page, demo, svc, users):
    _insert_cases(svc, users)
    handler = page("handler")
    handler.get("/cases")  # templates compiled, caches warm
    for path in ("/cases", "/cases?q=被反映人42", "/cases?status=open&sort=due", "/cases?overdue=1",
                 "/cases?mine=1", "/cases?page=1500&process_key=approval_demo"):
        began = time.perf_counter()
        response = handler.get(path)
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, path
        assert elapsed < BUDGET_SECONDS, f"{path} took {elapsed:.2f} s"
    assert f"共 {CASES} 件" in handler.get("/cases").get_data(as_text=True)
