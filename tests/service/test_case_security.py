"""Issue 11, points 1, 2 and 5, through the HTTP API, each as a class:

1. case data cannot change how a process runs (settings belong to the deployed version; start data is
   validated against the start form; no reserved name in start or task data);
2. linked cases start only as the deployed BPMN declares (checked at deploy, once per declaration,
   with engine data fitting the target's start form, audited on both cases);
5. recusal binds the recused (every action checks it first) and follows rank.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.deploy import deploy_directory
from service.models import AuditEvent, Case, CaseLink
from tests.api.test_designer_api import post_files
from tests.conftest import with_settings
from tests.service import security_processes as sp
from tests.support.approval import approval_files, only_task, register, start_demo_case
from workflows.reserved import RESERVED_NAMES
from workflows.specs import collect_sources

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
# every reserved name, and names under each reserved prefix
RESERVED = sorted(RESERVED_NAMES) + ["start_case_x", "start_case_four_forms_disposition", "qingfeng_history"]


def case_count(svc) -> int:
    with svc.db.read_session() as session:
        return session.scalar(select(func.count(Case.id)))


def start(api, key: str, data: dict, who: str = "intake", title: str = "测试案件"):
    return api(who).post("/cases", {"process_key": key, "title": title, "data": data})


def case_data(api, case_id: int, who: str = "supervisor") -> dict:
    response = api(who).get(f"/cases/{case_id}")
    assert response.status_code == 200, response.json
    return response.json["data"]


def complete(api, task_id: str, data: dict, who: str = "handler"):
    return api(who).post(f"/tasks/{task_id}/complete", {"data": data})


def audit_events(api, case_id: int, who: str = "supervisor") -> list[dict]:
    response = api(who).get(f"/cases/{case_id}/audit")
    assert response.status_code == 200, response.json
    return response.json["events"]


# ---- 1. settings belong to the process version --------------------------------------------------

def test_start_data_cannot_remove_the_clue_approval_levels(svc, api):
    deploy_directory(svc, BPMN_DIR)
    attack = start(api, "clue_handling", {"settings": {"leader_approval_disposals": []}})
    assert attack.status_code == 422 and attack.json["code"] == "reserved_name", attack.json
    assert list(attack.json["errors"]) == ["settings"]
    unknown = start(api, "clue_handling", {"subject_name": "郝测试", "approval_skip": True})
    assert unknown.status_code == 422 and "approval_skip" in unknown.json["errors"], unknown.json
    wrong_type = start(api, "clue_handling", {"is_real_name": "yes"})
    assert wrong_type.status_code == 422 and "is_real_name" in wrong_type.json["errors"], wrong_type.json
    assert case_count(svc) == 0
    case = start(api, "clue_handling", {"subject_name": "郝测试"})
    assert case.status_code == 201, case.json
    data = case_data(api, case.json["id"], "intake")
    shipped = collect_sources(BPMN_DIR, "clue_handling")["settings/clue_handling.json"]
    declared = {k: p["default"] for k, p in json.loads(shipped)["properties"].items()}
    assert data["settings"] == declared
    assert data["settings"]["leader_approval_disposals"] == [
        "谈话函询", "初步核实", "暂存待查", "予以了结", "转送/退回", "留存备查"]


def test_integrity_opinion_cannot_skip_the_leader_approval_from_start_data(svc, api):
    deploy_directory(svc, BPMN_DIR)
    attack = start(api, "integrity_opinion", {"settings": {"leader_approval_required": False}})
    assert attack.status_code == 422 and attack.json["code"] == "reserved_name", attack.json
    case = start(api, "integrity_opinion", {"subject_name": "吴假设"})
    assert case.status_code == 201 and case_data(api, case.json["id"])["settings"]["leader_approval_required"] is True


def test_every_reserved_name_is_refused_in_start_data(svc, api, deploy):
    deploy(sp.open_forms())          # its start form accepts any key: only the reserved-name rule refuses
    accepted = []
    for name in RESERVED:
        response = start(api, "open_forms", {name: {"approval_levels": 0}})
        if response.status_code != 422 or response.json["code"] != "reserved_name" \
                or list(response.json["errors"]) != [name]:
            accepted.append((name, response.status_code))
    assert accepted == []
    assert case_count(svc) == 0
    assert start(api, "open_forms", {"note": "普通字段"}).status_code == 201


def test_every_reserved_name_is_refused_in_task_data(svc, api, deploy):
    deploy(sp.open_forms())
    case_id = start(api, "open_forms", {}).json["id"]
    task = only_task(api("handler"), "fill")
    accepted = []
    for name in RESERVED:
        response = complete(api, task["id"], {name: {"approval_levels": 0}, "note": "x"})
        if response.status_code != 422 or response.json["code"] != "reserved_name" \
                or list(response.json["errors"]) != [name]:
            accepted.append((name, response.status_code))
    assert accepted == []
    assert complete(api, task["id"], {"note": "办结"}).status_code == 200
    data = case_data(api, case_id)
    assert data["settings"] == {"approval_levels": 2} and data["levels"] == 2 and "outcome" not in data


def test_settings_change_only_by_deploying_a_version_and_the_change_is_audited(svc, api, deploy):
    deploy(sp.open_forms())
    old_case = start(api, "open_forms", {}).json["id"]
    changed = post_files(api("designer"), "/process-definitions/deploy",
                         with_settings(sp.open_forms(), "open_forms", {"approval_levels": 1}), "审批层级改为一级")
    assert changed.status_code in (200, 201), changed.json
    new_case = start(api, "open_forms", {}).json["id"]
    assert case_data(api, old_case)["settings"] == {"approval_levels": 2}     # a case keeps its version's
    assert case_data(api, new_case)["settings"] == {"approval_levels": 1}
    with svc.db.read_session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "process_deployed")
                                .order_by(AuditEvent.id.desc())).first()
        assert event.summary["settings_changed"] == {"approval_levels": [2, 1]}
        assert event.actor_name == "郑设计"


@pytest.mark.parametrize("files, message", [
    (with_settings(sp.open_forms(), "open_forms", {"approval_levels": 9}), "取值不符合其定义"),
    ({k: v for k, v in sp.open_forms().items() if not k.startswith("settings/")}, "缺少设置文件"),
    ({**sp.open_forms(), "open_forms.bpmn": sp.open_forms()["open_forms.bpmn"].replace(
        b"'approval_levels'", b"'approval_skip'")}, "未在 settings/open_forms.json 中声明的设置项 approval_skip"),
    ({**sp.open_forms(), "open_forms.bpmn": sp.open_forms()["open_forms.bpmn"].replace(
        b"levels = get(settings, 'approval_levels', 2)", b"settings = {'approval_levels': 0}")}, "保留名称 settings"),
    ({**sp.open_forms(), "forms/open_forms/fill.json":
        b'{"type": "object", "properties": {"settings": {"type": "object"}, "linked_from": {"type": "string"}}}'},
     "引擎保留名称"),
], ids=["value-outside-its-schema", "no-settings-document", "undeclared-setting-read", "script-writes-settings",
        "form-declares-reserved-names"])
def test_the_designer_check_refuses_what_would_let_data_or_scripts_bypass_settings(api, files, message):
    response = post_files(api("designer"), "/process-definitions/check", files)
    assert response.status_code == 422, response.json
    assert any(message in p["message"] for p in response.json["errors"]["problems"]), response.json["errors"]


# ---- 2. linked cases only as the BPMN declares --------------------------------------------------

LINK_ONE = ("start_case_followup = {'process_key': 'link_target', 'title': '关联：' + subject_name, "
            "'data': {'subject_name': subject_name}}")


def test_start_case_requests_in_user_data_start_nothing(svc, api):
    deploy_directory(svc, BPMN_DIR)
    fan_out = {f"start_case_{i}": {"process_key": "clue_handling", "title": "x", "data": {
        "start_case_nested": {"process_key": "clue_handling", "title": "y", "data": {}}}} for i in range(5)}
    response = start(api, "clue_handling", fan_out)
    assert response.status_code == 422 and response.json["code"] == "reserved_name", response.json
    assert case_count(svc) == 0


def test_a_declared_link_starts_one_case_audited_on_both_cases(svc, api, deploy):
    deploy(sp.link_target())
    deploy(sp.linker(LINK_ONE, {"followup": "link_target"}))
    parent = start(api, "linker", {}, who="handler").json["id"]
    task = only_task(api("handler"), "decide")
    done = complete(api, task["id"], {"subject_name": "郝测试"})
    assert done.status_code == 200, done.json
    with svc.db.read_session() as session:
        links = session.execute(select(CaseLink.to_case_id, CaseLink.request_name)
                                .where(CaseLink.from_case_id == parent)).all()
    assert [name for _, name in links] == ["followup"] and case_count(svc) == 2
    child = links[0].to_case_id
    assert case_data(api, child)["subject_name"] == "郝测试"
    parent_event = [e for e in audit_events(api, parent) if e["action"] == "task_completed"][-1]
    child_event = [e for e in audit_events(api, child) if e["action"] == "case_started"][0]
    with svc.db.read_session() as session:
        child_reference, parent_reference = session.get(Case, child).reference, session.get(Case, parent).reference
    assert parent_event["summary"]["links"] == [{"reference": child_reference, "process_key": "link_target",
                                                 "name": "start_case_followup", "element": "link"}]
    assert child_event["summary"]["link"] == {"name": "start_case_followup", "element": "link",
                                              "process_key": "linker"}
    assert child_event["summary"]["linked_from"] == parent_reference


def test_a_script_may_set_only_links_its_element_declares(api):
    undeclared = post_files(api("designer"), "/process-definitions/check", sp.linker(LINK_ONE))
    assert undeclared.status_code == 422
    assert [p["element_id"] for p in undeclared.json["errors"]["problems"]] == ["link"], undeclared.json


def test_a_declared_link_target_must_be_deployed(api, deploy):
    files = sp.linker(LINK_ONE.replace("link_target", "nowhere"), {"followup": "nowhere"})
    for path in ("/process-definitions/check", "/process-definitions/deploy"):
        response = post_files(api("designer"), path, files)
        assert response.status_code == 422, response.json
        assert "nowhere 尚未部署" in response.json["errors"]["problems"][0]["message"]
    deploy(sp.link_target())
    ok = sp.linker(LINK_ONE, {"followup": "link_target"})
    assert post_files(api("designer"), "/process-definitions/deploy", ok).status_code in (200, 201)


@pytest.mark.parametrize("script, code", [
    # declared for link_target, asks for another process
    (LINK_ONE.replace("'link_target'", "'linker'"), "undeclared_link"),
    # data the target's start form does not declare (a stored reporter, a nested fan-out, anything else)
    (LINK_ONE.replace("'data': {'subject_name': subject_name}",
                      "'data': {'subject_name': subject_name, 'start_case_more': {'process_key': 'linker'}}"),
     "invalid_link_data"),
    (LINK_ONE.replace("'data': {'subject_name': subject_name}", "'data': {'linked_from': 'GX-2026-0999'}"),
     "invalid_link_data"),
    (LINK_ONE.replace("'data': {'subject_name': subject_name}", "'data': {'is_real_name': 3}"),
     "invalid_link_data"),
], ids=["other-process", "nested-link-in-data", "reserved-name-in-data", "wrong-type"])
def test_a_link_outside_its_declaration_is_refused_and_nothing_changes(svc, api, deploy, script, code):
    deploy(sp.link_target())
    deploy(sp.linker(script, {"followup": "link_target"}))
    start(api, "linker", {}, who="handler")
    task = only_task(api("handler"), "decide")
    response = complete(api, task["id"], {"subject_name": "郝测试"})
    assert response.status_code == 422 and response.json["code"] == code, response.json
    assert case_count(svc) == 1 and only_task(api("handler"), "decide")["id"] == task["id"]   # rolled back


# ---- 5. recusal binds the recused; who decides------------------------------------------------------

def recuse(api, who: str, case_id: int, user_id: int):
    return api(who).post(f"/cases/{case_id}/recusals", {"user_id": user_id, "reason": "与被反映人系近亲属"})


def test_a_recused_user_is_refused_first_by_every_action_on_the_case(svc, api, users, deploy):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case)
    task = only_task(api("handler"), "propose")
    assert api("handler").post(f"/tasks/{task['id']}/claim").status_code == 200
    ext = api("handler2").post(f"/tasks/{task['id']}/extensions", {"workdays": 2, "reason": "材料未齐"})
    assert ext.status_code in (200, 201), ext.json
    suspension = api("handler2").post(f"/tasks/{task['id']}/suspend", {"reason": "等待外调"}).json["suspensions"][0]
    assert recuse(api, "deputy", case["id"], users["handler"]).status_code == 204
    assert recuse(api, "leader", case["id"], users["supervisor2"]).status_code == 204
    cid, tid = case["id"], task["id"]
    attempts = {
        "handler": [
            ("GET", f"/cases/{cid}", None), ("GET", f"/cases/{cid}/audit", None),
            ("GET", f"/cases/{cid}/diagram", None), ("GET", f"/tasks/{tid}", None),
            ("POST", f"/tasks/{tid}/claim", {}), ("POST", f"/tasks/{tid}/release", {}),
            ("POST", f"/tasks/{tid}/complete", {"data": {}, "case_version": 0}),   # stale version, bad data
            ("POST", f"/cases/{cid}/reporter", {}),                                   # no reason given
            ("POST", f"/cases/{cid}/recusals", {"user_id": users["handler2"], "reason": "反制"}),
            ("POST", f"/cases/{cid}/recusals", {"user_id": users["handler"], "reason": "再次"}),
            ("POST", f"/tasks/{tid}/suspend", {"reason": "等待"}), ("POST", f"/tasks/{tid}/resume", {"reason": "恢复"}),
            ("POST", f"/tasks/{tid}/extensions", {"workdays": 1, "reason": "延期"}),
        ],
        "supervisor2": [
            ("POST", f"/cases/{cid}/recusals", {"user_id": users["handler2"], "reason": "反制"}),
            ("POST", f"/extensions/{ext.json['id']}/approve", {"note": "同意"}),
            ("POST", f"/extensions/{ext.json['id']}/reject", {"note": "不同意"}),
            ("POST", f"/suspensions/{suspension['id']}/approve", {"note": "同意"}),
            ("POST", f"/suspensions/{suspension['id']}/reject", {"note": "不同意"}),
            ("POST", f"/cases/{cid}/reporter", {"reason": "核查"}),
        ],
    }
    wrong = []
    for who, calls in attempts.items():
        for method, path, body in calls:
            response = api(who).get(path) if method == "GET" else api(who).post(path, body)
            if response.status_code != 403 or (response.json or {}).get("code") != "recused":
                wrong.append((who, method, path, response.status_code, (response.json or {}).get("code")))
    assert wrong == []
    with svc.db.read_session() as session:
        recusal_events = session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "user_recused"))
    assert recusal_events == 2


@pytest.mark.parametrize("actor, target, allowed", [
    ("supervisor", "leader", False),       # a supervisor cannot recuse the leader
    ("supervisor", "supervisor2", False),  # nor a peer
    ("supervisor", "handler", False),      # nor their own staff: the principal or the deputy decides
    ("handler", "handler2", False),        # staff decide no recusal
    ("handler", "handler", False),         # staff ask (declare), they do not decide
    ("deputy", "leader", False),           # the principal is decided on by the body above
    ("admin", "handler", False),           # the system administrator is not in the office's chain
    ("deputy", "handler", True),           # the deputy overseeing the department, for its staff
    ("deputy", "supervisor", True),
    ("leader", "supervisor", True),
    ("leader", "deputy", True),
    ("leader", "leader", True),            # the principal records their own withdrawal
])
def test_who_may_decide_whose_recusal_follows_the_organisation(api, users, deploy, actor, target, allowed):
    deploy(approval_files())
    case = start_demo_case(api)
    register(api, case["id"])   # the case reaches its handling department's members: handler is in its circle
    response = recuse(api, actor, case["id"], users[target])
    if allowed:
        assert response.status_code == 204, response.json
    elif actor == "admin":   # the system administrator is not in the case's need-to-know circle
        assert response.status_code == 404, response.json
    else:
        assert response.status_code == 403 and response.json["code"] == "recusal_decider", response.json
