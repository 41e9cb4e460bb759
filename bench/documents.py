"""5. Documents and the 案卷: how long one document takes to render (PDF and DOCX), and how long the 案卷 (PDF and
ZIP) of a case with 100 steps and 20 attachments takes to build.

The case runs the loop process with a document template that issues a 呈批表 on every tenth round (10 documents
with their 签批 lines); its 20 attachments are 200 KB files uploaded through the real action. The one-time font
registration (parsing the 15 MB CJK font, once per process) is reported on its own and not in the medians.
"""

from __future__ import annotations

import json
import os
import tempfile
import time

from bench import common

TEMPLATE = {"documents": [{
    "type": "loop_memo", "name": "复核呈批表", "abbr": "呈", "after_tasks": ["review"], "when": "round_no % 10 == 0",
    "title": "第{{ round_no }}轮复核呈批表", "recipient": "部门负责人",
    "body": ["{{ opinion }}", "复核人：{{ reviewer }}。"],
    "fields": [["轮次", "{{ round_no }}"], ["意见", "{{ opinion }}"]]}]}
CONTENT = {
    "issuer": "中共示例高新区纪律检查工作委员会", "number": "高纪函〔2026〕12号", "date": "2026-03-02",
    "title": "关于郝测试同志有关问题的函询通知书", "recipient": "郝测试同志",
    "body": ["根据有关规定，现将反映你的有关问题函告如下：" + common.OPINION, common.OPINION,
             "请你本着对党忠诚老实的态度，对上述问题逐项作出书面说明。"],
    "fields": [],
    "signatures": [{"position": p, "name": n, "decision": "同意", "opinion": "同意", "date": "2026-03-02"}
                   for p, n in (("部门负责人", "孙主任"), ("分管领导", "赵副书记"), ("主要负责人", "周书记"))],
}


def render_medians(rounds: int) -> dict:
    from service.cases import paper

    start = time.perf_counter()
    paper.register_fonts()
    font_ms = common.ms(time.perf_counter() - start)
    out = {"font_registration_ms": font_ms}
    for name, render in (("pdf", paper.document_pdf), ("docx", paper.document_docx)):
        samples, cpu = [], []
        for _ in range(rounds):
            t, c = time.perf_counter(), time.process_time()
            render(CONTENT)
            samples.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        out[f"document_{name}_median_ms"] = common.median_ms(samples)
        out[f"document_{name}_cpu_median_ms"] = common.median_ms(cpu)   # apart from waiting for a shared CPU
    out["document_render_median_ms"] = max(out["document_pdf_median_ms"], out["document_docx_median_ms"])
    return out


def case_file_seconds(steps: int, attachments: int) -> dict:
    from service.cases import actions
    from service.config import Config
    from service.runtime import build_services

    with common.sqlite_database() as url, tempfile.TemporaryDirectory(prefix="qf-bench-files-") as files:
        config = Config.from_env(DATABASE_URL=url, SECRET_KEY="bench-secret", PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
                                 ATTACHMENT_DIR=files)
        svc = build_services(config, common.fixed_clock)
        try:
            ids = common.seed(svc)
            loop = {**common.loop_files(), "documents/bench_loop.json": json.dumps(TEMPLATE).encode()}
            actions.deploy_process(svc, None, loop)
            case_id = actions.start_case(svc, ids["handler"], common.LOOP_KEY, "案卷基准案件", {}).case.id
            common.drive(svc, ids["handler"], case_id, steps)
            for i in range(attachments):
                blob = b"%PDF-1.4\n" + bytes([i % 251]) * (200 * 1024)
                actions.add_attachment(svc, ids["handler"], case_id, f"证据{i + 1}.pdf", blob)
            timings = {}
            for fmt in ("pdf", "zip"):
                t, c = time.perf_counter(), time.process_time()
                out = actions.case_file(svc, ids["handler"], case_id, fmt)
                timings[f"case_file_{fmt}_seconds"] = round(time.perf_counter() - t, 2)
                timings[f"case_file_{fmt}_cpu_seconds"] = round(time.process_time() - c, 2)
                timings[f"case_file_{fmt}_bytes"] = len(out.data)
            documents = len(actions.list_documents(svc, svc.db.read_session(), ids["handler"], case_id))
        finally:
            svc.db.dispose()
    timings["case_file_documents"] = documents
    timings["case_file_seconds_100_steps_20_attachments"] = max(timings["case_file_pdf_seconds"],
                                                                 timings["case_file_zip_seconds"])
    return timings


def run(quick: bool) -> dict:
    rounds, steps, attachments = (5, 20, 4) if quick else (30, 100, 20)
    results = {**render_medians(rounds), **case_file_seconds(steps, attachments)}
    results["case_file_sizes"] = {"steps": steps, "attachments": attachments}
    print(common.table("Documents and the case file", ["figure", "value"], [
        ["font registration (once per process)", f"{results['font_registration_ms']} ms"],
        ["document PDF, median (CPU)",
         f"{results['document_pdf_median_ms']} ms ({results['document_pdf_cpu_median_ms']} ms)"],
        ["document DOCX, median (CPU)",
         f"{results['document_docx_median_ms']} ms ({results['document_docx_cpu_median_ms']} ms)"],
        [f"案卷 PDF, {steps} steps, {attachments} attachments, {results['case_file_documents']} documents (CPU)",
         f"{results['case_file_pdf_seconds']} s ({results['case_file_pdf_cpu_seconds']} s)"],
        [f"案卷 ZIP, {steps} steps, {attachments} attachments (CPU)",
         f"{results['case_file_zip_seconds']} s ({results['case_file_zip_cpu_seconds']} s)"],
        ["load average while measuring", " ".join(f"{x:.1f}" for x in os.getloadavg())],
    ]))
    return results
