"""The HTTP contract as a class: out-of-range numbers are 4xx on every route, every error body has the
documented shape, and openapi.json declares every body, bound and error the service sends."""

from __future__ import annotations

import re

import jsonschema
import pytest
from werkzeug.routing import IntegerConverter

from service.bounds import MAX_ID, MAX_PAGE
from tests.conftest import PASSWORD

HUGE = [2**63, 2**64 + 1, 2**31, MAX_ID + 1]


def _spec(app) -> dict:
    return app.test_client().get("/api/v1/openapi.json").json


def _int_rules(app):
    """Every URL rule with an integer in its path, API and pages alike."""
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if ints:
            yield rule, ints


def _url(rule, ints, number) -> str:
    values = {name: number if name in ints else "x" for name in rule.arguments}
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
    return path


def _page_client(app):
    client = app.test_client()
    assert client.post("/login", data={"username": "admin", "password": PASSWORD}).status_code == 302
    return client


def test_app_has_routes_with_ids_in_both_api_and_pages(app):
    prefixes = {"api" if rule.rule.startswith("/api/") else "web" for rule, _ in _int_rules(app)}
    assert prefixes == {"api", "web"}


@pytest.mark.parametrize("number", HUGE)
def test_every_route_with_an_id_answers_404_for_an_id_past_the_database_range(app, users, api, number):
    clients = {"api": api("admin").client, "web": _page_client(app)}
    answers = {}
    for rule, ints in _int_rules(app):
        client = clients["api" if rule.rule.startswith("/api/") else "web"]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_url(rule, ints, number), method=method, json={})
            answers[f"{method} {rule.rule}"] = response.status_code
    assert answers and set(answers.values()) == {404}, answers


def test_an_id_of_zero_is_not_found_not_a_query(app, users, api):
    assert api("admin").get("/cases/0").status_code == 404
    assert api("admin").get("/cases/-1").status_code == 404


@pytest.mark.parametrize("page", [MAX_PAGE + 1, 2**63, 2**64 + 1])
def test_case_list_page_past_the_bound_is_422_in_api_and_pages(app, users, api, page):
    response = api("admin").get(f"/cases?page={page}")
    assert response.status_code == 422 and "page" in response.json["errors"]["query"]
    assert _page_client(app).get(f"/cases?page={page}").status_code == 422


def test_worklist_page_past_the_bound_shows_a_page(app, users):
    assert _page_client(app).get(f"/worklist?page={2**63}").status_code == 200


@pytest.mark.parametrize(("path", "body"), [
    ("/tasks/x/complete", {"data": {}, "case_version": 2**63}),
    ("/cases/1/recusals", {"user_id": 2**63, "reason": "利害关系"}),
    ("/process-definitions/1/migrate", {"case_ids": [1, 2**63]}),
])
def test_huge_integers_in_bodies_are_422(api, path, body):
    response = api("admin").post(path, json=body)
    assert response.status_code == 422, response.json
    assert response.json["code"] == "invalid_input"


def _integer_inputs(spec: dict):
    """(where, schema) for every integer a client sends: path and query parameters and body properties."""
    schemas = spec["components"]["schemas"]

    def walk(schema, where):
        if "$ref" in schema:
            yield from walk(schemas[schema["$ref"].rsplit("/", 1)[1]], where)
            return
        if schema.get("type") == "integer":
            yield where, schema
        for name, prop in schema.get("properties", {}).items():
            yield from walk(prop, f"{where}.{name}")
        if "items" in schema:
            yield from walk(schema["items"], f"{where}[]")

    for path, item in spec["paths"].items():
        for method, op in item.items():
            params = item.get("parameters", []) + (op.get("parameters", []) if isinstance(op, dict) else [])
            if method == "parameters":
                continue
            for param in params:
                yield from walk(param["schema"], f"{method.upper()} {path} {param['name']}")
            for media in op.get("requestBody", {}).get("content", {}).values():
                yield from walk(media["schema"], f"{method.upper()} {path} body")


def test_every_integer_a_client_sends_is_bounded_in_the_contract(app):
    inputs = list(_integer_inputs(_spec(app)))
    assert len(inputs) >= 10
    unbounded = [where for where, schema in inputs
                 if schema.get("minimum") is None or not schema.get("maximum", 2**63) <= MAX_ID]
    assert unbounded == []


# ---- the error body ----

def _error_schema(app) -> dict:
    spec = _spec(app)
    return {**spec["components"]["schemas"]["Error"], "components": spec["components"]}


def test_error_schema_says_code_is_a_string_and_status_an_integer(app):
    schema = _error_schema(app)
    assert schema["properties"]["code"]["type"] == "string"
    assert schema["properties"]["status"]["type"] == "integer"
    assert schema["properties"]["errors"]["type"] == "object"
    assert set(schema["required"]) == {"code", "status", "message", "errors"}


