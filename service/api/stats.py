"""Statistics: `GET /stats/<group>` (JSON, or `?format=xlsx|csv`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response

from service import stats_export
from service.api.common import api_login_required
from service.api.contract import ApiBlueprint
from service.auth import actor
from service.cases.stats import queries as stats
from service.cases.stats.analytics import process_analytics
from service.cases.stats.filters import Facets
from service.reads import read
from service.runtime import services
from service.schemas.stats import AnalyticsArgs, AnalyticsOut, StatsArgs, StatsOut, WorkbookArgs

blp = ApiBlueprint("stats", __name__, description="统计")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def facets(args: dict) -> Facets:
    filters = {k: v for k, v in args.items() if k not in ("format", "version")}
    return Facets(**filters, zone=services().config.TIMEZONE)


def export(report, fmt: str) -> Response:
    zone = ZoneInfo(services().config.TIMEZONE)
    name = f"stats-{report.group}-{report.generated_at.astimezone(zone):%Y%m%d%H%M}.{fmt}"
    if fmt == "xlsx":
        body, mimetype = stats_export.xlsx([report], zone), XLSX
    else:
        body, mimetype = stats_export.csv_text(report, zone).encode("utf-8"), "text/csv; charset=utf-8"
    return Response(body, content_type=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/stats/workbook")
@blp.arguments(WorkbookArgs, location="query")
@blp.response(200, description="月报/季报 xlsx：每类统计一张工作表", content_type=XLSX)
@blp.errors(401, 403)
@api_login_required
def workbook(args):
    """The monthly or quarterly report as one workbook (one sheet per figure group) over the readable cases."""
    date_from, date_to = stats.period_bounds(args["period"])
    chosen = Facets(date_from=date_from, date_to=date_to, department=args.get("department"),
                    cadre_level=args.get("cadre_level"), zone=services().config.TIMEZONE)
    reports = read(stats.workbook, actor(), chosen, services().now())
    zone = ZoneInfo(services().config.TIMEZONE)
    kind = "季报" if "Q" in args["period"] else "月报"
    name = f"stats-{args['period']}.xlsx"
    return Response(stats_export.xlsx(reports, zone, cover=f"{args['period']} {kind}"), mimetype=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/stats/<any({}):group>".format(", ".join(f'"{g}"' for g in stats.GROUPS)))
@blp.arguments(StatsArgs, location="query")
@blp.response(200, StatsOut)
@blp.doc(responses={"200": {"description": "统计表；?format=xlsx 或 csv 时为导出文件", "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/StatsOut"}},
    XLSX: {"schema": {"type": "string", "format": "binary"}},
    "text/csv": {"schema": {"type": "string"}},
}}})
@blp.errors(401, 403, 404)
@api_login_required
def figures(args, group):
    """A figure group over the cases the user may read; each count comes with its case-list query."""
    report = read(stats.figures, actor(), group, facets(args), services().now())
    if args["format"] != "json":
        return export(report, args["format"])
    return report


@blp.route("/stats/processes/<string:process_key>/analytics")
@blp.arguments(AnalyticsArgs, location="query")
@blp.response(200, AnalyticsOut)
@blp.errors(401, 403, 404)
@api_login_required
def analytics(args, process_key):
    """Each step's passages and time and each sequence flow's share of cases, over the cases the user may read."""
    return read(process_analytics, actor(), process_key, facets(args), services().now(), args.get("version"))
