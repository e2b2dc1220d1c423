"""A province's worth of matters for the supervision benchmark, generated fast.

A handful of template matters run through the real engine (bootstrap, PetitionService,
the timer sweep), one per scenario and level: just registered, accepted and running,
replied, evaluated, concluded after review and re-review, and breached (supervision item
opened, urged, escalated). Their rows in every table are then cloned in bulk: each copy
gets its own id and number, is moved to another city or county (unit codes and paths
rewritten), and has every date shifted by a number of days chosen so the copy stays in
its class (overdue copies have an obligation due before ``TODAY``; the others' open
obligations fall due on or after it). Each copy's events are re-sealed with
``workflow.domain.events.seal`` over the rewritten payloads, so every history is a real
chain whose head is the case row's ``last_hash``.

Shifting by whole days ignores the working-day calendar (a shifted due day may land on a
holiday): the rows are realistic in shape and spread, not legally recomputed.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.support import act, actor, petition_body

from workflow.domain.actions import Register, SuperviseItem, SupervisionAction
from workflow.domain.actor import Role
from workflow.domain.clock import SimulatedClock
from workflow.domain.events import GENESIS, canonical_json, seal
from workflow.runtime.bootstrap import Container, bootstrap
from workflow.runtime.config import Settings
from workflow.timers.sweep import advance_clock

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 6, 30)
CITIES = 15
COUNTIES_PER_CITY = 10
# Tables a matter has rows in, in insertion order (units are written once).
TABLES = (
    "cases",
    "events",
    "deadlines",
    "deadline_versions",
    "timers",
    "supervision_items",
    "personal_data",
    "petitioner_keys",
)
# Autoincrement keys: left to the database on insert.
AUTO = {"events": "id", "deadline_versions": "id"}
DAY_COLUMNS = {("cases", "received_day"), ("cases", "ended_day")}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- the unit tree -------------------------------------------------------------------


def _unit(code: str, name: str, level: str, kind: str, parent: str | None) -> dict[str, Any]:
    return {"code": code, "name": name, "level": level, "kind": kind, "parent": parent}


def _organs(code: str, label: str, level: str, parent: str | None) -> list[dict[str, Any]]:
    """A government with its petition bureau and a few agencies."""
    return [
        _unit(code, f"{label}人民政府", level, "government", parent),
        _unit(f"{code}-XF", f"{label}信访局", level, "petition_bureau", code),
        _unit(f"{code}-ZJ", f"{label}住房和城乡建设局", level, "agency", code),
        _unit(f"{code}-RS", f"{label}人力资源和社会保障局", level, "agency", code),
        _unit(f"{code}-ZR", f"{label}自然资源局", level, "agency", code),
    ]


def city(n: int) -> str:
    return f"C{n:02d}"


def county(n: int) -> str:
    return f"K{n:03d}"


def unit_tree(cities: int = CITIES, per_city: int = COUNTIES_PER_CITY) -> list[dict[str, Any]]:
    """Province GD, ``cities`` cities, ``per_city`` counties each, in parent-first order."""
    units = _organs("GD", "省", "provincial", None)
    for c in range(1, cities + 1):
        units += _organs(city(c), f"第{c}市", "municipal", "GD")
        for k in range((c - 1) * per_city + 1, c * per_city + 1):
            units += _organs(county(k), f"第{k}县", "county", city(c))
    return units


def with_paths(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    paths: dict[str | None, str] = {None: "/"}
    out = []
    for u in units:
        paths[u["code"]] = f"{paths[u['parent']]}{u['code']}/"
        out.append({**u, "path": paths[u["code"]]})
    return out


# --- template matters through the real engine -----------------------------------------

# The template tree: one city and one county are enough; clones are moved elsewhere.
TEMPLATE_CITY, TEMPLATE_COUNTY = city(1), county(1)
LEVELS = {"county": TEMPLATE_COUNTY, "city": TEMPLATE_CITY, "province": "GD"}


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SH)


Script = Callable[[Container, str], str]


def _register(c: Container, unit: str) -> str:
    body = petition_body(received_at=c.clock.now().isoformat())
    case = c.petitions.register(Register.model_validate(body), actor(f"{unit}-XF", Role.REGISTRAR))
    return case.id


def _accepted(c: Container, unit: str) -> str:
    case_id = _register(c, unit)
    act(c, case_id, f"{unit}-XF", "classify", type="claim", route="petition")
    act(c, case_id, f"{unit}-XF", "transfer", to_unit=f"{unit}-ZJ")
    act(c, case_id, f"{unit}-ZJ", "accept")
    # The written notice of 第二十三条第三款 is given with the acceptance: a matter that
    # is not overdue owes none (only a notify meets the notice clock).
    act(c, case_id, f"{unit}-ZJ", "notify", kind="acceptance", method="post")
    return case_id


def _reply(c: Container, case_id: str, unit: str) -> None:
    c.clock.advance(days=20)  # type: ignore[attr-defined]
    today = c.clock.now().astimezone(SH).date().isoformat()
    act(
        c, case_id, f"{unit}-ZJ", "reply", outcome="support", opinion="予以支持", delivered_on=today
    )


def s_registered(c: Container, unit: str) -> str:
    return _register(c, unit)


def s_accepted(c: Container, unit: str) -> str:
    return _accepted(c, unit)


def s_replied(c: Container, unit: str) -> str:
    case_id = _accepted(c, unit)
    _reply(c, case_id, unit)
    return case_id


def s_evaluated(c: Container, unit: str) -> str:
    case_id = s_replied(c, unit)
    c.clock.advance(days=5)  # type: ignore[attr-defined]
    act(c, case_id, f"{unit}-XF", "evaluate", satisfied=True)
    return case_id


def s_leader(c: Container, unit: str) -> str:
    case_id = _accepted(c, unit)
    act(c, case_id, unit, "assign_leader", leader="王副县长", title="副县长")
    return case_id


def s_breached(c: Container, unit: str) -> str:
    case_id = _accepted(c, unit)
    advance_clock(c, advance_days=80)
    return case_id


def s_urged(c: Container, unit: str) -> str:
    case_id = s_breached(c, unit)
    item = c.petitions.get(case_id).supervision[0]
    urge = SuperviseItem(action=SupervisionAction.URGE, note="请加快办理")
    c.petitions.supervise(case_id, item["id"], urge, actor(item["supervising_unit"]))
    return case_id


SCENARIOS: dict[str, tuple[Script, bool, float]] = {
    # name: (script, overdue, share of all matters)
    "registered": (s_registered, False, 0.10),
    "accepted": (s_accepted, False, 0.25),
    "leader": (s_leader, False, 0.05),
    "replied": (s_replied, False, 0.25),
    "evaluated": (s_evaluated, False, 0.25),
    "breached": (s_breached, True, 0.06),
    "urged": (s_urged, True, 0.04),
}
LEVEL_SHARE = {"county": 0.80, "city": 0.15, "province": 0.05}


@dataclass
class Template:
    scenario: str
    level: str
    overdue: bool
    case_id: str
    number: str
    rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]
    offsets: tuple[int, int]  # the day shifts that keep a copy in its class
    hashes: list[str] = field(default_factory=list)


def _offsets(
    rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]], overdue: bool
) -> tuple[int, int]:
    cols, data = rows["deadlines"]
    i_open, i_due = cols.index("open_obligation"), cols.index("due_on")
    dues = [date.fromisoformat(r[i_due]) for r in data if r[i_open]]
    ecols, events = rows["events"]
    last = max(datetime.fromisoformat(r[ecols.index("occurred_at")]).date() for r in events)
    hi = (TODAY - last).days  # nothing happens after today
    lo = hi - 365
    if overdue:
        hi = min(hi, (TODAY - max(dues)).days - 1)
    elif dues:
        lo = max(lo, (TODAY - min(dues)).days)
    if lo > hi:
        raise RuntimeError(f"no day shift keeps this template in its class: {lo} > {hi}")
    return lo, hi


def build_templates(work: Path) -> list[Template]:
    """Each scenario at each level, in its own fresh database, through the engine."""
    templates = []
    start = _at(date(2026, 1, 5))
    for name, (script, overdue, _share) in SCENARIOS.items():
        for level, unit in LEVELS.items():
            path = work / f"{name}-{level}.db"
            c = bootstrap(
                Settings(database_url=f"sqlite:///{path}", scheduler=False),
                clock=SimulatedClock(start),
            )
            with c.db.write() as conn:
                for u in with_paths(unit_tree(1, 1)):
                    c.units.create(conn, {k: v for k, v in u.items() if k != "path"})
            case_id = script(c, unit)
            c.db.dispose()
            rows = _dump(path, case_id)
            number = rows["cases"][1][0][rows["cases"][0].index("number")]
            templates.append(
                Template(name, level, overdue, case_id, number, rows, _offsets(rows, overdue))
            )
    return templates


def _dump(path: Path, case_id: str) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    conn = sqlite3.connect(path)
    out = {}
    for table in TABLES:
        key = "id" if table == "cases" else "case_id"
        order = " ORDER BY seq" if table == "events" else ""
        cur = conn.execute(f"SELECT * FROM {table} WHERE {key} = ?{order}", (case_id,))
        cols = [d[0] for d in cur.description]
        data = cur.fetchall()
        if table in AUTO:
            i = cols.index(AUTO[table])
            cols = cols[:i] + cols[i + 1 :]
            data = [r[:i] + r[i + 1 :] for r in data]
        out[table] = (cols, data)
    conn.close()
    return out


# --- bulk copies ---------------------------------------------------------------------


def _shift(text: str, days: int) -> str:
    def moved(m: re.Match[str]) -> str:
        return (date.fromisoformat(m.group(0)) + timedelta(days=days)).isoformat()

    return _DATE.sub(moved, text)


Rows = dict[str, list[tuple[Any, ...]]]


class Cloner:
    """Copies of the templates: moved, shifted, renumbered and re-sealed."""

    def __init__(self, templates: list[Template], seed: int) -> None:
        self.templates = templates
        self.random = random.Random(seed)
        self.weights = [SCENARIOS[t.scenario][2] * LEVEL_SHARE[t.level] for t in templates]
        # Date shifting is the same for every copy of one template by one offset.
        self._shifted: dict[tuple[int, int], str] = {}
        self._day_index = {
            t: [i for i, col in enumerate(cols) if (t, col) in DAY_COLUMNS]
            for t, (cols, _) in templates[0].rows.items()
        }

    def shifted(self, index: int, days: int) -> str:
        """The template's rows with every date moved, as one JSON text (payloads parsed):
        a copy is then a few ``str.replace`` over it and one ``json.loads``."""
        key = (index, days)
        found = self._shifted.get(key)
        if found is None:
            rows: dict[str, list[list[Any]]] = {}
            for table, (cols, data) in self.templates[index].rows.items():
                days_at = self._day_index[table]
                payload = cols.index("payload") if table == "events" else -1
                rows[table] = [
                    [
                        v + days
                        if i in days_at and v is not None
                        else json.loads(_shift(v, days))
                        if i == payload
                        else _shift(v, days)
                        if isinstance(v, str)
                        else v
                        for i, v in enumerate(row)
                    ]
                    for row in data
                ]
            found = self._shifted[key] = json.dumps(rows, ensure_ascii=False)
        return found

    def copy(self, n: int, out: Rows) -> bool:
        """Append the rows of copy ``n`` to ``out``; whether it is overdue."""
        rnd = self.random
        index = rnd.choices(range(len(self.templates)), self.weights)[0]
        t = self.templates[index]
        days = rnd.randint(*t.offsets)
        case_id = uuid.UUID(int=rnd.getrandbits(128), version=4).hex
        text = self.shifted(index, days)
        text = text.replace(t.case_id, case_id).replace(t.number, f"XF2026{n:08d}")
        if t.level == "county":
            k = rnd.randint(1, CITIES * COUNTIES_PER_CITY)
            text = text.replace(TEMPLATE_COUNTY, county(k))
            text = text.replace(TEMPLATE_CITY, city(1 + (k - 1) // COUNTIES_PER_CITY))
        elif t.level == "city":
            text = text.replace(TEMPLATE_CITY, city(rnd.randint(1, CITIES)))
        rows = json.loads(text)
        ecols = t.rows["events"][0]
        prev = GENESIS
        heads: list[tuple[str, str]] = []
        for row in rows["events"]:
            r = dict(zip(ecols, row, strict=True))
            event = seal(
                case_id=case_id,
                seq=r["seq"],
                type=r["type"],
                occurred_at=datetime.fromisoformat(r["occurred_at"]).replace(tzinfo=UTC),
                recorded_at=datetime.fromisoformat(r["recorded_at"]).replace(tzinfo=UTC),
                actor=r["actor"],
                unit=r["unit"],
                payload=r["payload"],
                prev_hash=prev,
            )
            heads.append((r["hash"], event.hash))
            r.update(payload=canonical_json(r["payload"]).decode(), prev_hash=prev, hash=event.hash)
            prev = event.hash
            out["events"].append(tuple(r.values()))
        for table in TABLES:
            if table == "events":
                continue
            for row in rows[table]:
                if table == "cases":
                    row = [_rehash(v, heads) for v in row]
                out[table].append(tuple(row))
        return t.overdue


def _rehash(v: Any, heads: list[tuple[str, str]]) -> Any:
    if isinstance(v, str):
        for old, new in heads:
            v = v.replace(old, new)
    return v


@dataclass(frozen=True)
class Generated:
    path: Path
    matters: int
    overdue: int
    rows: dict[str, int]
    seconds: float
    megabytes: float


GENERATOR = 1  # bump when the data changes shape: older files are rebuilt


def generate(path: Path, matters: int, *, seed: int = 6, chunk: int = 20_000) -> Generated:
    """Build (or reuse, when its parameters match) the benchmark's SQLite file."""
    from workflow.adapters.database import Database

    meta = path.with_suffix(".json")
    params = {"matters": matters, "seed": seed, "generator": GENERATOR, "today": str(TODAY)}
    if path.exists() and meta.exists():
        known = json.loads(meta.read_text())
        if known["params"] == params:
            return Generated(
                path,
                matters,
                known["overdue"],
                known["rows"],
                known["seconds"],
                path.stat().st_size / 1e6,
            )
    for stale in (
        path,
        meta,
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-shm"),
    ):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    db = Database(f"sqlite:///{path}")
    db.create_all()
    db.dispose()
    with tempfile.TemporaryDirectory(prefix="pf-templates-") as work:
        templates = build_templates(Path(work))
    print(f"  {len(templates)} template matters through the engine", flush=True)
    conn = sqlite3.connect(path, isolation_level=None)
    # A benchmark load, not a service: no fsync, a large page cache.
    for pragma in ("journal_mode=WAL", "synchronous=OFF", "cache_size=-1000000"):
        conn.execute(f"PRAGMA {pragma}")
    units = with_paths(unit_tree())
    conn.executemany(
        "INSERT INTO units (code, name, level, kind, parent, path) VALUES (?, ?, ?, ?, ?, ?)",
        [tuple(u.values()) for u in units],
    )
    inserts = {
        table: f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        for table, (cols, _) in templates[0].rows.items()
    }
    cloner = Cloner(templates, seed)
    overdue = 0
    counts = dict.fromkeys(TABLES, 0)
    for start in range(0, matters, chunk):
        out: Rows = {table: [] for table in TABLES}
        for n in range(start, min(matters, start + chunk)):
            overdue += cloner.copy(n + 1, out)
        conn.execute("BEGIN")
        for table, rows in out.items():
            conn.executemany(inserts[table], rows)
            counts[table] += len(rows)
        conn.execute("COMMIT")
        done = min(matters, start + chunk)
        elapsed = time.perf_counter() - started
        print(f"  {done:,} matters, {counts['events']:,} events, {elapsed:.0f} s", flush=True)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    seconds = time.perf_counter() - started
    counts["units"] = len(units)
    meta.write_text(
        json.dumps({"params": params, "overdue": overdue, "rows": counts, "seconds": seconds})
    )
    return Generated(path, matters, overdue, counts, seconds, path.stat().st_size / 1e6)


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