def test_malformed_json_is_400_with_errors_as_an_object(app, users, api):
    for path in ["/cases", "/tasks/x/complete", "/cases/1/recusals", "/process-definitions/1/migrate"]:
        response = api("admin").client.post(f"/api/v1{path}", data="{not json", content_type="application/json")
        assert response.status_code == 400, path
        assert response.json["code"] == "invalid_json"
        assert response.json["errors"] == {"json": ["请求体不是有效的 JSON"]}


def test_every_kind_of_error_body_matches_the_documented_schema(app, users, api):
    schema = _error_schema(app)
    client = app.test_client()
    admin = api("admin").client
    designer = api("designer").client
    responses = {
        400: admin.post("/api/v1/cases", data="[", content_type="application/json"),
        401: client.get("/api/v1/cases"),
        403: api("handler").get("/process-definitions"),
        404: admin.get("/api/v1/cases/999999"),
        405: admin.put("/api/v1/cases"),
        422: admin.get("/api/v1/cases?per_page=0"),
        "422 body": admin.post("/api/v1/cases", json={"title": 1}),
        "422 problems": designer.post("/api/v1/process-definitions/check",
                                      json={"files": {"x.bpmn": "<definitions/>"}}),
    }
    for label, response in responses.items():
        assert str(response.status_code) == str(label).split()[0], (label, response.json)
        jsonschema.validate(response.json, schema)
    assert isinstance(responses["422 problems"].json["errors"]["problems"], list)


# ---- what openapi.json declares ----

def test_no_operation_hides_its_errors_behind_a_default_response(app):
    ops = [(path, op) for path, item in _spec(app)["paths"].items() for m, op in item.items() if m != "parameters"]
    assert ops and all("default" not in op["responses"] for _, op in ops)


