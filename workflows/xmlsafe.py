"""Hardened XML intake: size cap, no DOCTYPE/entities, encoding check, locked-down lxml parser."""

from __future__ import annotations

import codecs
import re

from lxml import etree

from .errors import Problem

MAX_FILE_BYTES = 2 * 1024 * 1024

_DECLARATION = re.compile(rb'^\s*<\?xml[^>]*encoding\s*=\s*["\']([A-Za-z0-9._-]+)["\']')
_FORBIDDEN = re.compile(r'<!\s*(DOCTYPE|ENTITY)', re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF32_LE, 'utf-32'), (codecs.BOM_UTF32_BE, 'utf-32'), (codecs.BOM_UTF8, 'utf-8-sig'),
         (codecs.BOM_UTF16_LE, 'utf-16'), (codecs.BOM_UTF16_BE, 'utf-16'))


def _safe_parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parser objects must not be shared between threads.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True, remove_pis=True)


def _declared_encoding(data: bytes) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    match = _DECLARATION.match(data[:200])
    return match.group(1).decode('ascii') if match else 'utf-8'


def decode_text(name: str, data: bytes) -> tuple[str | None, Problem | None]:
    """Decode file bytes by BOM or XML declaration (UTF-8 by default); report bad encodings."""
    encoding = _declared_encoding(data)
    try:
        return data.decode(encoding), None
    except LookupError:
        return None, Problem(name, None, f"不支持的字符编码 {encoding}")
    except UnicodeDecodeError as exc:
        return None, Problem(name, None, f"文件不是有效的 {encoding} 编码 (第 {exc.start} 字节)")


def parse_xml(name: str, data: bytes) -> tuple[etree._Element | None, list[Problem]]:
    """Parse one uploaded XML file safely; never raises for bad input."""
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(name, None, f"文件过大 (上限 {MAX_FILE_BYTES // 1024 // 1024} MiB)")]
    text, problem = decode_text(name, data)
    if problem:
        return None, [problem]
    found = _FORBIDDEN.search(text)
    if found:
        line = text.count('\n', 0, found.start()) + 1
        return None, [Problem(name, None, "不允许 DOCTYPE/实体声明", line)]
    try:
        root = etree.fromstring(data, parser=_safe_parser())
    except etree.XMLSyntaxError as exc:
        return None, [Problem(name, None, f"XML 格式错误: {exc.msg}", exc.lineno)]
    except (etree.LxmlError, ValueError, LookupError) as exc:
        return None, [Problem(name, None, f"XML 无法解析: {exc}")]
    if root is None:
        return None, [Problem(name, None, "XML 文件为空")]
    return root, []


def element_lines(root: etree._Element) -> dict[str, int]:
    """Map element id -> source line for problem reports."""
    return {el.get('id'): el.sourceline for el in root.iter() if isinstance(el.tag, str) and el.get('id')}
