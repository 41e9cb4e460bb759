"""Document (文书) templates of a process version: `documents/<process>.json`, deployed with the BPMN.

A template names the step after whose completion the document is issued (`after_tasks`, and an optional
`when` expression), its type and number abbreviation, and its text: `title`, `recipient` (主送) and `body`
paragraphs with `{{ expression }}` placeholders. Every expression (`when` and placeholders) runs in the
engine's sandbox against the case data, so a template can do no more than a gateway condition.

Confidentiality (domain.md §8): names starting with `reporter_` are available only to a template that
declares `"reveals_reporter": true` (the acceptance notice to the reporter); any other template naming
one is refused at deploy time, and at run time such names are simply not in its context.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import Problem
from .sandbox import check_expression

DOCUMENTS_DIR = 'documents/'
PLACEHOLDER = re.compile(r'\{\{\s*(.+?)\s*\}\}')
_TYPE = re.compile(r'[a-z][a-z0-9_]{0,47}')
_REPORTER = re.compile(r'\breporter_\w+')
MAX_TEMPLATES = 50
MAX_PARAGRAPHS = 100
MAX_TEXT = 4000


def documents_file(process_key: str) -> str:
    """Bundle file name of a process's document templates."""
    return f'{DOCUMENTS_DIR}{process_key}.json'


def is_documents_file(name: str) -> bool:
    return name.startswith(DOCUMENTS_DIR)


@dataclass(frozen=True)
class DocumentTemplate:
    """One kind of document a process issues."""

    type: str                        # e.g. inquiry_letter; numbers count per type and year
    name: str                        # 函询通知书
    abbr: str                        # the number's abbreviation: 高纪{abbr}〔2026〕12号
    after_tasks: tuple[str, ...]     # issued when one of these user tasks is completed ...
    when: str | None                 # ... and this expression holds (after the step ran)
    title: str
    recipient: str
    body: tuple[str, ...]
    approves: str | None = None      # the proposal whose approval chain gives the 签批 lines
    reveals_reporter: bool = False
    kind: str = 'letter'             # letter (公文) or form (呈批表, 登记表: a table of fields)
    fields: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (label, template) rows of a form

    def texts(self) -> list[str]:
        return [self.title, self.recipient, *self.body, *(t for _, t in self.fields)]


def parse_documents(name: str, data: bytes, task_ids: set[str]) -> tuple[dict[str, DocumentTemplate], list[Problem]]:
    """The templates of one documents file, and every problem with it (names in Chinese for the designer)."""
    problems: list[Problem] = []
    try:
        doc = json.loads(data.decode('utf-8'))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [Problem(name, None, f"文书模板不是有效的 JSON：{exc}")]
    items = doc.get('documents') if isinstance(doc, dict) else None
    if not isinstance(items, list) or len(items) > MAX_TEMPLATES:
        return {}, [Problem(name, None, f"文书模板须为 {{\"documents\": [...]}}，至多 {MAX_TEMPLATES} 个")]
    templates: dict[str, DocumentTemplate] = {}
    for index, item in enumerate(items):
        found, template = _parse_one(name, index, item, task_ids)
        problems.extend(found)
        if template is not None:
            if template.type in templates:
                problems.append(Problem(name, template.type, f"文书类型 {template.type} 重复"))
            templates[template.type] = template
    return templates, problems


def _text(value, default: str = '') -> str:
    return value if isinstance(value, str) else default


