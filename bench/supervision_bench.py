"""Supervision board over a million matters beside a hand-written indexed query.

    .venv/bin/python -m bench.supervision_bench [--quick] [--matters N] [--database-url URL]

Data (``bench.supervision_data``): 1,000,000 matters (``--quick``: 100,000) over a
province of 15 cities and 150 counties, 10% of them overdue, every one with its events
(sealed chains), deadlines, deadline versions, timers and, when breached, a supervision
item. The SQLite file is kept in ``--data-dir`` and reused while its parameters match.
With a PostgreSQL ``--database-url`` the same rows are copied into a fresh schema
(indexes built after the copy, then ANALYZE), dropped at the end.

Timed, in one process, interleaved run by run on the same connection pool / driver:
- ``page``: ``supervision_board.overdue(conn, scope, TODAY, limit=50)`` in a read
  transaction (``Database.read()``), as a route calls it;
- ``count``: ``supervision_board.overdue_count(conn, scope, TODAY)`` likewise;
- the floors: the same rows by plain SQL on a plain DB-API connection (sqlite3 or
  psycopg), ``fetchall``: deadlines join cases, left join supervision items, the
  open-obligation / path range / due-day filter, ``ORDER BY due_on, id LIMIT 50``; and
  ``count(*)`` with the same filter.
For the whole province (``/GD/``) and one county (``/GD/C01/K001/``): ``--samples``
calls each (after a warm-up), p50/p95 per repetition, ``--runs`` repetitions.
Targets (issue 6): p95 <= 50 ms for the first page, <= 200 ms for the counts.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.common import database, fmt, parser, raw_connect, report, versions
from bench.supervision_data import TABLES, TODAY, generate
from workflow.adapters.database import Database
from workflow.oversight.board import Scope, overdue, overdue_count, upper

# As the routes build them (Scope.of): a province scope is "wide" (its page walks the
# due-day index), a county's is not.
SCOPES = {
    "province": Scope(unit="GD", path="/GD/", subtree=True, wide=True),
    "city": Scope(unit="C01", path="/GD/C01/", subtree=True, wide=True),
    "county": Scope(unit="K001", path="/GD/C01/K001/", subtree=True),
}
PAGE_SQL = """
SELECT d.id, d.case_id, c.number, c.state, c.holder_unit, c.leader, d.rule, d.article,
       d.due_on, d.responsible_unit, d.status, s.id, s.state, s.supervising_unit
FROM deadlines d
JOIN cases c ON c.id = d.case_id
LEFT JOIN supervision_items s ON s.deadline_id = d.id
WHERE d.open_obligation = {true} AND d.due_on <= ?
  AND d.responsible_path >= ? AND d.responsible_path < ?
ORDER BY d.due_on, d.id
LIMIT 50
"""
# The same page with the sort done on deadline keys alone, before any join: how much of
# the page's time is joining rows that the LIMIT then throws away.
KEYS_FIRST_SQL = """
SELECT d.id, d.case_id, c.number, c.state, c.holder_unit, c.leader, d.rule, d.article,
       d.due_on, d.responsible_unit, d.status, s.id, s.state, s.supervising_unit
FROM (SELECT id FROM deadlines
      WHERE open_obligation = {true} AND due_on <= ?
        AND responsible_path >= ? AND responsible_path < ?
      ORDER BY due_on, id LIMIT 50) k
JOIN deadlines d ON d.id = k.id
JOIN cases c ON c.id = d.case_id
LEFT JOIN supervision_items s ON s.deadline_id = d.id
ORDER BY d.due_on, d.id
"""
# A candidate index for the board (tried with --try-index, dropped afterwards).
TRY_INDEX = (
    "CREATE INDEX ix_bench_watch_due_path"
    " ON deadlines (open_obligation, due_on, responsible_path, id)"
)
COUNT_SQL = """
SELECT count(*) FROM deadlines d
WHERE d.open_obligation = {true} AND d.due_on < ?
  AND d.responsible_path >= ? AND d.responsible_path < ?
