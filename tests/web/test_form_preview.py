"""The designer's form preview is rendered by the task pages' field macro (one form renderer), behind CSRF and
the version readers' predicate, with a 422 in Chinese for text that is not a JSON Schema object."""

from __future__ import annotations

import json
import re

SCHEMA = {"title": "初核报告", "description": "填写初核情况", "required": ["summary"], "properties": {
    "summary": {"type": "string", "title": "初核情况", "x-widget": "textarea"},
    "found_on": {"type": "string", "format": "date", "title": "发现日期"},
    "kind": {"type": "string", "title": "处置方式", "enum": ["a", "b"], "x-enum-labels": {"a": "谈话", "b": "函询"}},
}}


def test_preview_is_the_task_field_macro(page):
    response = page("designer").post("/designer/form-preview", data={"schema": json.dumps(SCHEMA)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h3>初核报告</h3>" in html and "填写初核情况" in html
    assert '<textarea id="f-summary" name="summary"' in html and 'aria-required="true"' in html
    assert "格式：YYYY-MM-DD。" in html  # the date hint only the server macro writes
    assert re.search(r'<input type="radio" name="kind" value="b"\s*> 函询', html)
    assert "<script" not in html


def test_preview_escapes_what_the_designer_typed(page):
    schema = {"title": "<script>alert(1)</script>", "properties": {"x": {"type": "string", "title": "<b>x</b>"}}}
    html = page("designer").post("/designer/form-preview", data={"schema": json.dumps(schema)}).get_data(as_text=True)
    assert "<script>" not in html and "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_preview_refuses_what_is_not_a_schema_in_chinese(page):
    designer = page("designer")
    for text, words in (("{ not json", "JSON 格式错误：第 1 行第 3 列"), ("[1]", "表单必须是一个 JSON 对象"),
                        ('{"type": 5}', "不是有效的 JSON Schema：type 处")):
        response = designer.post("/designer/form-preview", data={"schema": text})
        assert response.status_code == 422 and words in response.get_data(as_text=True), text


def test_preview_only_for_version_readers(page):
    assert page("handler").post("/designer/form-preview", data={"schema": "{}"}).status_code == 403
    assert page("auditor").post("/designer/form-preview", data={"schema": "{}"}).status_code == 200


def test_preview_requires_the_csrf_token(app, page):
    designer = page("designer")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = designer.post("/designer/form-preview", data={"schema": "{}"})
        editor_html = designer.get("/designer/").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', editor_html).group(1)
        allowed = designer.post("/designer/form-preview", data={"schema": "{}"}, headers={"X-CSRFToken": token})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400 and allowed.status_code == 200
