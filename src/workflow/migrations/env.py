"""Alembic environment: the target is the SQLModel metadata of workflow.adapters.tables.

The URL comes from the Alembic config (``workflow.runtime.migrate`` sets it) or else from
``Settings().database_url``. SQLite cannot ALTER most things in place, so every
operation is rendered in batch mode there (copy-and-move of the table).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from workflow.adapters import tables  # noqa: F401  (registers the tables)
from workflow.runtime.config import Settings

target_metadata = SQLModel.metadata
LOCK = 0x70666D69  # "pfmi": the advisory lock class that serialises migrations


def _url() -> str:
    configured = context.config.get_main_option("sqlalchemy.url")
    return configured or Settings().database_url


def run_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    url = _url()
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # Processes starting together migrate one at a time; the others
                    # then read the version row and find nothing left to do.
                    # Keyed by schema: one database may hold several installations.
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
                        {"key": LOCK},
                    )
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
