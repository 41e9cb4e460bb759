"""Words users see (issue 15 §3): every deployed form and every name shown on a case speaks the office's
Chinese, without source references, field names, decision-table ids, emoji or English.

Sources ([S10 art.17], ⚠️GK, 🏷) stay in `bpmn:documentation` and DMN rule descriptions for designers.
Scanned: each form's title, description, field titles and descriptions, options (the labels when a field
has `x-enum-labels`, else the values) and x-checks messages; each BPMN element's name (tasks, events,
gateways, lanes, pools, sequence flows), its instructions (without `{{ placeholders }}`) and every
`outcome` an end state sets; each DMN string output that instructions and cases show.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"

SOURCE_REF = re.compile(r"\[S\d+[^\]]*\]|\bS\d+\b|art\.\s*\d+|⚠️?\s*GK|⚠️?|🏷\s*LOCAL|🏷|✅|\bGK\b")
ENGLISH = re.compile(r"[A-Za-z]")
EMOJI = re.compile("[\u2600-\u27bf\U0001F000-\U0001FAFF\uFE0F]")
PLACEHOLDER = re.compile(r"\{\{.*?\}\}")
OUTCOME = re.compile(r"""\boutcome\s*=\s*(?:f?)(['"])(.+?)\1""")
# A few plain units and formats are not "English" to a Chinese office form.
ALLOWED_LATIN = re.compile(r"YYYY-MM-DD|\bMiB\b|\bJSON\b")


def problems_of(text: str) -> list[str]:
    """Why `text` may not be shown to users (empty when it may)."""
    found = []
    plain = ALLOWED_LATIN.sub("", PLACEHOLDER.sub("", text))
    if SOURCE_REF.search(plain):
        found.append("引用了来源编号或标记")
        plain = SOURCE_REF.sub("", plain)
    if EMOJI.search(plain):
        found.append("含表情符号")
    if ENGLISH.search(plain):
        found.append("含英文或字段名")
    return found


def form_texts(path: Path) -> list[tuple[str, str]]:
    schema = json.loads(path.read_text(encoding="utf-8"))
    texts = [("title", schema.get("title", "")), ("description", schema.get("description", ""))]
    for name, field in (schema.get("properties") or {}).items():
        texts += [(f"{name}.title", field.get("title", "")), (f"{name}.description", field.get("description", ""))]
        items = field.get("items") if isinstance(field.get("items"), dict) else {}
        labels = field.get("x-enum-labels") or items.get("x-enum-labels")
        options = list(labels.values()) if labels else (field.get("enum") or items.get("enum") or [])
        texts += [(f"{name}.option", str(o)) for o in options if o is not None]  # null: no choice, not shown
    texts += [(f"x-checks[{i}]", c.get("message", "")) for i, c in enumerate(schema.get("x-checks", []))]
    return [(where, text) for where, text in texts if text]


def bpmn_texts(path: Path) -> list[tuple[str, str]]:
    root = etree.parse(str(path)).getroot()
    texts = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get("name") and el.tag.startswith("{http://www.omg.org/spec/BPMN/20100524/MODEL}"):
            texts.append((f"{etree.QName(el).localname} {el.get('id')}", el.get("name")))
        if el.tag == f"{SPIFF}instructionsForEndUser" and el.text:
            texts.append((f"instructions of {el.getparent().getparent().get('id')}", el.text))
        if etree.QName(el).localname == "script" and el.text:
            texts += [(f"outcome in {el.getparent().get('id')}", re.sub(r"\{[^{}]*\}", "", m.group(2)))
                      for m in OUTCOME.finditer(el.text)]
    return texts


def dmn_texts(path: Path) -> list[tuple[str, str]]:
    root = etree.parse(str(path)).getroot()
    texts = []
    for rule in root.iter("{*}rule"):
        for entry in rule.iter("{*}outputEntry"):
            text = (entry.findtext("{*}text") or "").strip()
            if len(text) >= 2 and text[0] == text[-1] == '"':
                texts.append((f"{rule.get('id')}", text[1:-1]))
    return texts


def all_texts() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(BPMN_DIR.glob("forms/*/*.json")):
        found += [(str(path.relative_to(BPMN_DIR)), where, text) for where, text in form_texts(path)]
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        found += [(path.name, where, text) for where, text in bpmn_texts(path)]
    for path in sorted(BPMN_DIR.glob("*.dmn")):
        found += [(path.name, where, text) for where, text in dmn_texts(path)]
    return found


def test_the_scanner_catches_each_kind_of_word_users_must_not_see():
    assert problems_of("退回信访 [S10 art.17]") == ["引用了来源编号或标记"]
    assert problems_of("回访 ⚠️GK") == ["引用了来源编号或标记"]
    assert problems_of("回访 🙂") == ["含表情符号"]
    assert problems_of("举报人 reporter_name") == ["含英文或字段名"]
    assert problems_of("决策表 tolerance_decision") == ["含英文或字段名"]
    assert problems_of("期限：{{ reply_due }}。日期格式 YYYY-MM-DD") == []


def test_no_form_name_or_outcome_shows_sources_field_names_emoji_or_english():
    bad = [f"{file} {where}: {text!r} ({'、'.join(problems_of(text))})"
           for file, where, text in all_texts() if problems_of(text)]
    assert not bad, f"{len(bad)} texts users would see:\n" + "\n".join(bad)


def test_end_states_are_not_compounds_with_a_middle_dot():
    bad = [(file, where, text) for file, where, text in all_texts()
           if where.startswith(("outcome", "endEvent")) and "·" in text]
    assert not bad, bad


@pytest.mark.parametrize("path", sorted(BPMN_DIR.glob("*.bpmn")), ids=lambda p: p.stem)
def test_user_task_names_match_their_form_titles(path):
    root = etree.parse(str(path)).getroot()
    mismatched = []
    for task in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask"):
        form = task.find(f".//{SPIFF}formJsonSchemaFilename")
        if form is None:
            continue
        title = json.loads((BPMN_DIR / "forms" / form.text.strip()).read_text(encoding="utf-8")).get("title")
        if title != task.get("name"):
            mismatched.append(f"{task.get('id')}: task {task.get('name')!r} / form {title!r}")
    assert not mismatched, "\n".join(mismatched)


def test_office_terms_are_used():
    texts = [text for _, _, text in all_texts()]
    joined = "\n".join(texts)
    assert "移送司法机关" not in joined
    assert "回访窗口" not in joined
    assert "提醒谈话" not in joined or "谈话提醒" not in joined, "one spelling of 谈话提醒"
    assert "常委会" not in joined, "a 纪工委 has no 常委会: 纪工委会议 / 纪工委书记"