def test_every_operation_needing_a_login_declares_401_and_the_rest_say_they_are_public(app):
    spec = _spec(app)
    assert spec["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            public = op.get("security") == []
            assert public or "401" in op["responses"], f"{method} {path}"
    assert spec["paths"]["/api/v1/session"]["post"]["security"] == []


def test_every_unsafe_operation_declares_the_403_a_cross_site_cookie_call_gets(app, users):
    spec = _spec(app)
    unsafe = [(path, op) for path, item in spec["paths"].items() for m, op in item.items()
              if m in ("post", "put", "patch", "delete")]
    assert len(unsafe) >= 15 and all("403" in op["responses"] for _, op in unsafe)
    client = app.test_client()
    client.post("/api/v1/session", json={"username": "handler", "password": PASSWORD},
                headers={"Origin": "http://localhost"})
    forged = client.delete("/api/v1/session", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and forged.json["code"] == "csrf_failed"


def test_a_body_over_the_request_limit_is_413_with_the_error_body(app, users, api):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = api("admin").post("/cases", json={"process_key": "x", "title": "t", "data": {"a": "x" * limit}})
    assert response.status_code == 413 and response.json["code"] == "too_large"
    jsonschema.validate(response.json, _error_schema(app))
    assert "413" in _spec(app)["paths"]["/api/v1/cases"]["post"]["responses"]


def test_every_json_body_is_documented_with_its_400_and_422(app):
    spec = _spec(app)
    with_body = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters" or "requestBody" not in op:
                continue
            with_body += 1
            assert "422" in op["responses"], f"{method} {path}"
            if "application/json" in op["requestBody"]["content"] and "multipart/form-data" not in \
                    op["requestBody"]["content"]:
                assert {"400", "413"} <= set(op["responses"]), f"{method} {path}"
    assert with_body >= 12


def test_designer_uploads_document_multipart_and_json_bodies(app):
    paths = _spec(app)["paths"]
    for path in ["/api/v1/process-definitions", "/api/v1/process-definitions/check",
                 "/api/v1/process-definitions/deploy"]:
        body = paths[path]["post"]["requestBody"]
        assert body["required"] is True
        assert set(body["content"]) == {"multipart/form-data", "application/json"}
        assert {"401", "403", "413", "422"} <= set(paths[path]["post"]["responses"]), path


def test_upload_comment_longer_than_documented_is_422_in_both_forms(api):
    designer = api("designer").client
    as_json = designer.post("/api/v1/process-definitions/check", json={"files": {"a.bpmn": "x"}, "comment": "长" * 513})
    as_form = designer.post("/api/v1/process-definitions/check", content_type="multipart/form-data",
                            data={"files": [(__import__("io").BytesIO(b"x"), "a.bpmn")], "comment": "长" * 513})
    assert as_json.status_code == as_form.status_code == 422
    assert "comment" in as_json.json["errors"] and "comment" in as_form.json["errors"]


@pytest.mark.parametrize("body", ["[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000,
                                  '{"process_key": "x", "data": ' + "[" * 65 + "]" * 65 + "}"])
@pytest.mark.parametrize("path", ["/session", "/cases", "/tasks/x/complete", "/process-definitions/check"])
def test_json_nested_past_the_limit_is_400_before_anything_parses_it(app, users, api, body, path):
    response = api("admin").client.post(f"/api/v1{path}", data=body, content_type="application/json")
    assert response.status_code == 400, (path, response.status_code)
    assert response.json["code"] == "invalid_json" and "嵌套过深" in response.json["message"]


def test_json_nesting_is_counted_outside_strings_only():
    from service.bounds import json_too_deep

    assert not json_too_deep(b'{"a": "' + b"[" * 500 + b'", "b": [[["\\"["]]]}')
    assert json_too_deep(b"[" * 65 + b"]" * 65) and not json_too_deep(b"[" * 64 + b"]" * 64)


def test_a_json_body_with_a_lone_surrogate_is_400_not_a_storage_error(api):
    body = '{"process_key": "clue_handling", "title": "\\ud9ce\\udc94x\\udaf3"}'
    response = api("admin").client.post("/api/v1/cases", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json["code"] == "invalid_json"


def test_a_json_body_with_a_nul_character_is_400_not_a_storage_error(api):
    response = api("admin").post("/cases", json={"process_key": "clue\x00handling", "title": "t"})
    assert response.status_code == 400 and response.json["code"] == "invalid_json"


@pytest.mark.parametrize(("raw", "refused"), [
    (b'{"t": "\\u0000"}', True),                  # a NUL character
    (b'{"t": "\\\\u0000"}', False),              # a backslash, then the text u0000
    (b'{"t": "\\\\\\u0000"}', True),            # a backslash, then a NUL character
    (b'{"t": "\\ud83d\\ude00"}', False),         # a surrogate pair (an emoji)
    (b'{"t": "\\uD83D\\uDE00"}', False),
    (b'{"t": "\\ud83d"}', True),                  # a lone high surrogate
    (b'{"t": "\\ud83dx\\ude00"}', True),         # a high surrogate not followed by its low one
    (b'{"t": "\\ude00"}', True),                  # a lone low surrogate
    (b'{"t": "\xed\xa0\x80"}', True),            # a surrogate encoded as bytes (the parser would accept it)
    ('{"t": "x"}'.encode("utf-16"), True),        # not UTF-8
    ('{"t": "办理"}'.encode(), False),
])
def test_one_raw_bytes_check_finds_what_json_text_cannot_store(raw, refused):
    from service.bounds import json_refusal

    assert (json_refusal(raw) is not None) == refused, raw


@pytest.mark.parametrize("path", ["/api/v1/cases", "/designer/form-preview"])
def test_the_json_body_check_runs_for_api_and_pages_alike(app, users, api, path):
    response = api("admin").client.post(path, data=b'{"title": "\\u0000"}', content_type="application/json")
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True), path


@pytest.mark.parametrize("path", ["/api/v1/cases?q=%00", "/api/v1/cases?q=a%00b", "/api/v1/cases?status=%00",
                                  "/api/v1/cases?process_key=x%00", "/api/v1/tasks?scope=%00", "/api/v1/cases?%00=1",
                                  "/cases?q=%00", "/worklist?page=%00"])
def test_a_nul_character_in_a_query_is_422_before_any_query(app, users, api, path):
    response = api("handler").client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 422, (path, response.status_code)
    assert response.json["code"] == "invalid_input" and "query" in response.json["errors"]


def test_a_nul_character_in_a_path_names_nothing(app, users, api):
    assert api("handler").client.get("/api/v1/cases/1%00").status_code == 404


def test_schemas_live_in_service_schemas_one_class_per_shape():
    """Views (API and pages) define no schema (each area's shapes are in service/schemas/<area>.py), and no two schema
    classes declare the same fields (same names, types, attributes, required, nullable), nor one
    four or more of another's: a near-copy extends the other instead."""
    import importlib
    import inspect
    import pkgutil

    import marshmallow

    import service.api
    import service.schemas
    import service.web

    def classes(package):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            yield from (c for _n, c in inspect.getmembers(module, inspect.isclass)
                        if issubclass(c, marshmallow.Schema) and c.__module__ == module.__name__)

    assert [c.__name__ for c in classes(service.api)] + [c.__name__ for c in classes(service.web)] == []

    def shape(cls) -> frozenset:
        return frozenset((name, type(f).__name__, f.attribute, f.required, f.allow_none)
                         for name, f in cls._declared_fields.items())

    seen = {}
    for cls in classes(service.schemas):
        mine = shape(cls)
        if not mine or any(mine == shape(b) for b in cls.__mro__[1:] if hasattr(b, "_declared_fields")):
            continue
        assert mine not in seen, f"{cls.__name__} repeats the fields of {seen[mine]}"
        seen[mine] = cls.__name__
    every = list(classes(service.schemas))
    near_copies = [(a.__name__, b.__name__) for a in every for b in every
                   if not issubclass(a, b) and not issubclass(b, a) and len(shape(a)) >= 4 and shape(a) <= shape(b)]
    assert near_copies == [], "a schema with another's fields and more extends it"
