"""`qingfeng` commands for deadlines: run-timers, workdays add/between, holidays add/remove/list/declare-year.

Results go to stdout (one value, for scripts); warnings and notes go to stderr.
"""

from __future__ import annotations

import signal
import sys
import threading
from datetime import date

import click
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from service.config import Config
from workflows.calendar import MAX_WORKDAYS, WorkCalendar, to_date


def _services():
    from service import create_app

    return create_app(Config.from_env()).extensions["qingfeng"]


def _iso_date(_ctx, _param, value: str) -> date:
    try:
        return to_date(value)
    except (ValueError, TypeError):
        raise click.BadParameter(f"不是有效的日期（YYYY-MM-DD）：{value}")


def _calendar() -> WorkCalendar:
    """The calendar with the database's overrides, or the built-in one when no database is set up."""
    try:
        return _services().calendar()
    except SQLAlchemyError as exc:
        click.echo(f"提示：无法读取节假日调整表（{type(exc).__name__}），按内置日历计算。", err=True)
        return WorkCalendar()


def _warn(calendar: WorkCalendar, start: date, end: date) -> None:
    for text in calendar.warnings_for(start, end):
        click.echo(f"警告：{text}", err=True)


@click.command("run-timers")
@click.option("--once", is_flag=True, help="One pass, then exit (for cron).")
@click.option("--interval", default=30.0, show_default=True, type=float, help="Seconds between passes.")
@click.option("--limit", default=100, show_default=True, type=int, help="Cases per pass.")
def run_timers(once: bool, interval: float, limit: int) -> None:
    """Fire due timers: one pass (--once) or a loop until interrupted."""
    from service.timer_worker import run_loop, run_once

    svc = _services()
    if once:
        click.echo(run_once(svc, limit))
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # finish the pass in progress, then stop cleanly
        signal.signal(signum, lambda *_args: stop.set())
    click.echo(f"定时器轮询已启动（每 {interval:g} 秒）", err=True)
    run_loop(svc, interval, stop=stop, limit=limit)
    click.echo("定时器轮询已停止", err=True)


@click.group("workdays")
def workdays() -> None:
    """Working-day arithmetic with the China calendar and the admin's overrides."""


@workdays.command("add")
@click.argument("start", callback=_iso_date)
@click.argument("n", type=click.IntRange(0, MAX_WORKDAYS))
def workdays_add(start: date, n: int) -> None:
    """Print the date N working days after START (ISO)."""
    calendar = _calendar()
    result = calendar.add_workdays(start, n)
    click.echo(result.isoformat())
    _warn(calendar, start, result)


@workdays.command("between")
@click.argument("start", callback=_iso_date)
@click.argument("end", callback=_iso_date)
def workdays_between(start: date, end: date) -> None:
    """Print the N for which `workdays add START N` gives END."""
    calendar = _calendar()
    click.echo(calendar.workdays_between(start, end))
    if not calendar.is_workday(end):
        click.echo(f"提示：{end.isoformat()} 不是工作日，输出的是不超过它的最大工作日数。", err=True)
    _warn(calendar, start, end)


@click.group("holidays")
def holidays() -> None:
    """The holiday override table (local closures, 调休, years the built-in data lacks)."""


def _actor_id(svc, username: str | None) -> int | None:
    if username is None:
        return None
    from service.models import User

    with svc.db.read_session() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise click.BadParameter(f"用户 {username} 不存在", param_hint="--as")
    return user_id


def _run(action, *args) -> None:
    from service.cases.errors import CaseError

    try:
        action(*args)
    except CaseError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(1)


@holidays.command("add")
@click.argument("day", callback=_iso_date)
@click.option("--closed/--workday", "closed", default=True, help="A closure (default) or an extra working day.")
@click.option("--reason", default="", help="Why (shown in the audit trail).")
@click.option("--as", "username", default=None, help="The admin recorded as making the change.")
def holidays_add(day: date, closed: bool, reason: str, username: str | None) -> None:
    """Set DAY as a closure or as a working day."""
    from service.cases import calendar_admin

    svc = _services()
    _run(calendar_admin.add_override, svc, _actor_id(svc, username), day, not closed, reason)
    click.echo(f"{day.isoformat()} {'休息' if closed else '上班'}")


@holidays.command("remove")
@click.argument("day", callback=_iso_date)
@click.option("--as", "username", default=None, help="The admin recorded as making the change.")
def holidays_remove(day: date, username: str | None) -> None:
    """Delete the override of DAY."""
    from service.cases import calendar_admin

    svc = _services()
    _run(calendar_admin.remove_override, svc, _actor_id(svc, username), day)
    click.echo(f"{day.isoformat()} 已删除")


@holidays.command("declare-year")
@click.argument("year", type=click.IntRange(1900, 2200))
@click.option("--note", default="")
@click.option("--as", "username", default=None, help="The admin recorded as making the change.")
def holidays_declare_year(year: int, note: str, username: str | None) -> None:
    """Record that YEAR's holidays are fully entered as overrides (stops its warning)."""
    from service.cases import calendar_admin

    svc = _services()
    _run(calendar_admin.declare_year, svc, _actor_id(svc, username), year, note)
    click.echo(f"{year} 年已登记")


@holidays.command("list")
@click.option("--year", type=int, default=None)
def holidays_list(year: int | None) -> None:
    """Print the overrides: date, 休息/上班, reason (tab-separated)."""
    from service.cases import calendar_admin

    svc = _services()
    with svc.db.read_session() as session:
        for row in calendar_admin.list_overrides(session, year):
            click.echo(f"{row.day.isoformat()}\t{'上班' if row.is_workday else '休息'}\t{row.reason}")


COMMANDS = (run_timers, workdays, holidays)
