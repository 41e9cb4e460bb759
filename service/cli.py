"""The `qingfeng` command: database, processes, demo data, users, audit verification, serving."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from service.cli_deadlines import COMMANDS as DEADLINE_COMMANDS
from service.config import Config


def _app():
    from service import create_app

    return create_app(Config.from_env())


@click.group()
def main() -> None:
    """清风 Qingfeng: discipline-inspection case workflows."""


@main.command("init-db")
def init_db() -> None:
    """Create or migrate the database schema to the latest revision."""
    from service.migrate import upgrade

    upgrade(Config.from_env().DATABASE_URL)
    click.echo("数据库已就绪")


@main.command("deploy-processes")
@click.option("--dir", "bpmn_dir", type=click.Path(exists=True, file_okay=False), default=None)
def deploy_processes(bpmn_dir: str | None) -> None:
    """Deploy every process in bpmn/ (identical content is a no-op)."""
    from service.cases.errors import CaseError
    from service.deploy import deploy_directory

    app = _app()
    with app.app_context():
        svc = app.extensions["qingfeng"]
        try:
            results = deploy_directory(svc, Path(bpmn_dir or svc.config.BPMN_DIR))
        except CaseError as exc:   # refused by the deployment checks: say why, per element
            click.echo(f"部署失败: {exc}", err=True)
            for problem in exc.errors if isinstance(exc.errors, list) else []:
                click.echo(f"  {problem.get('file')} [{problem.get('element_id') or '-'}] {problem.get('message')}",
                           err=True)
            sys.exit(1)
    for result in results:
        state = "新版本" if result.created else "未变化"
        click.echo(f"{result.process_key} v{result.version}: {state}")


@main.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
def seed_demo(if_empty: bool) -> None:
    """Load the demo users and cases (fictional names from the domain reference)."""
    from service.demo import load_demo

    app = _app()
    with app.app_context():
        loaded = load_demo(app.extensions["qingfeng"], only_if_empty=if_empty)
    click.echo("演示数据已载入" if loaded else "数据库已有数据，未载入演示数据")


@main.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", required=True)
@click.option("--role", "roles", multiple=True, required=True)
@click.option("--department", default="")
@click.password_option()
def create_user(username, display_name, roles, department, password) -> None:
    """Create a staff account."""
    from service.cases import accounts

    app = _app()
    with app.app_context():
        accounts.create_user(app.extensions["qingfeng"], username, display_name, password, roles, department)
    click.echo(f"已创建用户 {username}")


@main.command("grant-position")
@click.argument("username")
@click.argument("kind")
@click.option("--department", default="", help="The department's name (承办人、部门负责人、分管领导).")
def grant_position(username, kind, department) -> None:
    """Give an account a position as the server's operator: the only way to grant 主要负责人, 审计 or 系统管理."""
    from sqlalchemy import select

    from service.cases.org import admin
    from service.models import Department, User

    app = _app()
    svc = app.extensions["qingfeng"]
    with app.app_context(), svc.db.read_session() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        department_id = session.scalar(select(Department.id).where(Department.name == department)) if department \
            else None
    if user_id is None or (department and department_id is None):
        raise click.ClickException("用户或部门不存在")
    with app.app_context():
        admin.add_position(svc, None, user_id, kind, department_id)
    click.echo(f"已授予 {username} 职务 {kind}")


@main.command("verify-audit")
@click.option("--case", "case_id", type=int, default=None, help="Only this case's chain.")
def verify_audit(case_id: int | None) -> None:
    """Recompute every audit hash chain; exit 1 and name the first broken event when one fails."""
    from service.cases import audit

    app = _app()
    svc = app.extensions["qingfeng"]
    with svc.db.read_session() as session:
        chains = [audit.case_chain(case_id)] if case_id else audit.all_chains(session)
        failed = 0
        for chain in chains:
            report = audit.verify(session, chain)
            if report.valid:
                click.echo(f"{chain}: 完好（{report.checked} 条）")
            else:
                failed += 1
                where = f"第 {report.broken_seq} 条事件（id {report.broken_event_id}）"
                click.echo(f"{chain}: 损坏，{where}：{report.reason}")
    sys.exit(1 if failed else 0)


