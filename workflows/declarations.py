"""What a process declares besides its flow: its settings document, its start form and its links.

- Settings: `settings/<process_key>.json`, a JSON Schema whose properties are the process's time
  limits, approval levels and thresholds; each property's `default` is the value in force for this
  version. The service seeds `settings` from it at start; case data can never change it.
- Start form: `spiffworkflow:formJsonSchemaFilename` on the none start event; start data is validated
  against it (no start form: start data must be empty).
- Links: `spiffworkflow:property name="start_case_<name>" value="<process_key>"` on the element whose
  script sets `start_case_<name>`; the service starts at most one such case per declaration.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

import jsonschema
from lxml import etree

from .errors import Problem
from .lint import BPMN_NS, SPIFF_NS, extension_text, form_key, local, properties
from .reserved import LINK_PREFIX, PROCESS_NAMES, SETTINGS, is_reserved, link_name
from .xmlsafe import element_lines

SETTINGS_DIR = 'settings/'
_KEY = re.compile(r'[A-Za-z][A-Za-z0-9_-]*')
_NAME = re.compile(r'[A-Za-z][A-Za-z0-9_]*')
_READS = re.compile(r'''(?:\bget\(\s*settings\s*,\s*|\bsettings\s*\[\s*)['"]([^'"]+)['"]''')
_USES_SETTINGS = re.compile(r'\bsettings\b')


@dataclass(frozen=True)
class LinkDecl:
    """A linked case an element may start: `start_case_<name>` → a case of `process_key`."""

    name: str
    process_key: str
    element_id: str


def settings_file(process_key: str) -> str:
    """Bundle file name of a process's settings document."""
    return f'{SETTINGS_DIR}{process_key}.json'


def is_settings_file(name: str) -> bool:
    return name.startswith(SETTINGS_DIR)


def load_settings(name: str, schema: dict, problems: list[Problem]) -> dict:
    """The values a settings document declares (each property's `default`), after checking it."""
    def add(message: str, element: str | None = None) -> None:
        problems.append(Problem(name, element, message))

    if not isinstance(schema, dict) or schema.get('type') != 'object':
        add("设置文件须是 type 为 object 的 JSON Schema")
        return {}
    if schema.get('additionalProperties') is not False:
        add("设置文件须声明 additionalProperties: false（设置项只能是声明过的）")
    props = schema.get('properties')
    if not isinstance(props, dict):
        add("设置文件缺少 properties")
        return {}
    values = {}
    for key, prop in props.items():
        if not _NAME.fullmatch(key):
            add(f"设置项名称 {key} 须为英文字母、数字和下划线", key)
        elif not isinstance(prop, dict) or 'default' not in prop:
            add(f"设置项 {key} 缺少取值 (default)", key)
        elif not prop.get('title'):
            add(f"设置项 {key} 缺少中文标题 (title)", key)
        else:
            values[key] = prop['default']
    validator = jsonschema.Draft202012Validator(schema)
    for error in validator.iter_errors(values):
        where = '.'.join(map(str, error.absolute_path)) or None
        add(f"设置项 {where or ''} 的取值不符合其定义: {error.message}".replace('  ', ' '), where)
    return values


def settings_reads(texts: list[str]) -> tuple[bool, set[str]]:
    """Whether the texts use `settings` at all, and the setting names they read by literal key."""
    uses = any(_USES_SETTINGS.search(t) for t in texts)
    return uses, {m.group(1) for t in texts for m in _READS.finditer(t)}


def start_form(process: etree._Element) -> tuple[str | None, str | None]:
    """(start event id, form key) of the process's none start event's start form."""
    for start in process.iterfind(f'{{{BPMN_NS}}}startEvent'):
        if any(local(child).endswith('EventDefinition') for child in start):
            continue
        form = extension_text(start, 'formJsonSchemaFilename')
        return start.get('id'), form_key(form) if form else None
    return None, None


def link_declarations(process: etree._Element) -> list[LinkDecl]:
    """Every `start_case_<name>` property of the process's elements."""
    found = []
    for el in process.iter():
        if not isinstance(el.tag, str) or local(el) in ('property', 'properties', 'extensionElements'):
            continue
        for prop, value in properties(el).items():
            name = link_name(prop)
            if name is not None:
                found.append(LinkDecl(name, value.strip(), el.get('id')))
    return found


def _assigned_names(script: str) -> set[str]:
    """Top-level names a sandbox script assigns (`x = …`, `x[k] = …`, `x += …`)."""
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return set()   # the sandbox check reports it
    names = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else []
        for target in targets:
            while isinstance(target, ast.Subscript):
                target = target.value
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name):
                    names.add(leaf.id)
    return names


