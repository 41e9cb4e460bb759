"""The approval demo with document templates, and reading a document's text back out of DOCX and PDF."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess

import pytest

from tests.support.approval import approval_files

TEMPLATES = {"documents": [
    {"type": "acceptance_notice", "name": "受理告知书", "abbr": "信告", "after_tasks": ["register"],
     "when": "is_real_name", "reveals_reporter": True, "title": "受理告知书", "recipient": "{{ reporter_name }}",
     "body": ["你于{{ received_date }}反映{{ subject_name }}的问题，本机关已依规受理。", "特此告知。"]},
    {"type": "inquiry_letter", "name": "函询通知书", "abbr": "函", "after_tasks": ["propose"],
     "title": "关于{{ subject_name }}同志有关问题的函询通知书", "recipient": "{{ subject_name }}同志",
     "body": ["现将反映你的有关问题函告如下：涉及金额{{ amount }}元。", "请于收到本函后十五个工作日内作出书面说明。"]},
    {"type": "disposal_memo", "name": "线索处置呈批表", "abbr": "呈", "after_tasks": ["approve"], "approves": "propose",
     "when": "decision == 'approve'", "title": "线索处置呈批表",
     "fields": [["被反映人", "{{ subject_name }}"], ["处置意见", "{{ disposal }}"],
                ["案件编号", "{{ case_reference }}"]]},
]}


def document_files(templates: dict | None = None) -> dict[str, bytes]:
    """The approval demo with `documents/approval_demo.json`."""
    files = approval_files()
    files["documents/approval_demo.json"] = json.dumps(templates or TEMPLATES, ensure_ascii=False).encode()
    return files


def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def require_poppler(tool: str) -> None:
    """poppler's tools read the PDFs back: CI installs them (.ci/run) and must run these tests; a developer's
    machine without them skips the test, saying what to install (as the browser tests do for chromium)."""
    if shutil.which(tool) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} 不存在：CI 须安装 poppler-utils")
        pytest.skip(f"需要 poppler-utils 的 {tool}：请运行 `apt-get install -y poppler-utils`")


def pdf_text(data: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it (a glyph without a Unicode mapping would not read back)."""
    require_poppler("pdftotext")
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
                          ).stdout.decode("utf-8")