@main.command("backup")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the database (online: the service may keep running) and uploaded files into PATH, with a manifest."""
    from service.backup import BackupError, backup

    try:
        manifest = backup(Config.from_env(), path)
    except BackupError as exc:
        raise click.ClickException(str(exc))
    rows = sum(manifest["tables"].values())
    click.echo(f"备份完成：{path}（{manifest['database']['kind']}，{len(manifest['tables'])} 张表 {rows} 行，"
               f"{len(manifest['files'])} 个文件，清单 manifest.json 含 sha256）")


@main.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database (and file stores) that already hold data.")
def restore_command(path: Path, force: bool) -> None:
    """Restore a backup made by `qingfeng backup`, then verify the audit chains and the row counts."""
    from service.backup import BackupError, restore

    try:
        report = restore(Config.from_env(), path, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"已恢复：{sum(report.tables.values())} 行，{report.files} 个文件")
    for line in report.count_mismatches:
        click.echo(f"行数不符：{line}")
    for line in report.broken_chains:
        click.echo(f"审计链损坏：{line}")
    if report.ok:
        click.echo(f"审计链校验：{report.chains_checked} 条链全部完好")
    sys.exit(0 if report.ok else 1)


@main.command("serve")
@click.option("--host", envvar="QINGFENG_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="QINGFENG_PORT", default=5000, type=int, show_default=True)
@click.option("--workers", envvar="QINGFENG_WORKERS", type=click.IntRange(1, 64), default=None,
              help="gunicorn worker processes [default: 1 on SQLite, 2×cores+1 (≤ 8) on PostgreSQL]")
@click.option("--threads", envvar="QINGFENG_THREADS", type=click.IntRange(1, 64), default=None,
              help="threads per worker [default: 8 on SQLite, 4 on PostgreSQL]")
@click.option("--demo/--no-demo", default=False, help="Load demo data when the database is empty.")
@click.option("--timers/--no-timers", "--with-timers/--without-timers", envvar="QINGFENG_SERVE_TIMERS", default=True,
              show_default=True, help="Run the timer worker as a supervised process beside the web workers.")
@click.option("--timer-interval", envvar="QINGFENG_TIMER_INTERVAL", type=float, default=30.0, show_default=True,
              help="Seconds between timer passes.")
def serve(host: str, port: int, workers: int | None, threads: int | None, demo: bool, timers: bool,
          timer_interval: float) -> None:
    """Migrate, deploy bpmn/, optionally load demo data, then serve with gunicorn and a timer worker."""
    from service.deploy import deploy_directory
    from service.migrate import upgrade
    from service.server import ServeSettings, Supervisor, default_concurrency, startup_lock

    config = Config.from_env()
    with startup_lock(config.DATABASE_URL):  # hosts starting together take turns
        upgrade(config.DATABASE_URL)
        app = _app()
        svc = app.extensions["qingfeng"]
        with app.app_context():
            deploy_directory(svc, Path(svc.config.BPMN_DIR))
            if demo:
                from service.demo import load_demo

                load_demo(svc, only_if_empty=True)
        svc.db.dispose()  # the supervisor serves nothing itself; its children open their own connections
    default_workers, default_threads = default_concurrency(config.DATABASE_URL)
    settings = ServeSettings(host, port, workers or default_workers, threads or default_threads, timers, timer_interval)
    timer_note = f"，定时器进程每 {timer_interval:g} 秒" if timers else "，不运行定时器进程"
    click.echo(f"清风已启动: http://{host}:{port}/（gunicorn {settings.workers} 个进程 × {settings.threads} 线程"
               f"{timer_note}；Ctrl-C 停止）")
    sys.exit(Supervisor(settings).run())


for _command in DEADLINE_COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":
    main()