def _owner(el: etree._Element) -> etree._Element:
    while el.getparent() is not None and local(el.getparent()) not in ('process', 'subProcess', 'transaction'):
        el = el.getparent()
    return el


class DeclarationLinter:
    """Check a BPMN file against what it declares: settings read, start form, links, reserved names."""

    def __init__(self, name: str, root: etree._Element, process: etree._Element, forms: dict[str, dict],
                 broken_forms: set[str], settings: dict | None):
        self.name, self.root, self.process, self.forms = name, root, process, forms
        self.broken_forms, self.settings = broken_forms, settings
        self.lines = element_lines(root)
        self.problems: list[Problem] = []

    def add(self, element_id: str | None, message: str) -> None:
        self.problems.append(Problem(self.name, element_id, message, self.lines.get(element_id)))

    def run(self) -> list[Problem]:
        self._settings()
        self._start_form()
        self._links_and_writes()
        return self.problems

    def _texts(self) -> list[tuple[str | None, str]]:
        found = []
        for el in self.root.iter(f'{{{BPMN_NS}}}script', f'{{{SPIFF_NS}}}preScript', f'{{{SPIFF_NS}}}postScript',
                                 f'{{{BPMN_NS}}}conditionExpression', f'{{{BPMN_NS}}}timeDate',
                                 f'{{{BPMN_NS}}}timeDuration', f'{{{BPMN_NS}}}timeCycle'):
            found.append((_owner(el).get('id'), el.text or ''))
        for el in self.root.iter(f'{{{SPIFF_NS}}}property'):
            if el.get('name') == 'deadline':
                found.append((_owner(el).get('id'), el.get('value', '')))
        return found

    def _settings(self) -> None:
        key = self.process.get('id')
        for element_id, text in self._texts():
            uses, reads = settings_reads([text])
            if uses and self.settings is None:
                self.add(element_id, f"流程读取 settings，但缺少设置文件 {settings_file(key)}")
                return
            for setting in sorted(reads - set(self.settings or {})):
                self.add(element_id, f"读取了未在 {settings_file(key)} 中声明的设置项 {setting}")

    def _start_form(self) -> None:
        start_id, form = start_form(self.process)
        if form is not None and form not in self.forms and form not in self.broken_forms:
            self.add(start_id, f"开始表单 {form} 不存在")

    def _links_and_writes(self) -> None:
        declared: dict[str, set[str]] = {}
        targets: dict[str, str] = {}
        for decl in link_declarations(self.process):
            if not _KEY.fullmatch(decl.process_key):
                self.add(decl.element_id, f"关联案件 {LINK_PREFIX}{decl.name} 的目标流程标识无效: {decl.process_key!r}")
            elif targets.setdefault(decl.name, decl.process_key) != decl.process_key:
                self.add(decl.element_id, f"关联案件 {LINK_PREFIX}{decl.name} 在不同元素上指向不同流程")
            declared.setdefault(decl.element_id, set()).add(decl.name)
        for el in self.root.iter(f'{{{BPMN_NS}}}script', f'{{{SPIFF_NS}}}preScript', f'{{{SPIFF_NS}}}postScript'):
            owner = _owner(el).get('id')
            for target in sorted(_assigned_names(el.text or '')):
                name = link_name(target)
                if name is not None:
                    if name not in declared.get(owner, set()):
                        self.add(owner, f"脚本设置了 {target}，但本元素没有声明该关联案件 "
                                        f"(spiffworkflow:property name=\"{target}\" value=\"目标流程\")")
                elif target not in PROCESS_NAMES and is_reserved(target):
                    self.add(owner, f"脚本不能写入保留名称 {target}"
                                    + ("（设置项属于流程版本，在设置文件中修改）" if target == SETTINGS else ""))


def reserved_form_fields(name: str, schema: dict) -> list[Problem]:
    """A form may not declare a reserved name as a field."""
    fields = schema.get('properties') if isinstance(schema, dict) else None
    clashes = sorted(k for k in fields if is_reserved(k)) if isinstance(fields, dict) else []
    if not clashes:
        return []
    return [Problem(name, None, f"表单字段使用了引擎保留名称，不能由表单填写: {', '.join(clashes)}")]


def settings_problem_for_json(name: str, data: bytes) -> tuple[dict | None, str | None]:
    """Parse a settings document's JSON and check it is a JSON Schema."""
    try:
        schema = json.loads(data.decode('utf-8'))
        jsonschema.Draft202012Validator.check_schema(schema)
        return schema, None
    except (ValueError, UnicodeDecodeError) as exc:
        return None, str(exc)
    except jsonschema.SchemaError as exc:
        return None, exc.message
