"""PostgreSQL for tests: a fresh schema per test run on 127.0.0.1:5432 (database ``test``).

When ``CI=true`` the server is required and an unreachable one fails the run; elsewhere
tests that need it skip with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

BASE_URL = os.environ.get(
    "PETITIONFLOW_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_schema_url() -> Iterator[str]:
    """Yield a URL whose connections use a new, empty schema; drop it afterwards."""
    schema = f"pf_{uuid.uuid4().hex[:12]}"
    admin = create_engine(BASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required when CI=true and is unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {BASE_URL} (set CI=true to require it)")
    sep = "&" if "?" in BASE_URL else "?"
    try:
        yield f"{BASE_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def backend_url(backend: str, tmp_path: Path, name: str = "pf.db") -> Iterator[str]:
    """An empty database of ``backend`` ("sqlite", or "postgres"/"postgresql": a fresh
    schema, dropped on exit)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / name}"
        return
    yield from postgres_schema_url()
