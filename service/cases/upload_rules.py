"""Designer rules on top of workflows.specs, for files made in other tools: encodings, file names,
namespaces, duplicate ids, Camunda-style timer and JUEL expressions, and problems placed on elements."""

from __future__ import annotations

import re

from service.cases.errors import TooLarge
from workflows.errors import Problem
from workflows.lint import BPMN_NS
from workflows.xmlsafe import decode_text, parse_xml

DMN_NAMESPACES = {"https://www.omg.org/spec/DMN/20191111/MODEL/", "http://www.omg.org/spec/DMN/20180521/MODEL/",
                  "http://www.omg.org/spec/DMN/20151101/dmn.xsd"}
_FILE_NAME = re.compile(r"^(forms/)?[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-.]+)*\.(bpmn|dmn|json)$")
_DECLARED = re.compile(r"^(\s*<\?xml[^>]*encoding\s*=\s*[\"'])([A-Za-z0-9._-]+)([\"'])")
_ISO_PART = r"([+-]?\d{4}-\d\d-\d\d(T[\d:.,]+(Z|[+-]\d\d:?\d\d)?)?|P[\dYMWDTHS.,]*)"
_ISO_TIMER = re.compile(rf"^(R\d*/)?{_ISO_PART}(/{_ISO_PART})?$", re.IGNORECASE)
_JUEL = re.compile(r"^[$#]\{.*\}$", re.DOTALL)
TIMER_QUOTE_MESSAGE = '定时器表达式须为带引号的字符串，例如 "P1D"'


def normalize_files(files: dict[str, bytes], limit: int) -> tuple[dict[str, bytes], list[str], list[Problem]]:
    """Check names and sizes; store every text file as UTF-8 (converting declared GBK/UTF-16 with a note)."""
    out, notes, problems = {}, [], []
    if not files:
        problems.append(Problem("", None, "请上传流程文件（至少一个 .bpmn 文件）"))
    for name, data in files.items():
        if len(data) > limit:
            raise TooLarge(f"文件 {name} 超过大小上限（{limit // 1024 // 1024} MiB）",
                           [Problem(name, None, "文件过大").to_dict()])
        if not _FILE_NAME.match(name) or ".." in name:
            problems.append(Problem(name, None, "文件名不合规：只允许 .bpmn、.dmn 和 forms/ 下的 .json，"
                                                "由字母、数字、下划线和连字符组成"))
            continue
        text, problem = decode_text(name, data)
        if problem is not None:
            problems.append(problem)
            continue
        utf8 = text.encode("utf-8")
        if utf8 != data:
            if text.startswith("\ufeff"):
                text = text[1:]
            text = _DECLARED.sub(lambda m: f"{m.group(1)}UTF-8{m.group(3)}", text, count=1)
            utf8 = text.encode("utf-8")
            notes.append(f"文件 {name} 已转换为 UTF-8 编码保存")
        out[name] = utf8
    return out, notes, problems


def _namespace_problem(name: str, root) -> Problem | None:
    namespace = root.tag.split("}")[0][1:] if isinstance(root.tag, str) and root.tag.startswith("{") else ""
    if name.endswith(".bpmn") and namespace != BPMN_NS:
        return Problem(name, None, f"不是 BPMN 2.0 文件：根元素的命名空间应为 {BPMN_NS}，"
                                   f"实际为 {namespace or '（无）'}")
    if name.endswith(".dmn") and namespace not in DMN_NAMESPACES:
        return Problem(name, None, f"不是受支持的 DMN 文件：根元素的命名空间 {namespace or '（无）'} "
                                   "不是 DMN 1.1/1.2/1.3")
    return None


def _timer_problem(kind: str, text: str) -> str | None:
    """An unquoted ISO value (Camunda style); a quoted literal's value is checked by workflows.lint
    (ISO 8601 and sane bounds), an expression's value by the engine when it runs."""
    if _ISO_TIMER.match(text):
        return f'{TIMER_QUOTE_MESSAGE}（当前为 {text}，应写成 "{text}"）'
    return None


def _owner(el) -> str | None:
    # timeDate -> timerEventDefinition -> the event that carries the timer
    event = el.getparent().getparent() if el.getparent() is not None else None
    return event.get("id") if event is not None else None


def _file_problems(name: str, root) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for el in root.iter():
        el_id = el.get("id") if isinstance(el.tag, str) else None
        if el_id is None:
            continue
        if el_id in seen:
            message = f"元素 id {el_id} 重复（第 {seen[el_id]} 行已使用）"
            problems.append(Problem(name, el_id, message, el.sourceline))
        seen.setdefault(el_id, el.sourceline)
    for kind in ("timeDate", "timeDuration", "timeCycle"):
        for el in root.iter(f"{{{BPMN_NS}}}{kind}"):
            message = _timer_problem(kind, (el.text or "").strip())
            if message:
                problems.append(Problem(name, _owner(el), message, el.sourceline))
    tags = ("conditionExpression", "timeDate", "timeDuration", "timeCycle")
    for el in root.iter(*(f"{{{BPMN_NS}}}{t}" for t in tags)):
        if _JUEL.match((el.text or "").strip()):
            owner = _owner(el) if "time" in el.tag else el.getparent().get("id")
            problems.append(Problem(name, owner, f"不支持 Camunda 的 JUEL 表达式 {el.text.strip()}，"
                                    "请写成沙箱表达式（例如 due_date 或 amount > 1000）", el.sourceline))
    return problems


def extra_problems(files: dict[str, bytes]) -> tuple[list[Problem], dict[str, dict[int, str]]]:
    """Namespaces, duplicate ids, timer and JUEL expressions; plus {file: {line: element id}}."""
    problems, lines = [], {}
    for name in sorted(n for n in files if n.endswith((".bpmn", ".dmn"))):
        root, _found = parse_xml(name, files[name])
        if root is None:
            continue
        wrong = _namespace_problem(name, root)
        if wrong is not None:
            problems.append(wrong)
            continue
        lines[name] = {}
        for el in root.iter():
            if isinstance(el.tag, str) and el.get("id") and el.sourceline:
                lines[name].setdefault(el.sourceline, el.get("id"))
        problems += _file_problems(name, root)
    return problems, lines


def merge_problems(ours: list[Problem], engine: list[Problem], lines: dict[str, dict[int, str]]) -> list[Problem]:
    """Our clearer problems first; engine problems of a file we reported as not BPMN/DMN are dropped;
    XSD problems that only carry a line get the id of the element on that line."""
    not_xml_files = {p.file for p in ours if p.element_id is None and p.message.startswith("不是")}
    seen = {(p.file, p.element_id, p.message) for p in ours}
    out = list(ours)
    for p in engine:
        if p.file in not_xml_files or (p.file, p.element_id, p.message) in seen:
            continue
        if p.element_id is None and p.line:
            p = Problem(p.file, lines.get(p.file, {}).get(p.line), p.message, p.line)
        out.append(p)
    return out
