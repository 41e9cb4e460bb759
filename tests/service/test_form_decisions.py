"""Every form's decision field (`decision` or the field `x-decision` names) is a choice the form declares."""

from __future__ import annotations

import json
from pathlib import Path

from service.cases.decisions import Decision, decision_field, decision_of

FORMS = sorted((Path(__file__).resolve().parents[2] / "bpmn" / "forms").glob("*/*.json"))


def test_each_x_decision_names_an_option_field_of_its_form():
    named = []
    for path in FORMS:
        schema = json.loads(path.read_text(encoding="utf-8"))
        if "x-decision" in schema:
            field = schema["x-decision"]
            prop = schema.get("properties", {}).get(field, {})
            assert decision_field(schema) == field and ("enum" in prop or prop.get("type") == "boolean"), path
            named.append(path.stem)
    assert "propose_disposal" in named and "screen_clue" in named


def test_an_approval_decision_is_labelled_and_a_return_is_marked():
    schema = {"properties": {"decision": {"enum": ["approve", "return"],
                                          "x-enum-labels": {"approve": "同意", "return": "退回修改"}},
                             "opinion": {"type": "string"}}}
    assert decision_of(schema, {"decision": "approve"}) == Decision("同意", None, False)
    assert decision_of(schema, {"decision": "return", "opinion": " 补充 "}) == Decision("退回修改", "补充", True)
    assert decision_of({"properties": {"x": {}}}, {"x": "1"}).label is None