"""


def copy_to_postgres(sqlite_file: Path, url: str) -> float:
    """The generated rows into the (empty) schema of ``url``; seconds taken."""
    import sqlite3

    from sqlmodel import SQLModel

    started = time.perf_counter()
    db = Database(url)
    db.create_all()
    indexes = [i for t in SQLModel.metadata.sorted_tables for i in t.indexes]
    with db.writer.begin() as conn:
        for index in indexes:  # built once after the copy: far faster than row by row
            index.drop(conn)
    raw = raw_connect(url)
    raw.conn.execute("SET TIME ZONE 'UTC'")  # SQLite holds UTC wall times without offset
    src = sqlite3.connect(sqlite_file)
    for table in ("units", *TABLES):
        cur = src.execute(f"SELECT * FROM {table}")
        cols = ", ".join(d[0] for d in cur.description)
        with (
            raw.conn.transaction(),
            raw.conn.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as copy,
        ):
            for row in cur:
                copy.write_row(row)
        print(f"  copied {table} ({time.perf_counter() - started:.0f} s)", flush=True)
    src.close()
    with db.writer.begin() as conn:
        for index in indexes:
            index.create(conn)
    for table in ("events", "deadline_versions"):  # ids were copied: move the sequences on
        raw.conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )
    # Named tables only: a bare ANALYZE would visit (and wait on) every schema in the database.
    raw.conn.execute(f"ANALYZE {', '.join(('units', *TABLES))}")
    raw.conn.close()
    db.dispose()
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Bench:
    def __init__(self, url: str) -> None:
        self.db = Database(url)
        self.raw = raw_connect(url)
        true = "1" if url.startswith("sqlite") else "true"
        self.page_sql = self.raw.sql(PAGE_SQL.format(true=true))
        self.count_sql = self.raw.sql(COUNT_SQL.format(true=true))
        self.keys_first_sql = self.raw.sql(KEYS_FIRST_SQL.format(true=true))

    def lib_page(self, scope: Scope) -> list[str]:
        with self.db.read() as conn:
            return [r.deadline_id for r in overdue(conn, scope, TODAY, limit=50)]

    def lib_count(self, scope: Scope) -> int:
        with self.db.read() as conn:
            return overdue_count(conn, scope, TODAY)

    def floor_page(self, scope: Scope) -> list[str]:
        params = (TODAY - timedelta(days=1), scope.path, upper(scope.path))
        if self.raw.placeholder == "?":
            params = (params[0].isoformat(), *params[1:])  # type: ignore[assignment]
        return [r[0] for r in self.raw.conn.execute(self.page_sql, params).fetchall()]

    def keys_first_page(self, scope: Scope) -> list[str]:
        params = (TODAY - timedelta(days=1), scope.path, upper(scope.path))
        if self.raw.placeholder == "?":
            params = (params[0].isoformat(), *params[1:])  # type: ignore[assignment]
        return [r[0] for r in self.raw.conn.execute(self.keys_first_sql, params).fetchall()]

    def floor_count(self, scope: Scope) -> int:
        params: tuple[Any, ...] = (TODAY, scope.path, upper(scope.path))
        if self.raw.placeholder == "?":
            params = (TODAY.isoformat(), *params[1:])
        return int(self.raw.conn.execute(self.count_sql, params).fetchone()[0])

    def plans(self) -> dict[str, list[str]]:
        """The plan of each library query as the database runs it (captured SQL)."""
        seen: list[tuple[str, Any]] = []

        def keep(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
            if sql.lstrip().upper().startswith("SELECT"):
                seen.append((sql, params))

        out: dict[str, list[str]] = {}
        for name, scope in SCOPES.items():
            for kind, call in (("page", self.lib_page), ("count", self.lib_count)):
                seen.clear()
                event.listen(self.db.reader, "before_cursor_execute", keep)
                call(scope)
                event.remove(self.db.reader, "before_cursor_execute", keep)
                sql, params = seen[-1]
                out[f"{kind} {name}"] = self.explain(sql, params)
        return out

    def explain(self, sql: str, params: Any) -> list[str]:
        if self.raw.placeholder == "?":
            rows = self.raw.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
            return [str(r[-1]) for r in rows]
        rows = self.raw.conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params).fetchall()
        return [str(r[0]) for r in rows]


def timed(call: Callable[[], object], samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def measure(bench: Bench, samples: int, runs: int, budget: float | None) -> dict[str, Any]:
    """p50/p95 (ms) of each query and its floor, per repetition; checks they agree."""
    calls: dict[str, Callable[[], object]] = {}
    for name, scope in SCOPES.items():
        lib_rows, floor_rows = bench.lib_page(scope), bench.floor_page(scope)
        lib_n, floor_n = bench.lib_count(scope), bench.floor_count(scope)
        if lib_rows != floor_rows or lib_n != floor_n or len(lib_rows) != min(50, lib_n):
            raise RuntimeError(f"{name}: library and floor disagree ({lib_n} vs {floor_n})")
        print(f"  {name}: {lib_n:,} overdue", flush=True)
        calls[f"page {name}"] = partial(bench.lib_page, scope)
        calls[f"page {name} floor"] = partial(bench.floor_page, scope)
        if bench.keys_first_page(scope) != lib_rows:
            raise RuntimeError(f"{name}: keys-first page differs")
        calls[f"page {name} keys-first"] = partial(bench.keys_first_page, scope)
        calls[f"count {name}"] = partial(bench.lib_count, scope)
        calls[f"count {name} floor"] = partial(bench.floor_count, scope)
    counts: dict[str, int] = {}
    for key, call in calls.items():  # warm-up: caches, prepared statements, pool
        first = timed(call, 1)[0] / 1000
        timed(call, 20 if first < 0.05 else 2)
        # A query of seconds cannot be sampled 200 times per repetition in a bench run:
        # --budget caps the seconds each query gets per repetition (at least 5 calls).
        counts[key] = samples if budget is None else max(5, min(samples, int(budget / first)))
    p50: dict[str, list[float]] = {k: [] for k in calls}
    p95: dict[str, list[float]] = {k: [] for k in calls}
    for run in range(runs):
        for key, call in calls.items():
            times = timed(call, counts[key])
            p50[key].append(statistics.median(times))
            p95[key].append(percentile(times, 0.95))
        print(f"  repetition {run + 1}/{runs} done", flush=True)
    figures: dict[str, Any] = {}
    for key in calls:
        if key.endswith("floor"):
            continue
        floor = f"{key.removesuffix(' keys-first')} floor"
        figures[key] = {
            "p50_ms": fmt(p50[key], 2),
            "p95_ms": fmt(p95[key], 2),
            "floor_p50_ms": fmt(p50[floor], 2),
            "floor_p95_ms": fmt(p95[floor], 2),
            "ratio_p50": round(statistics.median(p50[key]) / statistics.median(p50[floor]), 2),
            "ratio_p95": round(statistics.median(p95[key]) / statistics.median(p95[floor]), 2),
            "samples": counts[key],
            "floor_samples": counts[floor],
            "target_p95_ms": 50 if key.startswith("page") else 200,
            "met": max(p95[key]) <= (50 if key.startswith("page") else 200),
        }
    return figures


def main() -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--matters", type=int, default=None)
    args.add_argument("--samples", type=int, default=200, help="calls per repetition")
    args.add_argument(
        "--budget", type=float, default=None, help="max seconds per query per repetition"
    )
    args.add_argument("--data-dir", type=Path, default=Path("/tmp/petitionflow-bench"))
    args.add_argument(
        "--try-index",
        action="store_true",
        help=f"measure again with a candidate index ({TRY_INDEX}), dropped afterwards",
    )
    options = args.parse_args()
    matters = options.matters or (100_000 if options.quick else 1_000_000)
    path = options.data_dir / f"supervision-{matters}.db"
    print(f"data: {path}", flush=True)
    data = generate(path, matters)
    figures: dict[str, Any] = {
        "versions": versions("psycopg"),
        "data": {
            "matters": data.matters,
            "overdue": data.overdue,
            "rows": data.rows,
            "sqlite_file_mb": round(data.megabytes),
            "generation_s": round(data.seconds),
        },
        "today": TODAY.isoformat(),
        "samples": options.samples,
        "runs": options.runs,
    }
    url = options.database_url
    with database(url if url and url.startswith("postgresql") else None) as target:
        if target.startswith("postgresql"):
            figures["postgres_copy_s"] = round(copy_to_postgres(path, target))
        else:
            target = f"sqlite:///{path}"
        figures["database"] = target.split(":", 1)[0]
        bench = Bench(target)
        figures["plans"] = bench.plans()
        figures["results"] = measure(bench, options.samples, options.runs, options.budget)
        if options.try_index:
            bench.raw.conn.execute(TRY_INDEX)
            bench.raw.conn.execute("ANALYZE deadlines")
            try:
                figures["with_index"] = {"index": TRY_INDEX, "plans": bench.plans()}
                figures["with_index"]["results"] = measure(
                    bench, options.samples, options.runs, options.budget
                )
            finally:
                bench.raw.conn.execute("DROP INDEX ix_bench_watch_due_path")
                bench.raw.conn.execute("ANALYZE deadlines")
        bench.raw.conn.close()
        bench.db.dispose()
    report(options.json, "supervision", figures)


if __name__ == "__main__":
    main()
