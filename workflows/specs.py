"""Load a process version (BPMN + DMN + forms) into specs, after hardening, XSD validation and lint."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jsonschema
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from . import form_checks
from .bounds import DEFAULT_BOUNDS, RunBounds
from .declarations import (
    DeclarationLinter,
    LinkDecl,
    is_settings_file,
    link_declarations,
    load_settings,
    reserved_form_fields,
    settings_file,
    settings_problem_for_json,
    start_form,
)
from .dmn import QingfengParser
from .documents import DocumentTemplate, documents_file, is_documents_file, parse_documents
from .errors import Problem, SpecInvalid
from .formschema import schema_problems
from .lint import BPMN_NS, NS, BpmnLinter, form_key, lint_dmn, local, properties
from .xmlsafe import MAX_FILE_BYTES, decode_text, element_lines, parse_xml

__all__ = ['MAX_FILE_BYTES', 'ProcessBundle', 'TaskInfo', 'check_files', 'collect_sources', 'content_hash',
           'load_bundle', 'load_bundle_cached', 'parse_form']


@dataclass(frozen=True)
class TaskInfo:
    """What the service needs to know about one human task of a process."""

    bpmn_id: str
    name: str
    lane: str | None
    role: str | None
    approves: str | None
    deadline_expr: str | None
    form: str | None
    instructions: str | None
    documentation: str | None


@dataclass(eq=False)
class ProcessBundle:
    """A parsed, validated process version."""

    key: str
    name: str
    spec: object
    subprocess_specs: dict
    files: dict[str, bytes]
    sha256: str
    start_roles: tuple[str, ...] = ()
    forms: dict[str, dict] = field(default_factory=dict)
    tasks: dict[str, TaskInfo] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)           # the version's settings (settings/<key>.json)
    settings_schema: dict | None = None
    start_form: str | None = None                          # form key of the start event's form
    links: dict[str, LinkDecl] = field(default_factory=dict)  # start_case_<name> declarations by name
    documents: dict[str, DocumentTemplate] = field(default_factory=dict)  # documents/<key>.json by type


def content_hash(files: dict[str, bytes]) -> str:
    """sha256 over the files sorted by name: the version identity."""
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        digest.update(f'{name}\0{len(data)}\0'.encode())
        digest.update(data)
    return digest.hexdigest()


def _translate(exc: ValidationException) -> str:
    text = str(exc.args[0] if exc.args else exc)
    if 'No start event' in text:
        return "缺少开始事件"
    if 'no support implemented' in text:
        return f"不支持的元素类型 {exc.tag or ''}".strip()
    if 'was not found' in text and 'process' in text:
        return f"找不到被调用的流程: {text.split(chr(39))[1] if chr(39) in text else text}"
    if 'No DMN Diagram available' in text:
        return f"找不到被调用的决策表 ({text.split('id')[1].split(',')[0].strip()})"
    match = re.search(r"Element '\{[^}]*\}(\w+)': This element is not expected", text)
    if match:
        return f"元素 {match.group(1)} 不允许出现在这里 (XSD 校验失败)"
    return f"BPMN/DMN 校验失败: {text}"


def _spiff_problem(name: str, exc: Exception, lines: dict[str, int]) -> Problem:
    if isinstance(exc, ValidationException):
        element_id = exc.id or None
        line = exc.line_number if isinstance(exc.line_number, int) else lines.get(element_id)
        return Problem(exc.file_name or name, element_id, _translate(exc), line)
    return Problem(name, None, f"流程定义无法解析: {type(exc).__name__}: {exc}")


@lru_cache(maxsize=512)
def _form_schema(digest: str, data: bytes) -> tuple[dict | None, str | None]:
    """Parse and check one form (cached by content: check_schema costs ~7 ms per form)."""
    text, problem = decode_text('', data)
    try:
        if problem:
            raise ValueError(problem.message)
        schema = json.loads(text)
        jsonschema.Draft202012Validator.check_schema(schema)
        return schema, None
    except (ValueError, jsonschema.SchemaError) as exc:
        return None, exc.message if isinstance(exc, jsonschema.SchemaError) else str(exc)


def parse_form(text: str) -> dict:
    """One form's JSON Schema from its text (the designer's preview); SpecInvalid says in Chinese what is wrong."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecInvalid([Problem('', None, f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列无法解析")]) from None
    if not isinstance(schema, dict):
        raise SpecInvalid([Problem('', None, "表单必须是一个 JSON 对象（以 { 开头）")])
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(map(str, exc.absolute_path)) or "根"
        message = f"不是有效的 JSON Schema：{where} 处不符合 {exc.validator} 规则"
        raise SpecInvalid([Problem('', None, message)]) from None
    return schema


