"""统计: a page per figure group, with charts (ECharts, served from static/vendor) and the tables under them.

The filters live in the URL; every number links to the case list with the same filter (the figure's
`cases_url`, read by the web case list); exports are the API's `?format=xlsx|csv`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from service.auth import actor
from service.cases.errors import InvalidInput
from service.cases.stats import queries as stats
from service.cases.stats.filters import Facets, query_string
from service.cases.stats.groups import CADRE_LEVELS
from service.cases.stats.report import Count, Table
from service.reads import read
from service.runtime import services
from service.schemas.stats import AnalyticsArgs, StatsArgs
from service.web.blueprint import bp

GROUP_RULE = "/stats/<any({}):group>".format(", ".join(f'"{g}"' for g in stats.GROUPS))
NOT_SERIES = ("合计", "占总人次")
MAX_BARS = 15


def web_cases_url(api_url: str) -> str:
    """The case-list page for a figure's API drill-down query."""
    return url_for("web.case_list") + "?" + api_url.split("?", 1)[1]


def _series_columns(table: Table) -> list[int]:
    return [j for j, name in enumerate(table.columns) if j and name not in NOT_SERIES
            and any(isinstance(row[j], Count) for row in table.rows)]


def chart_spec(table: Table) -> dict | None:
    """What the chart of a table draws: its count columns per row (a pie for the forms' shares);
    for timeliness the slowest steps' median and p90 days."""
    if table.id == "tasks":
        timed = sorted((r for r in table.rows if r[5] is not None), key=lambda r: -r[5])[:MAX_BARS]
        return {"type": "hbar", "unit": "天", "categories": [f"{r[0]}·{r[1]}" for r in timed],
                "series": [{"name": "中位用时", "data": [r[4] for r in timed]},
                           {"name": "90%用时", "data": [r[5] for r in timed]}],
                "urls": [[web_cases_url(r[3].cases_url) for r in timed]] * 2}
    columns = _series_columns(table)
    rows = [r for r in table.rows if r[0] not in NOT_SERIES and any(isinstance(r[j], Count) for j in columns)]
    if not columns or not rows:
        return None
    series = [{"name": table.columns[j], "data": [r[j].value if isinstance(r[j], Count) else None for r in rows]}
              for j in columns]
    urls = [[web_cases_url(r[j].cases_url) if isinstance(r[j], Count) else None for r in rows] for j in columns]
    kind = "pie" if table.id == "by_form" else ("hbar" if len(rows) > 6 else "bar")
    return {"type": kind, "unit": "", "categories": [str(r[0]) for r in rows], "series": series, "urls": urls}


def _facets(schema=StatsArgs) -> tuple[Facets, dict, dict]:
    raw = {k: v.strip() for k, v in request.args.items() if v.strip()}
    try:
        args = schema().load(raw)
    except ValidationError as exc:
        raise InvalidInput("筛选条件有误", exc.messages)
    chosen = {k: v for k, v in args.items() if k not in ("format", "version")}
    return Facets(**chosen, zone=services().config.TIMEZONE), raw, args


@bp.route("/stats")
@login_required
def stats_index():
    return redirect(url_for("web.stats_group", group="four-forms"))


@bp.route(GROUP_RULE)
@login_required
def stats_group(group: str):
    facets, raw, _args = _facets()
    view = read(stats.stats_page, actor(), group, facets, services().now())
    query = query_string(Facets(**{k: getattr(facets, k) for k in ("date_from", "date_to", "department",
                                                                    "cadre_level", "process_key")}))
    charts = {t.id: chart_spec(t) for t in view["report"].tables}
    today = services().now().astimezone(ZoneInfo(services().config.TIMEZONE)).date()
    return render_template("stats/group.html", **view, group=group, groups=stats.GROUP_TITLES, args=raw,
                           charts=charts, cadre_levels=CADRE_LEVELS, query=query, web_cases_url=web_cases_url,
                           month=f"{today:%Y-%m}", quarter=f"{today.year}-Q{(today.month - 1) // 3 + 1}")


@bp.route("/stats/processes")
@login_required
def stats_processes():
    return redirect(url_for("web.stats_process", process_key="clue_handling"))


@bp.route("/stats/processes/<string:process_key>")
@login_required
def stats_process(process_key: str):
    facets, raw, args = _facets(AnalyticsArgs)
    view = read(stats.analytics_page, actor(), process_key, facets, services().now(), args.get("version"))
    found = view["analytics"]
    elements = sorted(found["elements"], key=lambda e: -(e["p90_days"] or 0))
    return render_template("stats/process.html", **view, elements=elements, args=raw, groups=stats.GROUP_TITLES,
                           cadre_levels=CADRE_LEVELS, web_cases_url=web_cases_url, process_key=process_key,
                           heat=heat_data(found))


def heat_data(found: dict) -> dict:
    """What the heat map draws (plain JSON): steps with their numbers, flows with their shares, the bottlenecks."""
    steps = [{**e, "cases": e["cases"].value} for e in found["elements"]]
    return {"bpmn_xml": found["bpmn_xml"], "total": found["cases"].value, "elements": steps,
            "flows": found["flows"], "bottlenecks": found["bottlenecks"]}
