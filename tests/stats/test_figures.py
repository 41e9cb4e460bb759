"""Statistics (issue 16): every figure of every group equals a plain-Python count over generated rows, for
readers with different circles (need to know) and filters; every figure's case-list query totals to it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from service.cases.stats.queries import GROUPS
from service.demo import DEMO_PASSWORD, create_office
from service.models import Department
from tests.stats import expected
from tests.stats.dataset import generate, in_period

NOW = datetime(2026, 4, 15, 2, 0, tzinfo=UTC)


def login(app, username: str):
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    response = client.post("/api/v1/session", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.json
    return client


@pytest.fixture
def data(svc, clock):
    clock.now = NOW
    ids = create_office(svc)
    rows = generate(svc, ids["admin"], NOW)
    with svc.db.read_session() as session:
        departments = {name: i for i, name in session.execute(select(Department.id, Department.name))}
    return {"ids": ids, "rows": rows, "departments": departments}


def visible(rows, username: str):
    if username in ("leader", "caseadmin", "auditor"):
        return rows
    if username == "supervisor":
        return [r for r in rows if r.department == "第一监督检查室"]
    return []


def select_rows(rows, params: dict, departments: dict):
    start = date.fromisoformat(params["from"]) if "from" in params else None
    end = date.fromisoformat(params["to"]) if "to" in params else None
    chosen = [r for r in rows if in_period(r, start, end)]
    if "department" in params:
        names = {i: n for n, i in departments.items()}
        chosen = [r for r in chosen if r.department == names[params["department"]]]
    if "cadre_level" in params:
        chosen = [r for r in chosen if r.facts.get("cadre_level") == params["cadre_level"]]
    return chosen


def count_cells(body: dict):
    for table in body["tables"]:
        for row in table["rows"]:
            for column, cell in zip(table["columns"], row, strict=True):
                if isinstance(cell, dict):
                    yield table, row, column, cell


def check_group(client, group: str, params: dict, rows, follow_urls: bool) -> int:
    """Compare every count (and duration) of the group with the plain count; return the cells checked."""
    response = client.get(f"/api/v1/stats/{group}", query_string=params)
    assert response.status_code == 200, response.json
    body = response.json
    checked = 0
    for table, row, column, cell in count_cells(body):
        test = expected.predicate(group, table["id"], row, column, NOW)
        want = sum(1 for r in rows if test(r))
        assert cell["value"] == want, (group, table["id"], row[0], column, cell, want)
        if follow_urls:
            listed = client.get(cell["cases_url"])
            assert listed.status_code == 200, listed.json
            assert listed.json["total"] == cell["value"], (group, table["id"], row[0], column, cell["cases_url"])
        checked += 1
    for table in body["tables"]:
        if table["id"] in ("disposal_time", "reply_time", "tasks"):
            for row in table["rows"]:
                want = expected.durations(group, table["id"], row, rows, NOW)
                got = dict(zip(table["columns"], row, strict=True))
                if table["id"] == "tasks":
                    assert (got["中位用时"], got["90%用时"]) == (want["p50"], want["p90"]), (row, want)
                else:
                    assert row[2:5] == [want["avg"], want["p50"], want["p90"]], (table["id"], row, want)
    return checked


CASES = [
    ("leader", {}),
    ("supervisor", {"from": "2026-02-01", "to": "2026-02-28"}),
    ("leader", {"department": "第二监督检查室", "cadre_level": "县处级"}),
    ("reviewer", {}),
]


@pytest.mark.parametrize(("username", "params"), CASES)
def test_every_figure_equals_the_plain_count_of_the_rows_the_reader_may_read(app, data, username, params):
    client = login(app, username)
    if "department" in params:
        params = {**params, "department": data["departments"][params["department"]]}
    rows = select_rows(visible(data["rows"], username), params, data["departments"])
    checked = sum(check_group(client, group, params, rows, follow_urls=False) for group in GROUPS)
    assert checked > 120


def test_every_figure_link_lists_exactly_the_cases_it_counts(app, data):
    client = login(app, "supervisor")
    params = {"from": "2026-01-20", "to": "2026-03-10"}
    rows = select_rows(visible(data["rows"], "supervisor"), params, data["departments"])
    assert sum(check_group(client, group, params, rows, follow_urls=True) for group in GROUPS) > 150


def test_an_outsider_sees_zeros_and_no_value_from_cases_outside_the_circle(app, data):
    body = login(app, "reviewer").get("/api/v1/stats/clues").json
    assert all(cell["value"] == 0 for *_rest, cell in count_cells(body))
    by_source = next(t for t in body["tables"] if t["id"] == "by_source")
    assert "另类来源" not in {row[0] for row in by_source["rows"]}   # a value only hidden cases carry
    leader = login(app, "leader").get("/api/v1/stats/clues").json
    assert "另类来源" in {row[0] for row in next(t for t in leader["tables"] if t["id"] == "by_source")["rows"]}


def test_a_reader_without_case_access_is_refused(app, data):
    assert login(app, "designer").get("/api/v1/stats/four-forms").status_code == 403


def test_an_unknown_group_is_404(app, data):
    assert login(app, "leader").get("/api/v1/stats/nothing").status_code == 404
