"""Which database URLs name a SQLite file (a schema can be copied into it, and another
process, a sweep worker, can open it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflow.adapters.database import sqlite_file


@pytest.mark.parametrize(
    ("url", "file"),
    [
        ("sqlite:////var/lib/petitionflow/pf.db", Path("/var/lib/petitionflow/pf.db")),
        ("sqlite:///pf.db", Path("pf.db")),
        ("sqlite+pysqlite:///data/pf.db?timeout=5", Path("data/pf.db")),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:///file:shared?mode=memory&cache=shared&uri=true", None),
        ("postgresql+psycopg://postgres@127.0.0.1:5432/test", None),
    ],
)
def test_only_a_sqlite_url_with_a_file_names_one(url: str, file: Path | None) -> None:
    assert sqlite_file(url) == file
