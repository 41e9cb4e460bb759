"""回避 (issue 13 point 6): declare, challenge, decide, lift; the recused lose access at once; all audited."""

import pytest
from sqlalchemy import select

from service.cases import actions, audit, recusal
from service.cases.errors import Conflict, InvalidInput, NotAllowed, NotFound
from service.demo import DEMO_PASSWORD, create_office
from service.deploy import deploy_directory
from service.models import AuditEvent, RecusalRequest
from tests.org.test_resolution import BPMN_DIR, SCENARIO, drive


@pytest.fixture
def office(svc, clock):
    """The demo office (17 accounts in their departments and positions) with every process deployed."""
    deploy_directory(svc, BPMN_DIR)
    clock.set("2026-03-02T09:00:00+08:00")
    return create_office(svc)


@pytest.fixture
def case_id(svc, office, clock):
    """A 第一监督检查室 clue waiting at 分析研判 (handler, supervisor, deputy, leader and intake read it)."""
    return drive(svc, office, clock, SCENARIO, "第一监督检查室", stop_at="analyse_clue")


def login(app, username: str):
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    response = client.post("/api/v1/session", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.json
    return client


def reads(app, username: str, case_id: int) -> int:
    return login(app, username).get(f"/api/v1/cases/{case_id}").status_code


def events(svc, case_id: int) -> list[str]:
    with svc.db.read_session() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                                    .order_by(AuditEvent.id)))


def test_a_declaration_waits_for_the_deputy_then_binds_at_once(app, svc, office, case_id):
    request_id = recusal.declare_recusal(svc, office["handler"], case_id, "close_relative", "被反映人系本人表兄") \
        .event.summary["request_id"]
    assert reads(app, "handler", case_id) == 200            # pending: not yet recused
    with pytest.raises(NotAllowed):                          # the head of department does not decide
        recusal.decide_recusal(svc, office["supervisor"], request_id, True, "同意")
    recusal.decide_recusal(svc, office["deputy"], request_id, True, "同意回避")
    assert reads(app, "handler", case_id) == 403
    assert login(app, "handler").get("/api/v1/cases").json["total"] == 0
    assert events(svc, case_id)[-2:] == ["recusal_declared", "user_recused"]


def test_grounds_are_required_and_known(svc, office, case_id):
    with pytest.raises(InvalidInput):
        recusal.declare_recusal(svc, office["handler"], case_id, "close_relative", "  ")
    with pytest.raises(InvalidInput):
        recusal.declare_recusal(svc, office["handler"], case_id, "dislike", "不想办")


def test_only_intake_records_a_challenge_and_the_principal_decides_it(app, svc, office, case_id):
    with pytest.raises(NotAllowed):
        recusal.record_challenge(svc, office["supervisor"], case_id, office["handler"], "subject", "interest", "利害")
    request_id = recusal.record_challenge(svc, office["intake"], case_id, office["supervisor"], "reporter",
                                          "private_contact", "举报人称其曾接受被反映人宴请").event.summary["request_id"]
    with pytest.raises(Conflict):     # one open request per person
        recusal.record_challenge(svc, office["intake"], case_id, office["supervisor"], "subject", "other", "再次")
    with pytest.raises(NotAllowed):   # the person concerned never decides
        recusal.decide_recusal(svc, office["supervisor"], request_id, False, "不同意")
    recusal.decide_recusal(svc, office["leader"], request_id, False, "经核实，理由不成立")
    assert reads(app, "supervisor", case_id) == 200
    with pytest.raises(Conflict):
        recusal.decide_recusal(svc, office["leader"], request_id, True, "改变主意")
    with svc.db.read_session() as session:
        row = session.get(RecusalRequest, request_id)
        assert (row.kind, row.challenger, row.status, row.decided_by_id) == (
            "challenge", "reporter", "rejected", office["leader"])


def test_a_challenge_to_the_principal_goes_to_the_body_above(svc, office, case_id):
    with pytest.raises(NotAllowed) as refused:
        recusal.record_challenge(svc, office["intake"], case_id, office["leader"], "subject", "interest", "利害关系")
    assert refused.value.code == "higher_body"


def test_the_principals_own_withdrawal_binds_at_once(app, svc, office, case_id):
    recusal.declare_recusal(svc, office["leader"], case_id, "interest", "近亲属在被反映人单位任职")
    assert reads(app, "leader", case_id) == 403


def test_a_deputy_decides_only_for_the_staff_of_departments_they_oversee(svc, office, case_id):
    with pytest.raises((NotAllowed, NotFound)):      # deputy2 oversees 第二监督检查室; not in this case's circle
        actions.recuse_user(svc, office["deputy2"], case_id, office["handler"], "利害关系")
    request_id = recusal.declare_recusal(svc, office["deputy"], case_id, "witness", "曾作为证人") \
        .event.summary["request_id"]
    with pytest.raises(NotAllowed):                  # the deputy's own recusal is the principal's to decide
        recusal.decide_recusal(svc, office["deputy"], request_id, True, "同意")
    recusal.decide_recusal(svc, office["leader"], request_id, True, "同意")