def _parse_one(name: str, index: int, item, task_ids: set[str]) -> tuple[list[Problem], DocumentTemplate | None]:
    where = f"第 {index + 1} 个文书模板"
    if not isinstance(item, dict):
        return [Problem(name, None, f"{where}须为对象")], None
    problems: list[Problem] = []
    doc_type = _text(item.get('type'))
    element = doc_type or None

    def add(message: str) -> None:
        problems.append(Problem(name, element, f"{where}（{doc_type or '未命名'}）：{message}"))

    if not _TYPE.fullmatch(doc_type):
        add("type 须为小写英文标识")
    for key in ('name', 'abbr', 'title'):
        if not _text(item.get(key)).strip():
            add(f"缺少 {key}")
    after = item.get('after_tasks')
    if not isinstance(after, list) or not after or not all(isinstance(t, str) for t in after):
        add("after_tasks 须为用户任务 id 的列表")
        after = []
    for task in after:
        if task not in task_ids:
            add(f"after_tasks 中的 {task} 不是本流程的用户任务")
    body = item.get('body', [])
    rows = item.get('fields', [])
    if not isinstance(body, list) or not all(isinstance(p, str) for p in body) or len(body) > MAX_PARAGRAPHS:
        add(f"body 须为至多 {MAX_PARAGRAPHS} 段文字的列表")
        body = []
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == 2 and all(isinstance(x, str) for x in r)
                                             for r in rows):
        add("fields 须为 [标签, 内容模板] 的列表")
        rows = []
    template = DocumentTemplate(
        type=doc_type, name=_text(item.get('name')), abbr=_text(item.get('abbr')), after_tasks=tuple(after),
        when=item.get('when') if isinstance(item.get('when'), str) else None, title=_text(item.get('title')),
        recipient=_text(item.get('recipient')), body=tuple(body), approves=item.get('approves') or None,
        reveals_reporter=item.get('reveals_reporter') is True, kind='form' if rows else 'letter',
        fields=tuple((label, text) for label, text in rows))
    if template.approves is not None and template.approves not in task_ids:
        add(f"approves 中的 {template.approves} 不是本流程的用户任务")
    expressions = [template.when] if template.when else []
    for text in template.texts():
        if len(text) > MAX_TEXT:
            add(f"一段文字超过 {MAX_TEXT} 字")
        expressions += PLACEHOLDER.findall(text)
    for expression in expressions:
        problem = check_expression(expression)
        if problem:
            add(f"表达式 {expression!r} 不被接受：{problem}")
        if not template.reveals_reporter and _REPORTER.search(expression):
            add(f"表达式 {expression!r} 使用了举报人信息；只有注明 reveals_reporter 的文书（如受理告知书）可以")
    return problems, template if not problems else None


@dataclass(frozen=True)
class DocumentContent:
    """A document's text as issued (frozen in the record; DOCX and PDF are rendered from it)."""

    title: str
    recipient: str
    body: list[str]
    fields: list[list[str]]

    def to_dict(self) -> dict:
        return {'title': self.title, 'recipient': self.recipient, 'body': self.body, 'fields': self.fields}


def due_templates(templates: dict[str, DocumentTemplate], completed_task: str, context: dict,
                  evaluate: Callable[[str, dict], object]) -> list[DocumentTemplate]:
    """The templates issued by completing `completed_task`, given the case data after the step."""
    out = []
    for template in templates.values():
        if completed_task not in template.after_tasks:
            continue
        if template.when is None or evaluate(template.when, _visible(template, context)):
            out.append(template)
    return out


def _visible(template: DocumentTemplate, context: dict) -> dict:
    if template.reveals_reporter:
        return context
    return {k: v for k, v in context.items() if not k.startswith('reporter_')}


def render_content(template: DocumentTemplate, context: dict, evaluate: Callable[[str, dict], object]
                   ) -> DocumentContent:
    """Fill the template's placeholders through the sandbox (a missing value renders empty)."""
    visible = _visible(template, context)

    def fill(text: str) -> str:
        def one(match: re.Match) -> str:
            value = evaluate(match.group(1), visible)
            if value is None:
                return ''
            if isinstance(value, bool):
                return '是' if value else '否'
            if isinstance(value, list):
                return '、'.join(str(v) for v in value)
            return str(value)
        return PLACEHOLDER.sub(one, text)

    return DocumentContent(title=fill(template.title), recipient=fill(template.recipient),
                           body=[fill(p) for p in template.body],
                           fields=[[label, fill(text)] for label, text in template.fields])
