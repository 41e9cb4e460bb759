"""HTML pages (简体中文): login, worklist, cases, case detail, task forms, start a case."""

from flask import Flask

from service.web.blueprint import bp


def register_web(app: Flask) -> None:
    from service.web import (  # noqa: F401
        admin,
        audit,
        cadres,
        case_files,
        cases,
        deadlines,
        designer,
        display,
        pages,
        recusals,
        start,
        stats,
        tasks,
        worklist,
    )

    display.install(app)
    app.register_blueprint(bp)
    app.register_blueprint(designer.bp)