def _load_forms(files: dict[str, bytes], problems: list[Problem], strict: bool) -> tuple[dict[str, dict], set[str]]:
    forms, broken = {}, set()
    for name, data in files.items():
        if not name.endswith('.json') or is_settings_file(name) or is_documents_file(name):
            continue
        if len(data) > MAX_FILE_BYTES:
            schema, message = None, f"文件过大 (上限 {MAX_FILE_BYTES // 1024 // 1024} MiB)"
        else:
            schema, message = _form_schema(hashlib.sha256(data).hexdigest(), data)
        if schema is None:
            broken.add(name)
            problems.append(Problem(name, None, f"表单不是有效的 JSON Schema: {message}"))
        else:
            forms[name] = copy.deepcopy(schema)   # bundles must not share mutable schema dicts
            problems.extend(Problem(name, None, message) for message in form_checks.problems(schema))
            if strict:
                problems.extend(Problem(name, None, message) for message in schema_problems(schema))
            problems.extend(reserved_form_fields(name, schema))
    return forms, broken


def _load_settings_doc(files: dict[str, bytes], key: str, problems: list[Problem]) -> tuple[dict | None, dict]:
    """(schema, values) of the process's settings document; (None, {}) when it has none."""
    expected = settings_file(key)
    for name in sorted(files):
        if is_settings_file(name) and name != expected:
            problems.append(Problem(name, None, f"设置文件应命名为 {expected}"))
    if expected not in files:
        return None, {}
    schema, message = settings_problem_for_json(expected, files[expected])
    if schema is None:
        problems.append(Problem(expected, None, f"设置文件不是有效的 JSON Schema: {message}"))
        return None, {}
    return schema, load_settings(expected, schema, problems)


def _executable_process(name: str, root: etree._Element, problems: list[Problem]) -> etree._Element | None:
    if local(root) != 'definitions':
        problems.append(Problem(name, None, "根元素必须是 bpmn:definitions"))
        return None
    processes = root.findall(f'{{{BPMN_NS}}}process')
    executable = [p for p in processes if p.get('isExecutable') == 'true']
    if not executable:
        first = processes[0].get('id') if processes else None
        problems.append(Problem(name, first, "没有可执行流程 (isExecutable)"))
        return None
    if len(executable) > 1:
        problems.append(Problem(name, executable[1].get('id'), "每个 BPMN 文件只能有一个可执行流程"))
        return None
    return executable[0]


def _task_infos(specs: list) -> dict[str, TaskInfo]:
    infos = {}
    for spec in specs:
        for ts in spec.task_specs.values():
            if not getattr(ts, 'manual', False):
                continue
            ext = getattr(ts, 'extensions', {}) or {}
            props = ext.get('properties', {}) or {}
            infos[ts.bpmn_id] = TaskInfo(
                bpmn_id=ts.bpmn_id, name=ts.bpmn_name or ts.bpmn_id, lane=ts.lane, role=props.get('role'),
                approves=props.get('approves'), deadline_expr=props.get('deadline'),
                form=form_key(ext['formJsonSchemaFilename']) if ext.get('formJsonSchemaFilename') else None,
                instructions=ext.get('instructionsForEndUser'), documentation=ts.documentation)
    return infos


def _main_process(mains: dict[str, etree._Element], problems: list[Problem]) -> str | None:
    called = {el.get('calledElement') for p in mains.values() for el in p.iter(f'{{{BPMN_NS}}}callActivity')}
    roots = [pid for pid in (p.get('id') for p in mains.values()) if pid not in called]
    if len(roots) != 1:
        message = "无法确定主流程 (应恰好有一个不被调用的可执行流程)"
        problems.append(Problem(next(iter(mains), ''), None, message))
        return None
    return roots[0]


