"""Need to know (issue 13 point 4): a 第一监督检查室 case does not exist for people outside its circle.

The walk is generated from the app's url_map: every rule taking a case, task or extension id, with each
of its methods, through the API and the pages, for each outsider; it must answer 404. A rule with an id
variable this test does not know fails the walk (classify it here), so a new route cannot be forgotten.
Lists, search, worklists and counts must omit the case; the entitled still read it.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from service.cases import accounts, actions, deadlines, recusal
from service.cases.org import delegation
from service.demo import DEMO_PASSWORD, create_office
from service.deploy import deploy_directory
from service.models import Case, Document, WorkItem
from tests.org.test_resolution import SCENARIO, drive, open_item

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
# Route variables that name a case or something of one (its tasks, their extension requests).
# A cadre page shows only the cases the reader may read: to an outsider the cadre does not exist either.
CASE_BOUND = {"case_id", "task_id", "extension_id", "document_id", "recusal_request_id", "suspension_id",
              "attachment_id", "cadre_id"}
# Route variables that name no case: accounts, the organisation, calendar days, process versions, tokens,
# files, and the principal's grants and appointments (refused by position before any case is read); statistics
# groups and process keys (figures count only the cases the reader may read: tests/stats/test_figures.py).
NOT_CASE_BOUND = {"user_id", "department_id", "position_id", "grant_id", "appointment_id", "day", "version_id",
                  "token_id", "name", "filename", "group", "process_key", "measure_id"}
OUTSIDERS = ("handler2", "supervisor2", "deputy2", "committee", "intake2", "caseadmin", "investigator", "reviewer",
             "designer", "admin")
ENTITLED = ("handler", "supervisor", "deputy", "leader", "intake", "auditor")


@pytest.fixture
def office(svc, clock):
    deploy_directory(svc, BPMN_DIR)
    clock.set("2026-03-02T09:00:00+08:00")
    ids = create_office(svc)
    ids["intake2"] = accounts.create_user(svc, "intake2", "甄另受理", DEMO_PASSWORD, ["intake"])
    return ids


@pytest.fixture
def hidden(svc, office, clock) -> dict:
    """A 第一监督检查室 clue waiting at 分析研判, claimed by handler, with a pending extension request, a pending
    suspension request, a pending 回避 declaration and an issued document."""
    case_id = drive(svc, office, clock, SCENARIO, "第一监督检查室", stop_at="analyse_clue")
    item = open_item(svc, case_id, "analyse_clue")
    actions.claim_task(svc, office["handler"], item.task_id)
    with svc.db.write_session() as session:   # give the step a deadline so an extension can be asked for
        session.get(WorkItem, item.id).due_at = svc.now() + timedelta(days=10)
    extension_id = deadlines.request_extension(svc, office["handler"], item.task_id, 3, "材料较多，需补充核实") \
        .event.summary["extension_id"]
    suspension_id = deadlines.suspend_deadline(svc, office["handler"], item.task_id, "等待外调材料") \
        .event.summary["suspension_id"]
    request_id = recusal.declare_recusal(svc, office["supervisor"], case_id, "witness", "曾作为证人") \
        .event.summary["request_id"]
    with svc.db.write_session() as session:   # an issued document of the case (文书)
        case = session.get(Case, case_id)
        document = Document(case_id=case_id, doc_type="probe", name="告知书", year=2026, seq=1,
                            number="高纪告〔2026〕1号",
                            title="告知书", task_bpmn_id="register_clue", process_version_id=case.process_version_id,
                            content={"title": "告知书"}, created_at=svc.now())
        session.add(document)
        session.flush()
        document_id, reference, title, cadre_id = document.id, case.reference, case.title, case.cadre_id
    assert cadre_id is not None   # the registered clue is linked to its cadre record
    attachment_id = actions.add_attachment(svc, office["intake"], case_id, "举报信.pdf", b"%PDF-1.4\n%%EOF\n").id
    return {"case_id": case_id, "task_id": item.task_id, "extension_id": extension_id, "document_id": document_id,
            "recusal_request_id": request_id, "suspension_id": suspension_id, "user_id": office["supervisor"],
            "attachment_id": attachment_id, "cadre_id": cadre_id,
            "reference": reference, "title": title}


def login(app, username: str, api: bool):
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    if api:
        response = client.post("/api/v1/session", json={"username": username, "password": DEMO_PASSWORD})
    else:
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code in (200, 302), (username, response.status_code)
    return client


def case_bound_requests(app, values: dict) -> list[tuple[str, str, bool]]:
    """(method, url, is_api) for every case-bound rule and method; fails on an unclassified rule."""
    found = []
    for rule in app.url_map.iter_rules():
        arguments = set(rule.arguments)
        unknown = arguments - CASE_BOUND - NOT_CASE_BOUND
        assert not unknown, f"route {rule.rule} has unclassified variables {unknown}: classify them in this test"
        if not arguments & CASE_BOUND:
            continue
        missing = arguments - set(values)
        assert not missing, f"route {rule.rule} needs {missing}: give the walk a value for it"
        url = rule.build({k: values[k] for k in arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url, url.startswith("/api/")))
    return found


def test_the_walk_covers_every_case_bound_route(app, hidden):
    requests = case_bound_requests(app, hidden)
    urls = {url for _m, url, _a in requests}
    assert f"/api/v1/cases/{hidden['case_id']}" in urls and f"/cases/{hidden['case_id']}" in urls
    assert f"/api/v1/tasks/{hidden['task_id']}/complete" in urls
    assert f"/api/v1/extensions/{hidden['extension_id']}/approve" in urls
    assert len(requests) >= 25


def test_the_walk_refuses_a_route_it_does_not_know(app, hidden):
    app.add_url_rule("/api/v1/cases/<int:case_id>/files/<int:exhibit_id>", "probe_unknown", lambda **kw: "")
    with pytest.raises(AssertionError, match="exhibit_id"):
        case_bound_requests(app, hidden)


def _answer(client, method: str, url: str, is_api: bool) -> tuple:
    body = {"json": {}} if is_api else {"data": {}}
    response = client.open(url, method=method, **({} if method == "GET" else body))
    code = response.json.get("code") if response.is_json else None
    return response.status_code, code, response.headers.get("Location")


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsiders_get_404_on_every_case_bound_route(app, hidden, username):
    """GET answers 404. A write answers 404, or exactly what it answers for an id that does not exist when
    it is refused before any case is read (an unreadable body, a position the user lacks): no oracle."""
    clients = {True: login(app, username, api=True), False: login(app, username, api=False)}
    absent = {"case_id": 987654, "task_id": "00000000-0000-0000-0000-000000000000", "extension_id": 987654,
              "document_id": 987654, "recusal_request_id": 987654, "suspension_id": 987654,
              "user_id": hidden["user_id"], "attachment_id": 987654, "cadre_id": 987654}
    absent_requests = case_bound_requests(app, absent)
    wrong = []
    for (method, url, is_api), (_m, absent_url, _a) in zip(case_bound_requests(app, hidden), absent_requests,
                                                          strict=True):
        got = _answer(clients[is_api], method, url, is_api)
        if got[0] == 404:
            continue
        expected = _answer(clients[is_api], method, absent_url, is_api)
        location = (got[2] or "").replace(url, absent_url)
        if method == "GET" or got[0] < 400 and got[0] != 302 or (got[0], got[1], location) != (
                expected[0], expected[1], expected[2] or ""):
            wrong.append((method, url, got, expected))
    assert not wrong, f"{username}: {wrong}"


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsiders_lists_search_and_counts_omit_the_case(app, hidden, username, clock):
    api, web = login(app, username, api=True), login(app, username, api=False)
    clock.advance(days=60)   # every deadline of the case is past: overdue views and counts would show it
    listed = api.get("/api/v1/cases?per_page=200")
    search = api.get(f"/api/v1/cases?q={hidden['reference']}")
    if listed.status_code == 403:   # no case list at all (流程设计)
        assert search.status_code == 403
    elif username == "caseadmin":   # case management reads the register: number, status, deadlines
        assert hidden["case_id"] in {c["id"] for c in listed.json["items"]}
    else:
        assert hidden["case_id"] not in {c["id"] for c in listed.json["items"]}
        assert search.json["total"] == 0
        assert "共 0 件" in web.get(f"/cases?q={hidden['reference']}").get_data(as_text=True)
    for path in ("/api/v1/tasks", "/api/v1/tasks?scope=claimed", "/api/v1/tasks/flagged"):
        assert hidden["task_id"] not in api.get(path).get_data(as_text=True), path
    counts = api.get("/api/v1/tasks/counts")
    assert counts.status_code != 200 or counts.json.get("overdue", 0) == 0, counts.json
    overdue = api.get("/api/v1/tasks/overdue")
    if overdue.status_code == 200 and username != "caseadmin":
        assert hidden["task_id"] not in overdue.get_data(as_text=True)
    for page in ("/worklist", "/", "/overdue"):
        assert hidden["task_id"] not in web.get(page).get_data(as_text=True), page


@pytest.mark.parametrize("username", ENTITLED)
def test_the_entitled_still_read_the_case(app, hidden, username):
    api, web = login(app, username, api=True), login(app, username, api=False)
    detail = api.get(f"/api/v1/cases/{hidden['case_id']}")
    assert detail.status_code == 200, detail.json
    assert api.get(f"/api/v1/cases/{hidden['case_id']}/audit").status_code == 200
    assert web.get(f"/cases/{hidden['case_id']}").status_code == 200
    assert hidden["case_id"] in {c["id"] for c in api.get("/api/v1/cases?per_page=200").json["items"]}


def test_a_committee_member_reads_the_case_once_it_has_a_committee_step(app, svc, hidden):
    committee = login(app, "committee", api=True)
    assert committee.get(f"/api/v1/cases/{hidden['case_id']}").status_code == 404
    with svc.db.write_session() as session:   # the case reaches a 委务会 step
        session.add(WorkItem(case_id=hidden["case_id"], task_id="committee-probe", bpmn_id="committee_decide",
                             title="委务会审议", role="committee", lane="委务会", created_at=svc.now()))
    assert committee.get(f"/api/v1/cases/{hidden['case_id']}").status_code == 200


def test_an_access_grant_opens_the_case_until_it_ends(app, svc, office, hidden, clock):
    outsider = login(app, "handler2", api=True)
    delegation.grant_access(svc, office["leader"], hidden["case_id"], office["handler2"], "协助核查相关线索",
                            svc.now() + timedelta(days=3))
    assert outsider.get(f"/api/v1/cases/{hidden['case_id']}").status_code == 200
    clock.advance(days=4)
    assert outsider.get(f"/api/v1/cases/{hidden['case_id']}").status_code == 404


def test_moving_to_another_department_changes_what_one_reads_at_once(app, svc, office, hidden):
    supervisor2 = login(app, "supervisor2", api=True)
    assert supervisor2.get(f"/api/v1/cases/{hidden['case_id']}").status_code == 404
    with svc.db.read_session() as session:
        from service.models import Department, Position
        first = session.scalar(select(Department.id).where(Department.name == "第一监督检查室"))
        position = session.scalar(select(Position.id).where(Position.user_id == office["supervisor2"]))
    from service.cases.org import admin as org_admin
    org_admin.move_user(svc, office["admin"], position, first)
    assert supervisor2.get(f"/api/v1/cases/{hidden['case_id']}").status_code == 200


def test_a_404_reads_the_same_for_a_missing_task_and_one_outside_the_circle(app, svc, users):
    """Found by the cold try: a task of another department's case answered "案件 8 不存在", naming its case."""
    from service.cases.errors import NotFound

    @app.route("/__probe_missing")
    def _missing():
        raise NotFound("任务 abc 不存在")

    @app.route("/__probe_hidden")
    def _hidden():
        raise NotFound("案件 8 不存在")

    client = app.test_client()
    missing = client.get("/__probe_missing", headers={"Accept": "application/json"})
    hidden = client.get("/__probe_hidden", headers={"Accept": "application/json"})
    assert missing.status_code == hidden.status_code == 404
    assert missing.get_data() == hidden.get_data() and b"8" not in hidden.get_data()
