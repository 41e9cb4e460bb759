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
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["办理时效"]
    assert "各流程步骤办理时效" in [r[0] for r in rows if r]
    assert not any("cases_url" in cell or "/api/v1" in cell for r in rows for cell in r)
