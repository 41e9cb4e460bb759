"""Run Alembic migrations from code (used by `qingfeng init-db` and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig

from service.config import ROOT


def alembic_config(database_url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str) -> None:
    """Bring the database schema to the latest revision."""
    command.upgrade(alembic_config(database_url), "head")


def autogenerate(database_url: str, message: str) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
