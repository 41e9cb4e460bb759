"""A figure group as a file: XLSX (openpyxl; headers, the filters and the time made on the sheet) or CSV."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from service.cases.stats.report import Count, Report

FILTER_LABELS = {"date_from": "起始日期", "date_to": "截止日期", "department": "承办部门", "cadre_level": "干部层级",
                 "process_key": "流程"}


def plain(cell):
    """A cell as a spreadsheet value: a count's number, anything else as it is."""
    return cell.value if isinstance(cell, Count) else cell


def filter_text(report: Report) -> str:
    shown = [f"{FILTER_LABELS[k]}：{v}" for k, v in report.filters.items() if v not in (None, "")]
    return "；".join(shown) or "全部"


def _heading(report: Report, zone) -> list[list]:
    made = report.generated_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return [[report.title], [f"筛选条件：{filter_text(report)}"], [f"生成时间：{made}"]]


def fill_sheet(sheet, report: Report, zone) -> None:
    """The group's heading, then each table (title, header row, rows, note) one under another."""
    for line in _heading(report, zone):
        sheet.append(line)
    sheet["A1"].font = Font(bold=True, size=14)
    for table in report.tables:
        sheet.append([])
        sheet.append([table.title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append(table.columns)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([plain(c) for c in row])
        if table.note:
            sheet.append([table.note])
    for letter in ("A", "B"):
        sheet.column_dimensions[letter].width = 28


def xlsx(reports: list[Report], zone, cover: str | None = None) -> bytes:
    """One sheet per report (a group export has one; the 月报/季报 workbook one per group, after a cover sheet)."""
    book = Workbook()
    book.remove(book.active)
    if cover and reports:
        sheet = book.create_sheet("封面")
        sheet.append([f"纪检监察工作统计 · {cover}"])
        sheet["A1"].font = Font(bold=True, size=16)
        for line in _heading(reports[0], zone)[1:]:
            sheet.append(line)
        sheet.append([])
        sheet.append(["工作表"])
        for report in reports:
            sheet.append([report.title])
        sheet.column_dimensions["A"].width = 40
    for report in reports:
        fill_sheet(book.create_sheet(report.title[:31]), report, zone)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(report: Report, zone) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in _heading(report, zone):
        writer.writerow(line)
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow(["" if c is None else plain(c) for c in row])
    return "\ufeff" + out.getvalue()  # a BOM so spreadsheet programs read the Chinese as UTF-8
