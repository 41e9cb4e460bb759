"""The designer offers positions in Chinese (issue 13 point 2), and every position it offers passes the linter."""

import html
import json

from service.cases.org import positions
from service.deploy import deploy_directory
from tests.browser.test_designer import BPMN_DIR
from tests.conftest import PASSWORD
from workflows.lint import TASK_ROLES


def test_every_offered_role_is_one_the_linter_and_the_resolution_accept():
    offered = {c["value"] for c in positions.task_role_choices()}
    assert set(positions.TASK_POSITIONS) <= offered <= TASK_ROLES
    assert all(positions.task_position(role, "") in positions.TASK_POSITION_HOLDERS for role in offered)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c["label"]) for c in positions.task_role_choices())


def test_the_editor_page_carries_the_positions_in_chinese(app, svc, users):
    version_id = {r.process_key: r for r in deploy_directory(svc, BPMN_DIR)}["clue_handling"].version_id
    client = app.test_client()
    client.post("/login", data={"username": "designer", "password": PASSWORD})
    body = client.get(f"/designer/versions/{version_id}").get_data(as_text=True)
    raw = body.split('data-positions="', 1)[1].split('"', 1)[0]
    choices = json.loads(html.unescape(raw))
    assert {"value": "deputy", "label": "分管该部门的分管领导", "group": positions.POSITION_GROUP} in choices
