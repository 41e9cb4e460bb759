"""Exports of a figure group: XLSX with the headers, the filter and the time it was made; CSV with a BOM."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.stats.test_figures import data, login  # noqa: F401 - the generated data set fixture


def test_xlsx_export_has_the_tables_headers_filter_and_time(app, data):  # noqa: F811
    client = login(app, "leader")
    response = client.get("/api/v1/stats/four-forms?format=xlsx&from=2026-02-01&cadre_level=县处级")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["四种形态"]
    assert "起始日期：2026-02-01" in values[1][0] and "干部层级：县处级" in values[1][0]
    assert values[2][0].startswith("生成时间：2026-04-15")
    assert ["形态", "人次", "占比"] in values
    body = client.get("/api/v1/stats/four-forms?from=2026-02-01&cadre_level=县处级").json
    first = body["tables"][0]["rows"][0]
    assert [first[0], first[1]["value"], first[2]] in values


def test_csv_export_has_every_table_and_numbers_not_links(app, data):  # noqa: F811
    client = login(app, "leader")
    response = client.get("/api/v1/stats/timeliness?format=csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["办理时效"]
    assert "各流程步骤办理时效" in [r[0] for r in rows if r]
    assert not any("cases_url" in cell or "/api/v1" in cell for r in rows for cell in r)


def test_the_monthly_and_quarterly_workbooks_have_one_sheet_per_group(app, data):  # noqa: F811
    client = login(app, "supervisor")
    response = client.get("/api/v1/stats/workbook?period=2026-Q1")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["封面", "四种形态", "问题线索", "办理时效", "容错纠错", "澄清正名", "回访教育",
                               "党风廉政意见回复"]
    assert book["封面"]["A1"].value == "纪检监察工作统计 · 2026-Q1 季报"
    assert "起始日期：2026-01-01；截止日期：2026-03-31" in book["四种形态"]["A2"].value
    month = load_workbook(io.BytesIO(client.get("/api/v1/stats/workbook?period=2026-02").data))
    assert "截止日期：2026-02-28" in month["问题线索"]["A2"].value
    feb = client.get("/api/v1/stats/clues?from=2026-02-01&to=2026-02-28").json
    total = next(t for t in feb["tables"] if t["id"] == "by_disposal")["rows"][0][3]["value"]
    sheet_values = [[c for c in row] for row in month["问题线索"].iter_rows(values_only=True)]
    first_disposal = next(r for r in sheet_values if r[0] == feb["tables"][2]["rows"][0][0])
    assert first_disposal[3] == total
    assert client.get("/api/v1/stats/workbook?period=2026-13").status_code == 422
