"""Property-based fuzz of the whole JSON API against its own openapi.json (schemathesis + hypothesis).

Every operation gets generated requests from the document the service publishes: valid ones, invalid
ones, and (where the path names a resource) valid and invalid ones aimed at real cases, tasks and
process versions of the demo office. Each request is sent twice, with a handler's and a designer's
bearer token. The test fails on any 5xx, any status the operation does not declare, any body, header or
content type that does not match the document, and any invalid request that is not refused with a
4xx. It is deterministic (derandomized hypothesis) and bounded: QINGFENG_FUZZ_EXAMPLES requests per
operation and round (default 12: about 3,300 requests, one to two minutes on two cores).

Run it alone: `.venv/bin/python -m pytest tests/api/test_fuzz.py -s` (prints requests, seconds, findings).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from sqlalchemy import select

from service import create_app
from service.config import Config
from service.demo import load_demo
from service.deploy import deploy_directory
from service.models import Case, ProcessVersion, WorkItem
from service.observability import heartbeat
from tests.conftest import PASSWORD, ROOT, Clock, _wipe

ROLES = ("handler", "designer")
EXAMPLES = int(os.environ.get("QINGFENG_FUZZ_EXAMPLES", "12"))
ONLY = os.environ.get("QINGFENG_FUZZ_PATHS", "")  # while developing: fuzz only paths containing this text
REAL_TARGETS = 3  # real resources each operation with path parameters is aimed at
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance, checks.negative_data_rejection]
# Logging out (here or everywhere) would end the tokens the fuzz runs as; logging in and changing a password
# are fuzzed (wrong passwords are 401/422/429), and revoking tokens is, except the fuzz's own.
EXCLUDED = {("DELETE", "/api/v1/session"), ("DELETE", "/api/v1/sessions")}
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, print_blob=False,
                    suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])


@pytest.fixture(scope="module")
def fuzz_app(db_url):
    """The service on a fresh database: processes deployed, the demo office loaded, a timer worker alive."""
    config = Config.from_env(DATABASE_URL=db_url, SECRET_KEY="fuzz-secret", TESTING=True,
                             PASSWORD_HASH_METHOD="pbkdf2:sha256:1000", BPMN_DIR=str(ROOT / "bpmn"))
    app = create_app(config, clock=Clock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)))
    _wipe(app)
    svc = app.extensions["qingfeng"]
    deploy_directory(svc, ROOT / "bpmn")
    load_demo(svc)
    heartbeat.beat(svc, "fuzz-timer-worker", 30, svc.now(), 0)  # a ready service: /readyz answers 200, not 503
    yield app
    svc.db.dispose()


@pytest.fixture(scope="module")
def tokens(fuzz_app) -> dict[str, str]:
    out = {}
    for role in ROLES:
        response = fuzz_app.test_client().post("/api/v1/session", json={"username": role, "password": PASSWORD,
                                                                         "issue_token": True})
        assert response.status_code == 200, response.json
        out[role] = response.json["token"]
    return out


def _token_ids(app, tokens) -> set[int]:
    client = app.test_client()
    return {t["id"] for token in tokens.values()
            for t in client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"}).json}


def _still_authenticated(app, tokens) -> bool:
    client = app.test_client()
    return all(client.get("/api/v1/me", headers={"Authorization": f"Bearer {t}"}).status_code == 200
               for t in tokens.values())


@pytest.fixture(scope="module")
def real_targets(fuzz_app) -> list[dict]:
    """Path parameters naming real resources: a few cases, open tasks and versions with one of their files."""
    with fuzz_app.extensions["qingfeng"].db.read_session() as session:
        cases = list(session.scalars(select(Case.id).order_by(Case.id)))
        tasks = list(session.scalars(select(WorkItem.task_id).where(WorkItem.completed_at.is_(None))
                                     .order_by(WorkItem.id)))
        versions = list(session.execute(select(ProcessVersion.id, ProcessVersion.files).order_by(ProcessVersion.id)))
    pick = [0, len(cases) // 2, -1]
    return [{"case_id": cases[i], "task_id": tasks[i], "version_id": versions[i][0],
             "name": sorted(versions[i][1])[0], "day": "2026-10-01"} for i in pick[:REAL_TARGETS]]


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    schema.config.generation.update(with_security_parameters=False)
    return schema


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()  # an operation schemathesis cannot read is a broken contract too
        if (operation.method.upper(), operation.path) not in EXCLUDED and ONLY in operation.path:
            yield operation


def _rounds(operation, real_targets, own_tokens):
    """(label, strategy) pairs: generated everything, then each mode again on real path parameters."""
    names = {p.name for p in operation.path_parameters}
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategy = operation.as_strategy(generation_mode=mode)
        if "token_id" in names:  # never the tokens the fuzz itself runs with
            strategy = strategy.filter(lambda case: case.path_parameters.get("token_id") not in own_tokens)
        yield mode.value, strategy
        if names and all(names <= set(t) for t in real_targets):
            for target in real_targets:
                fixed = {name: target[name] for name in names}
                yield f"{mode.value} {fixed}", operation.as_strategy(generation_mode=mode, path_parameters=fixed)


def test_every_operation_answers_generated_requests_within_its_contract(fuzz_app, api_schema, tokens, real_targets):
    findings, sent = [], []
    started = time.monotonic()
    own_tokens = _token_ids(fuzz_app, tokens)
    for operation in _operations(api_schema):
        for label, strategy in _rounds(operation, real_targets, own_tokens):

            @SETTINGS
            @given(case=strategy)
            def send(case):
                for role in ROLES:
                    response = case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"},
                                                      checks=CHECKS)
                    sent.append(response.status_code)

            try:
                send()
            except Unsatisfiable:
                continue  # nothing here can be made invalid (no parameters, or free-form strings only)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 (each finding is reported below)
                findings.append(f"{operation.label} [{label}]: {exc}")
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(Counter(sent).items()))
    print(f"API fuzz: {len(sent)} requests ({statuses}), {time.monotonic() - started:.1f} s, {len(findings)} findings")
    assert not findings, "\n\n".join(findings)
    assert _still_authenticated(fuzz_app, tokens)  # else the later requests proved nothing but 401