def _build(files: dict[str, bytes], bounds: RunBounds | None) -> tuple[ProcessBundle | None, list[Problem]]:
    problems: list[Problem] = []
    roots: dict[str, etree._Element] = {}
    for name in sorted(files):
        if name.endswith(('.bpmn', '.dmn')):
            root, found = parse_xml(name, files[name])
            problems.extend(found)
            if root is not None:
                roots[name] = root
        elif not name.endswith('.json'):
            problems.append(Problem(name, None, "不支持的文件类型"))
    if not problems and not any(n.endswith('.bpmn') for n in roots):
        problems.append(Problem('', None, "缺少 BPMN 文件"))
    if problems:
        return None, problems
    # form problems do not stop the BPMN checks
    forms, broken_forms = _load_forms(files, problems, strict=bounds is not None)

    parser = QingfengParser(validator=VALIDATOR)
    mains = {}
    for name in sorted(roots, key=lambda n: n.endswith('.bpmn')):   # DMN first
        try:
            if name.endswith('.dmn'):
                parser.add_dmn_xml(roots[name], filename=name)
                problems.extend(lint_dmn(name, roots[name]))
                continue
            parser.add_bpmn_xml(roots[name], filename=name)
        except Exception as exc:  # lxml/Spiff errors become problems, never escape
            problems.append(_spiff_problem(name, exc, element_lines(roots[name])))
            continue
        process = _executable_process(name, roots[name], problems)
        stem = name.rsplit('/', 1)[-1].removesuffix('.bpmn')
        if process is not None and process.get('id') != stem:
            problems.append(Problem(name, process.get('id'), f"流程 id 必须等于文件名 {stem}",
                                    process.sourceline))
        elif process is not None:
            mains[name] = process
            problems.extend(BpmnLinter(name, roots[name], forms, broken_forms, bounds).run())
    known = {p.get('id') for root in roots.values() for p in root.iter(f'{{{BPMN_NS}}}process')}
    for name, process in mains.items():
        for call in process.iter(f'{{{BPMN_NS}}}callActivity'):
            if call.get('calledElement') not in known:
                problems.append(Problem(name, call.get('id'), f"找不到被调用的流程 {call.get('calledElement')}",
                                        call.sourceline))
    key = _main_process(mains, problems) if mains else None
    settings_schema, settings = None, {}
    if key is not None:
        main_name = next(n for n, p in mains.items() if p.get('id') == key)
        settings_schema, settings = _load_settings_doc(files, key, problems)
        problems.extend(DeclarationLinter(main_name, roots[main_name], mains[main_name], forms, broken_forms,
                                          settings if settings_schema is not None else None).run())
    if key is None or problems:
        return None, problems or [Problem('', None, "没有可执行流程 (isExecutable)")]

    main_file = next(n for n, p in mains.items() if p.get('id') == key)
    try:
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except Exception as exc:
        return None, [_spiff_problem(main_file, exc, element_lines(roots[main_file]))]

    start_roles: list[str] = []
    for start in mains[main_file].iterfind('bpmn:startEvent', namespaces=NS):
        start_roles += [r.strip() for r in properties(start).get('start_roles', '').split(',') if r.strip()]
    tasks = _task_infos([spec, *[s for s in subprocess_specs.values() if s is not None]])
    documents, problems = _load_documents(files, key, set(tasks))
    if problems:
        return None, problems
    bundle = ProcessBundle(
        key=key, name=mains[main_file].get('name') or key, spec=spec, subprocess_specs=subprocess_specs,
        files=dict(files), sha256=content_hash(files), start_roles=tuple(dict.fromkeys(start_roles)),
        forms=forms, tasks=tasks,
        settings=settings, settings_schema=settings_schema, start_form=start_form(mains[main_file])[1],
        links={d.name: d for d in link_declarations(mains[main_file])}, documents=documents)
    return bundle, []


