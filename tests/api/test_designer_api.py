"""Designer API: check and deploy reject bad uploads with 4xx and element ids; diff, download, migrate."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.models import AuditEvent, Case, ProcessVersion, WorkItem
from tests.conftest import read_files

FIXTURE = Path(__file__).resolve().parent.parent / "service" / "fixtures" / "approval_demo"
BPMN = "approval_demo.bpmn"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def demo_files() -> dict[str, bytes]:
    return read_files(FIXTURE)


def demo_text() -> str:
    return demo_files()[BPMN].decode("utf-8")


def as_json(files: dict[str, bytes]) -> dict:
    return {"files": {name: data.decode("utf-8") for name, data in files.items()}}


def multipart(files: dict[str, bytes], comment: str = "") -> dict:
    return {"files": [(io.BytesIO(data), name) for name, data in files.items()], "comment": comment}


def post_files(client, path: str, files: dict[str, bytes], comment: str = ""):
    return client.client.post(f"/api/v1{path}", data=multipart(files, comment), content_type="multipart/form-data")


def with_bpmn(text: str, **more: bytes) -> dict[str, bytes]:
    return {**demo_files(), BPMN: text.encode("utf-8"), **more}


def replace(old: str, new: str) -> dict[str, bytes]:
    text = demo_text()
    assert old in text, old
    return with_bpmn(text.replace(old, new))


def version_count(svc) -> int:
    with svc.db.read_session() as session:
        return session.scalar(select(func.count(ProcessVersion.id)))


# ---- bad files: (label, files, status, message fragment, element id or None) ----

TIMER = "<bpmn:timeDate>propose_due</bpmn:timeDate>"
TWO_PROCESSES = '<bpmn:process id="second" isExecutable="true"><bpmn:startEvent id="s2"/></bpmn:process>'
XXE = '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
          '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>\n')


def _bad_cases():
    text = demo_text()
    body = text.split("?>", 1)[1]
    return [
        ("malformed XML", with_bpmn(text[:-40]), 422, "XML 格式错误", None),
        ("empty file", with_bpmn(""), 422, "XML", None),
        ("bytes that are not UTF-8", {**demo_files(), BPMN: text.replace("登记举报", "\udcff", 1)
                                      .encode("utf-8", "surrogateescape")}, 422, "不是有效的 UTF-8 编码", None),
        ("unknown encoding", with_bpmn(text.replace('encoding="UTF-8"', 'encoding="X-MADE-UP"')), 422,
         "不支持的字符编码", None),
        ("wrong BPMN namespace", replace(BPMN_NS, "http://example.com/not-bpmn"), 422,
         "不是 BPMN 2.0 文件", None),
        ("no executable process", replace('isExecutable="true"', 'isExecutable="false"'), 422,
         "没有可执行流程", "approval_demo"),
        ("two executable processes in one file", replace("</bpmn:definitions>", TWO_PROCESSES + "</bpmn:definitions>"),
         422, "只能有一个可执行流程", "second"),
        ("unsupported element", with_bpmn(text.replace('<bpmn:exclusiveGateway id="gw_decision"',
                                                       '<bpmn:complexGateway id="gw_decision"')
                                          .replace("</bpmn:exclusiveGateway>", "</bpmn:complexGateway>")),
         422, "不支持的元素类型 complexGateway", "gw_decision"),
        ("Camunda cycle timer R6/P1D unquoted", replace(TIMER, "<bpmn:timeCycle>R6/P1D</bpmn:timeCycle>"), 422,
         '定时器表达式须为带引号的字符串，例如 "P1D"', "overdue"),
        ("unquoted duration P1D", replace(TIMER, "<bpmn:timeDuration>P1D</bpmn:timeDuration>"), 422,
         "定时器表达式须为带引号的字符串", "overdue"),
        ("quoted duration that is not ISO 8601", replace(TIMER, "<bpmn:timeDuration>'P1X'</bpmn:timeDuration>"),
         422, "不是有效的 ISO 8601 时长", "overdue"),
        ("external entity (XXE)", with_bpmn(XXE + body), 422, "不允许 DOCTYPE", None),
        ("billion laughs", with_bpmn(LAUGHS + body), 422, "不允许 DOCTYPE", None),
        ("user task without role", replace('<spiffworkflow:property name="role" value="handler"/>'
                                           '<spiffworkflow:property name="deadline" value="propose_due"/>',
                                           '<spiffworkflow:property name="deadline" value="propose_due"/>'),
         422, "缺少 role", "propose"),
        ("user task without form", replace("<spiffworkflow:formJsonSchemaFilename>approval_demo/escalate.json"
                                           "</spiffworkflow:formJsonSchemaFilename>", ""),
         422, "缺少表单", "escalate"),
        ("gateway flow with neither condition nor default", replace(' default="f_return"', ""), 422,
         "既没有条件也不是默认流", "f_return"),
        ("dead end", replace('<bpmn:sequenceFlow id="f6" sourceRef="close" targetRef="end"/>', ""), 422,
         "节点没有出口", "close"),
        ("condition the sandbox refuses", replace("decision == 'approve'", "__import__('os').system('id')"), 422,
         "不被沙箱接受", "f_ok"),
        ("duplicate element id", replace('id="close"', 'id="approve"'), 422, "元素 id approve 重复", "approve"),
        ("form that is not JSON", {**demo_files(), "forms/approval_demo/approve.json": b"{not json"}, 422,
         "表单不是有效的 JSON Schema", None),
        ("file type that is not BPMN/DMN/form", {**demo_files(), "tool.exe": b"MZ"}, 422, "文件名不合规", None),
        ("path traversal in a file name", {**demo_files(), "../../etc/x.bpmn": text.encode()}, 422,
         "文件名不合规", None),
        ("only a DMN file, no BPMN", {"decision.dmn": b'<?xml version="1.0"?><definitions '
                                      b'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" '
                                      b'namespace="x"/>'}, 422, "缺少 BPMN 文件", None),
        ("deeply nested XML", with_bpmn(text.replace("</bpmn:definitions>", "<a>" * 400 + "</a>" * 400
                                                     + "</bpmn:definitions>")), 422, "XML 格式错误", None),
        ("flow to a missing node", replace('targetRef="end"/>', 'targetRef="nowhere"/>'), 422,
         "不存在的节点 nowhere", "f6"),
    ]


def _more_cases():
    text = demo_text()
    foo = text.replace('<bpmn:userTask id="escalate"', '<bpmn:fooTask id="escalate"').replace(
        '</bpmn:userTask>\n    <bpmn:userTask id="approve"', '</bpmn:fooTask>\n    <bpmn:userTask id="approve"')
    assert foo.count("fooTask") == 2
    return [
        ("unknown element type (XSD)", with_bpmn(foo), 422, "元素 fooTask 不允许出现在这里", "escalate"),
        ("Camunda JUEL condition", replace("decision == 'approve'", "${decision == 'approve'}"), 422,
         "不支持 Camunda 的 JUEL 表达式", "f_ok"),
        ("Camunda JUEL timer", replace(TIMER, "<bpmn:timeDate>${dueDate}</bpmn:timeDate>"), 422,
         "不支持 Camunda 的 JUEL 表达式", "overdue"),
    ]


def _missing_dmn_case():
    text = demo_text()
    old = ("<bpmn:scriptTask id=\"close\" name=\"记录结果\">\n      <bpmn:incoming>f_ok</bpmn:incoming>"
           "<bpmn:outgoing>f6</bpmn:outgoing>\n      <bpmn:script>outcome = '予以了结'</bpmn:script>\n"
           "    </bpmn:scriptTask>")
    assert old in text
    new = ("<bpmn:businessRuleTask id=\"close\" name=\"记录结果\"><bpmn:extensionElements>"
           "<spiffworkflow:calledDecisionId>no_such_table</spiffworkflow:calledDecisionId>"
           "</bpmn:extensionElements><bpmn:incoming>f_ok</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>"
           "</bpmn:businessRuleTask>")
    return ("business rule task calling a missing DMN table", with_bpmn(text.replace(old, new)), 422,
            "找不到被调用的决策表", "close")


BAD = _bad_cases() + _more_cases() + [_missing_dmn_case()]


def test_there_are_at_least_fifteen_distinct_bad_files():
    assert len({label for label, *_ in BAD}) >= 15


def _assert_problem(response, status, fragment, element_id):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.json
    assert body["status"] == status and body["code"] in ("invalid_process", "too_large")
    problems = body["errors"]["problems"]
    assert isinstance(problems, list) and problems, body
    assert all(set(p) >= {"file", "element_id", "message", "line"} for p in problems)
    matching = [p for p in problems if fragment in p["message"]]
    assert matching, [p["message"] for p in problems]
    if element_id is not None:
        assert element_id in {p["element_id"] for p in matching}, matching


@pytest.mark.parametrize(("label", "files", "status", "fragment", "element_id"), BAD, ids=[c[0] for c in BAD])
def test_check_rejects_bad_file_with_problem_on_element(api, label, files, status, fragment, element_id):
    response = post_files(api("designer"), "/process-definitions/check", files)
    _assert_problem(response, status, fragment, element_id)


@pytest.mark.parametrize(("label", "files", "status", "fragment", "element_id"), BAD, ids=[c[0] for c in BAD])
def test_deploy_rejects_bad_file_and_stores_nothing(api, svc, label, files, status, fragment, element_id):
    response = post_files(api("designer"), "/process-definitions/deploy", files)
    _assert_problem(response, status, fragment, element_id)
    assert version_count(svc) == 0


@pytest.mark.parametrize("path", ["/process-definitions/check", "/process-definitions/deploy"])
def test_oversize_file_gives_413(api, svc, path):
    big = demo_text().replace("</bpmn:definitions>", "<!--" + "x" * (2 * 1024 * 1024) + "--></bpmn:definitions>")
    response = post_files(api("designer"), path, with_bpmn(big))
    assert response.status_code == 413
    assert response.json["code"] == "too_large"
    assert version_count(svc) == 0


def test_whole_request_over_the_limit_gives_413(api):
    files = {f"p{i}.bpmn": b"x" * (2 * 1024 * 1024 - 10) for i in range(5)}
    response = post_files(api("designer"), "/process-definitions/check", files)
    assert response.status_code == 413


def test_json_upload_with_non_text_file_gives_422(api):
    response = api("designer").post("/process-definitions/check", json={"files": {BPMN: 5}})
    assert response.status_code == 422


def test_check_accepts_good_files_and_reports_ok(api):
    response = api("designer").post("/process-definitions/check", json=as_json(demo_files()))
    assert response.status_code == 200, response.json
    body = response.json
    assert body["ok"] is True and body["problems"] == [] and body["process_key"] == "approval_demo"
    assert body["diff"] is None and body["base_version"] is None


def test_quoted_camunda_cycle_timer_is_accepted(api):
    files = replace(TIMER, "<bpmn:timeCycle>\"R6/P1D\"</bpmn:timeCycle>")
    response = api("designer").post("/process-definitions/check", json=as_json(files))
    assert response.status_code == 200, response.json


def test_file_with_several_diagrams_is_accepted(api):
    diagram = ('<bpmndi:BPMNDiagram xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="D{0}">'
               '<bpmndi:BPMNPlane id="P{0}" bpmnElement="approval_demo"/></bpmndi:BPMNDiagram>')
    files = replace("</bpmn:definitions>", diagram.format(1) + diagram.format(2) + "</bpmn:definitions>")
    response = api("designer").post("/process-definitions/check", json=as_json(files))
    assert response.status_code == 200, response.json


def test_utf16_file_is_converted_to_utf8(api):
    response = post_files(api("designer"), "/process-definitions/check",
                          {**demo_files(), BPMN: demo_text().encode("utf-16")})
    assert response.status_code == 200, response.json
    assert response.json["notes"] == [f"文件 {BPMN} 已转换为 UTF-8 编码保存"]


def test_plain_deploy_endpoint_answers_4xx_or_201_for_a_gbk_file(api):
    gbk = demo_text().replace('encoding="UTF-8"', 'encoding="GBK"').encode("gbk")
    response = post_files(api("designer"), "/process-definitions", {**demo_files(), BPMN: gbk})
    assert response.status_code < 500


def test_gbk_file_is_converted_to_utf8_and_deploys(api, svc):
    gbk = demo_text().replace('encoding="UTF-8"', 'encoding="GBK"').encode("gbk")
    response = post_files(api("designer"), "/process-definitions/deploy", {**demo_files(), BPMN: gbk})
    assert response.status_code == 201, response.json
    assert any("UTF-8" in note for note in response.json["notes"])
    source = api("designer").get(f"/process-definitions/{response.json['id']}").json
    assert 'encoding="UTF-8"' in source["files"][BPMN] and "登记举报" in source["files"][BPMN]


@pytest.mark.parametrize("role", ["handler", "auditor", "supervisor"])
def test_only_designer_and_admin_may_check_deploy_or_migrate(api, svc, deploy, role):
    result = deploy(demo_files())
    client = api(role)
    assert client.post("/process-definitions/check", json=as_json(demo_files())).status_code == 403
    assert client.post("/process-definitions/deploy", json=as_json(demo_files())).status_code == 403
    assert client.post(f"/process-definitions/{result.version_id}/migrate", json={}).status_code == 403
    for body in ({"case_ids": []}, {"case_ids": [], "dry_run": True}, {"case_ids": [999]}):
        assert client.post(f"/process-definitions/{result.version_id}/migrate", json=body).status_code == 403, body
    assert version_count(svc) == 1


def test_migrate_to_an_unknown_version_is_404_even_for_an_empty_list(api):
    response = api("designer").post("/process-definitions/987654/migrate", json={"case_ids": []})
    assert response.status_code == 404


def test_deploy_is_audited_and_admin_may_deploy(api, svc):
    response = api("admin").post("/process-definitions/deploy", json={**as_json(demo_files()), "comment": "首版"})
    assert response.status_code == 201 and response.json["version"] == 1 and response.json["created"]
    with svc.db.read_session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "process_deployed"))
    assert event.actor_name == "卫管理" and event.summary["version"] == 1


def test_deploying_identical_content_returns_the_existing_version(api):
    client = api("designer")
    first = client.post("/process-definitions/deploy", json=as_json(demo_files())).json
    again = client.post("/process-definitions/deploy", json=as_json(demo_files()))
    assert again.status_code == 201 and again.json["created"] is False and again.json["id"] == first["id"]


def renamed_v2() -> dict[str, bytes]:
    text = demo_text().replace('name="登记举报"', 'name="登记举报内容"')
    text = text.replace(TIMER, '<bpmn:timeDuration>"P3D"</bpmn:timeDuration>')
    return with_bpmn(text.replace('<bpmn:scriptTask id="close"', '<bpmn:scriptTask id="close_new"')
                     .replace('sourceRef="close"', 'sourceRef="close_new"').replace('targetRef="close"',
                                                                                    'targetRef="close_new"'))


def test_diff_lists_tasks_added_removed_and_changed(api):
    client = api("designer")
    client.post("/process-definitions/deploy", json=as_json(demo_files()))
    check = client.post("/process-definitions/check", json=as_json(renamed_v2())).json
    assert check["base_version"] == 1
    deployed = client.post("/process-definitions/deploy", json=as_json(renamed_v2())).json
    assert deployed["version"] == 2
    diff = client.get(f"/process-definitions/{deployed['id']}/diff").json
    assert diff == deployed["diff"]
    changed = {c["id"]: c for c in diff["changed"]}
    assert changed["register"]["fields"] == ["bpmn_name"] and changed["register"]["name"] == "登记举报内容"
    assert "event_definition" in changed["overdue"]["fields"]
    # SpecDiff aligns the renamed script task by structure: it is "changed", with its old id
    assert changed["close_new"]["was"]["id"] == "close" or {n["id"] for n in diff["added"]} == {"close_new"}
    assert diff["files"]["changed"] == [BPMN]


def test_download_returns_the_stored_file(api):
    client = api("designer")
    version_id = client.post("/process-definitions/deploy", json=as_json(demo_files())).json["id"]
    response = client.get(f"/process-definitions/{version_id}/files/forms/approval_demo/approve.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.data) == json.loads(demo_files()["forms/approval_demo/approve.json"])
    bpmn = client.get(f"/process-definitions/{version_id}/files/{BPMN}")
    assert bpmn.data == demo_files()[BPMN] and bpmn.mimetype == "application/xml"
    assert client.get(f"/process-definitions/{version_id}/files/nope.bpmn").status_code == 404
    assert api("auditor").get(f"/process-definitions/{version_id}/files/{BPMN}").status_code == 200
    assert api("handler").get(f"/process-definitions/{version_id}/files/{BPMN}").status_code == 403


# ---- versions and migration ----

def start_case(api, title="测试案件") -> int:
    response = api("intake").post("/cases", json={"process_key": "approval_demo", "title": title, "data": {}})
    assert response.status_code == 201, response.json
    return response.json["id"]


def case_version(svc, case_id) -> int:
    with svc.db.read_session() as session:
        case = session.get(Case, case_id)
        return session.get(ProcessVersion, case.process_version_id).version


def test_running_cases_stay_new_cases_use_new_version_and_migration_moves_and_audits(api, svc):
    designer = api("designer")
    designer.post("/process-definitions/deploy", json=as_json(demo_files()))
    old_case = start_case(api)
    v2 = designer.post("/process-definitions/deploy", json=as_json(renamed_v2())).json
    new_case = start_case(api)
    assert case_version(svc, old_case) == 1 and case_version(svc, new_case) == 2

    listing = designer.get("/process-definitions").json
    assert {(v["version"], v["open_cases"]) for v in listing} == {(1, 1), (2, 1)}

    dry = designer.post(f"/process-definitions/{v2['id']}/migrate", json={"dry_run": True}).json
    assert [(r["case_id"], r["migrated"], r["dry_run"]) for r in dry] == [(old_case, True, True)]
    assert case_version(svc, old_case) == 1

    result = designer.post(f"/process-definitions/{v2['id']}/migrate", json={"case_ids": [old_case]}).json
    assert result[0]["migrated"] is True and result[0]["from_version"] == 1 and result[0]["to_version"] == 2
    assert case_version(svc, old_case) == 2
    with svc.db.read_session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.case_id == old_case,
                                                        AuditEvent.action == "case_migrated"))
        item = session.scalar(select(WorkItem).where(WorkItem.case_id == old_case, WorkItem.completed_at.is_(None)))
    assert event.summary["from_version"] == 1 and event.summary["to_version"] == 2
    assert event.actor_name == "郑设计"
    assert item.title == "登记举报内容"   # the waiting task takes the new version's name
    audit = api("auditor").get(f"/cases/{old_case}/audit").json
    assert audit["chain"]["valid"] is True

    # the migrated case still runs: complete the registration on the new version
    task_id = item.task_id
    done = api("intake").post(f"/tasks/{task_id}/complete", json={"data": {"summary": "已登记"}})
    assert done.status_code in (200, 422), done.json


def test_migration_is_refused_when_the_waiting_task_was_removed(api, svc):
    designer = api("designer")
    designer.post("/process-definitions/deploy", json=as_json(demo_files()))
    case_id = start_case(api)
    text = demo_text()
    start = text.index('<bpmn:userTask id="register"')
    end = text.index("</bpmn:userTask>", start) + len("</bpmn:userTask>")
    without = (text[:start] + text[end:]).replace('<bpmn:flowNodeRef>register</bpmn:flowNodeRef>', "")
    without = without.replace('<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="register"/>',
                              '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="settings"/>')
    without = without.replace('<bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="settings"/>', "")
    without = without.replace("<bpmn:incoming>f2</bpmn:incoming>", "<bpmn:incoming>f1</bpmn:incoming>")
    v2 = designer.post("/process-definitions/deploy", json=as_json(with_bpmn(without)))
    assert v2.status_code == 201, v2.json
    result = designer.post(f"/process-definitions/{v2.json['id']}/migrate", json={}).json
    assert result[0]["migrated"] is False
    assert "正在等待的任务" in result[0]["reason"] and "register" in result[0]["reason"]
    assert case_version(svc, case_id) == 1
    with svc.db.read_session() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "case_migrated")) is None


def test_migrating_a_case_of_another_process_or_already_there_is_refused(api, svc):
    designer = api("designer")
    v1 = designer.post("/process-definitions/deploy", json=as_json(demo_files())).json
    case_id = start_case(api)
    result = designer.post(f"/process-definitions/{v1['id']}/migrate", json={"case_ids": [case_id, 99999]}).json
    assert [r["migrated"] for r in result] == [False, False]
    assert "已在版本 1" in result[0]["reason"] and "不存在" in result[1]["reason"]


def test_designer_page_lists_versions_with_deployer_hash_and_open_cases(api, svc):
    designer = api("designer")
    designer.post("/process-definitions/deploy", json=as_json(demo_files()))
    start_case(api)
    page = designer.client.get("/designer/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    with svc.db.read_session() as session:
        version = session.scalar(select(ProcessVersion))
    assert "测试审批流程" in text and "郑设计" in text and version.sha256[:12] in text
    assert '<td class="open-cases">1</td>' in text
    assert f'/api/v1/process-definitions/{version.id}/files/forms/approval_demo/approve.json' in text
    editor = designer.client.get(f"/designer/versions/{version.id}")
    assert editor.status_code == 200 and 'id="btn-deploy"' in editor.get_data(as_text=True)
    assert "<script>" not in editor.get_data(as_text=True)   # CSP: script-src 'self', no inline scripts
    assert api("handler").client.get("/designer/").status_code == 403
    readonly = api("auditor").client.get(f"/designer/versions/{version.id}").get_data(as_text=True)
    assert 'id="btn-deploy"' not in readonly


@pytest.mark.parametrize("key", sorted(p.stem for p in (FIXTURE.parents[3] / "bpmn").glob("*.bpmn")))
def test_every_shipped_process_passes_the_designer_check(api, svc, key):
    from service.deploy import deploy_directory
    from workflows.specs import collect_sources

    deploy_directory(svc, FIXTURE.parents[3] / "bpmn")    # the processes its links start are deployed
    files = collect_sources(FIXTURE.parents[3] / "bpmn", key)
    response = api("designer").post("/process-definitions/check", json=as_json(files))
    assert response.status_code == 200, response.json
    assert response.json["process_key"] == key and response.json["notes"] == []


def test_a_deploy_parses_its_files_once(api, monkeypatch):
    """Check, store and diff share one parsed bundle (parsing is the dearest part of a deploy)."""
    import workflows.specs
    from service.cases import deployment, versioning

    client = api("designer")
    client.post("/process-definitions/deploy", json=as_json(demo_files()))
    parsed = []
    real = workflows.specs.load_bundle

    def counting(files, *args, **kwargs):
        parsed.append(sorted(files))
        return real(files, *args, **kwargs)

    for module in (workflows.specs, deployment, versioning):
        monkeypatch.setattr(module, "load_bundle", counting)
    response = client.post("/process-definitions/deploy", json=as_json(renamed_v2()))
    assert response.status_code == 201 and response.json["version"] == 2 and response.json["diff"]["changed"]
    assert len(parsed) == 1