def test_lifting_restores_access_and_keeps_the_story(app, svc, office, case_id):
    actions.recuse_user(svc, office["leader"], case_id, office["handler"], "与被反映人系近亲属", "close_relative")
    assert reads(app, "handler", case_id) == 403
    with pytest.raises(NotAllowed):
        recusal.lift_recusal(svc, office["supervisor"], case_id, office["handler"], "误认")
    with pytest.raises(InvalidInput):
        recusal.lift_recusal(svc, office["deputy"], case_id, office["handler"], "")
    recusal.lift_recusal(svc, office["deputy"], case_id, office["handler"], "经查并非近亲属，系同名")
    assert reads(app, "handler", case_id) == 200
    with pytest.raises(Conflict):
        recusal.lift_recusal(svc, office["deputy"], case_id, office["handler"], "再次")
    with svc.db.read_session() as session:
        row = session.scalar(select(RecusalRequest).where(RecusalRequest.case_id == case_id))
        assert (row.status, row.lifted_by_id, row.lift_reason) == ("lifted", office["deputy"], "经查并非近亲属，系同名")
        assert audit.verify(session, audit.case_chain(case_id)).valid
    assert events(svc, case_id)[-2:] == ["user_recused", "recusal_lifted"]


def test_a_recused_person_cannot_lift_or_declare_on_the_case(svc, office, case_id):
    actions.recuse_user(svc, office["leader"], case_id, office["supervisor"], "利害关系")
    for call in (lambda: recusal.lift_recusal(svc, office["supervisor"], case_id, office["supervisor"], "解除"),
                 lambda: recusal.declare_recusal(svc, office["supervisor"], case_id, "other", "再申请")):
        with pytest.raises(NotAllowed) as refused:
            call()
        assert refused.value.code == "recused"


def test_the_api_runs_the_whole_flow_and_lists_it(app, svc, office, case_id):
    intake, deputy = login(app, "intake"), login(app, "deputy")
    made = intake.post(f"/api/v1/cases/{case_id}/recusals/challenge",
                       json={"user_id": office["handler"], "challenger": "subject", "ground": "interest",
                             "grounds": "被反映人称承办人与其有经济往来"})
    assert made.status_code == 201, made.json
    assert deputy.post(f"/api/v1/recusal-requests/{made.json['id']}/decide",
                       json={"decision": "uphold"}).status_code == 422          # a decision needs its reasons
    decided = deputy.post(f"/api/v1/recusal-requests/{made.json['id']}/decide",
                          json={"decision": "uphold", "note": "同意回避"})
    assert decided.status_code == 204, decided.json
    listed = deputy.get(f"/api/v1/cases/{case_id}/recusals").json
    assert listed["recused_user_ids"] == [office["handler"]]
    assert [(r["kind"], r["status"]) for r in listed["requests"]] == [("challenge", "upheld")]
    lifted = deputy.post(f"/api/v1/cases/{case_id}/recusals/{office['handler']}/lift", json={"reason": "理由消除"})
    assert lifted.status_code == 204, lifted.json
    declared = login(app, "handler").post(f"/api/v1/cases/{case_id}/recusals/declare",
                                          json={"ground": "other", "grounds": "与被反映人系同学"})
    assert declared.status_code == 201, declared.json
    spec = app.test_client().get("/api/v1/openapi.json").json["paths"]
    assert {"/api/v1/cases/{case_id}/recusals/declare", "/api/v1/cases/{case_id}/recusals/challenge",
            "/api/v1/recusal-requests/{recusal_request_id}/decide",
            "/api/v1/cases/{case_id}/recusals/{user_id}/lift"} <= set(spec)


def test_the_recusal_page_offers_each_person_what_they_may_do(app, svc, office, case_id):
    def page(username: str) -> str:
        client = app.test_client()
        client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        response = client.get(f"/cases/{case_id}/recusals")
        assert response.status_code == 200, username
        return response.get_data(as_text=True)

    assert "提交回避申请" in page("handler") and "登记当事人的回避申请" not in page("handler")
    assert "登记当事人的回避申请" in page("intake")
    client = app.test_client()
    client.post("/login", data={"username": "handler", "password": DEMO_PASSWORD})
    response = client.post(f"/cases/{case_id}/recusals/declare", data={"ground": "witness", "grounds": "曾作证"})
    assert response.status_code == 302
    assert "data-testid=\"decide-" in page("deputy") and "data-testid=\"decide-" not in page("supervisor")
    assert "提交回避申请" not in page("handler")     # one open request at a time
    assert "回避记录与申请" in client.get(f"/cases/{case_id}").get_data(as_text=True)


def test_the_deciders_see_the_requests_awaiting_them(app, svc, office, case_id):
    recusal.declare_recusal(svc, office["handler"], case_id, "witness", "曾作为证人")
    recusal.record_challenge(svc, office["intake"], case_id, office["deputy"], "subject", "interest", "利害关系")

    def queue(username: str) -> list[tuple[int, str]]:
        return [(r["user_id"], r["kind"]) for r in login(app, username).get("/api/v1/recusal-requests").json]

    assert queue("deputy") == [(office["handler"], "declaration")]        # not the challenge about themselves
    assert queue("leader") == [(office["handler"], "declaration"), (office["deputy"], "challenge")]
    assert queue("deputy2") == [] and queue("supervisor") == []
    client = app.test_client()
    client.post("/login", data={"username": "deputy", "password": DEMO_PASSWORD})
    body = client.get("/recusals").get_data(as_text=True)
    assert "回避审批" in body and "曾作为证人" not in body and "担任过本案的证人" in body
    client = app.test_client()
    client.post("/login", data={"username": "handler", "password": DEMO_PASSWORD})
    assert "回避审批" not in client.get("/worklist").get_data(as_text=True)