def _load_documents(files: dict[str, bytes], key: str, task_ids: set[str]
                    ) -> tuple[dict[str, DocumentTemplate], list[Problem]]:
    """The process's document templates (documents/<key>.json; none without the file)."""
    stray = [Problem(n, None, f"文书模板文件须命名为 {documents_file(key)}")
             for n in files if is_documents_file(n) and n != documents_file(key)]
    if documents_file(key) not in files:
        return {}, stray
    templates, problems = parse_documents(documents_file(key), files[documents_file(key)], task_ids)
    return templates, stray + problems


# SpiffWorkflow's shared XSD validator keeps its error log on the schema object; serialize builds so
# concurrent uploads never read each other's validation errors.
_BUILD_LOCK = threading.Lock()


def _locked_build(files: dict[str, bytes], bounds: RunBounds | None) -> tuple[ProcessBundle | None, list[Problem]]:
    with _BUILD_LOCK:
        return _build(files, bounds)


def check_files(files: dict[str, bytes], bounds: RunBounds | None = DEFAULT_BOUNDS) -> list[Problem]:
    """Return every problem of a file set without raising."""
    try:
        return _locked_build(files, bounds)[1]
    except Exception as exc:  # last line of defence: a crash is still reported as a problem
        return [Problem('', None, f"流程定义无法解析: {type(exc).__name__}: {exc}")]


def load_bundle(files: dict[str, bytes], bounds: RunBounds | None = DEFAULT_BOUNDS) -> ProcessBundle:
    """Parse, validate and lint a process version; raise SpecInvalid listing every problem.

    `bounds`: also refuse what would stall the engine or reach outside (waitless loops, insane timer
    values, non-local `$ref` in forms): what check and deploy do. None skips those checks: for loading
    versions already deployed (a later, stricter setting must not break their running cases; the
    engine's run bounds still hold for them)."""
    try:
        bundle, problems = _locked_build(files, bounds)
    except Exception as exc:
        raise SpecInvalid([Problem('', None, f"流程定义无法解析: {type(exc).__name__}: {exc}")])
    if problems or bundle is None:
        raise SpecInvalid(problems)
    return bundle


_CACHE: OrderedDict[str, ProcessBundle] = OrderedDict()
_CACHE_SIZE = 32
_CACHE_LOCK = threading.Lock()


def load_bundle_cached(files: dict[str, bytes]) -> ProcessBundle:
    """load_bundle with a small LRU keyed by the content hash (specs are read-only once built)."""
    digest = content_hash(files)
    with _CACHE_LOCK:
        if digest in _CACHE:
            _CACHE.move_to_end(digest)
            return _CACHE[digest]
    bundle = load_bundle(files, bounds=None)
    with _CACHE_LOCK:
        _CACHE[digest] = bundle
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return bundle


_KEY = re.compile(r'[A-Za-z][A-Za-z0-9_-]*')


def _inside(base: Path, name: str) -> Path | None:
    path = (base / name).resolve()
    return path if path.is_file() and path.is_relative_to(base.resolve()) else None


def collect_sources(bpmn_dir: Path, process_key: str) -> dict[str, bytes]:
    """Gather a process's .bpmn, the .dmn files it calls and the forms it names, keyed by relative name."""
    bpmn_dir = Path(bpmn_dir)
    main = f'{process_key}.bpmn'
    if not _KEY.fullmatch(process_key or '') or _inside(bpmn_dir, main) is None:
        raise SpecInvalid([Problem(main, None, f"找不到流程文件 {main}")])
    files = {main: (bpmn_dir / main).read_bytes()}
    root, problems = parse_xml(main, files[main])
    if root is None:
        raise SpecInvalid(problems)
    for el in root.iter(f'{{{NS["spiffworkflow"]}}}calledDecisionId'):
        name = f'{(el.text or "").strip()}.dmn'
        if _inside(bpmn_dir, name):
            files[name] = _inside(bpmn_dir, name).read_bytes()
    for el in root.iter(f'{{{NS["spiffworkflow"]}}}formJsonSchemaFilename'):
        name = form_key((el.text or '').strip())
        if _inside(bpmn_dir, name):
            files[name] = _inside(bpmn_dir, name).read_bytes()
    for extra in (settings_file(process_key), documents_file(process_key)):
        if _inside(bpmn_dir, extra):
            files[extra] = _inside(bpmn_dir, extra).read_bytes()
    return files
