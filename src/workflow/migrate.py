"""Schema migrations, programmatically: Alembic with its scripts shipped inside the package.

``upgrade(url)`` is what deployments run (PostgreSQL, or a SQLite file kept across
versions); ``Database.create_all`` stays the zero-set-up path for tests and demos.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

SCRIPTS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """A Config pointing at the packaged scripts; ``url`` overrides Settings().database_url."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser escape
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
