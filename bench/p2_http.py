"""P2: actions per second through the full API beside a bare endpoint doing the same write.

One uvicorn process (a subprocess on loopback, one worker, scheduler off) serves the real
application from ``create_app`` plus, mounted only by this benchmark's app factory, two
bare endpoints (no authentication, no validation, no response model, ``async def`` on the
event loop like the API's command routes):

- ``POST /bench/floor/{case_id}/{step}``: P1's floor for that step (load the document,
  dict legality, hash, write the rows the engine wrote for the same step, commit) on the
  same database. The target is the API's share of this one's throughput.
- ``POST /bench/engine/{case_id}/{step}``: ``PetitionService.register``/``act`` with
  commands validated once at start-up: the engine alone behind the same server, so the
  API layer's own cost (authentication, validation, scope, idempotency, presenter,
  serialisation) is the gap between it and the full API.

The client is an ``httpx.AsyncClient`` pool with ``--concurrency`` workers; each worker
takes matters through the whole lifecycle (register, classify, transfer, accept, reply,
evaluate), so every request is one durable transition. Both targets get the same client,
the same number of requests and alternate run by run; figures are requests per second and
client-side latency percentiles.

Run: ``python -m bench.p2_http [--quick] [--concurrency N] [--database-url URL]``.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import pickle
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
from fastapi import FastAPI, HTTPException, Request
from tests.loopback import free_port
from tests.support import petition_body

from bench.common import container, database, fmt, parser, raw_connect, report, versions
from bench.p1_engine import LIFECYCLE, START, Commands, dict_legality, record
from bench.recorded import Recording, Writer, new_case_id
from bench.server import bearer, running
from workflow.domain.actor import Role
from workflow.domain.events import GENESIS

RECORDING_ENV = "PETITIONFLOW_BENCH_RECORDING"


def app_factory() -> FastAPI:
    """The product's app plus the bare floor endpoint (for this benchmark only)."""
    from api.app import create_app
    from workflow.runtime.config import Settings

    settings = Settings()
    app = create_app(settings)
    rec: Recording = pickle.loads(Path(os.environ[RECORDING_ENV]).read_bytes())
    writer = Writer(raw_connect(settings.database_url), rec, dict_legality)
    writer.seed_counters()

    @app.post("/bench/floor/{case_id}/{step}", include_in_schema=False)
    async def floor(case_id: str, step: int) -> dict[str, str]:
        cur = writer.begin()
        try:
            _, digest = writer.step(cur, rec.steps[step], case_id, "", None if step else GENESIS)
        except Exception as exc:
            cur.execute("ROLLBACK")
            raise HTTPException(409, str(exc)) from exc
        writer.commit(cur)
        return {"hash": digest}

    # Subjects apart from the API client's, so no matter is declined as a repeat.
    commands = Commands()
    commands.numbering = itertools.count(1_000_000)
    registers = iter(commands.registers(2_000))

    @app.post("/bench/engine/{case_id}/{step}", include_in_schema=False)
    async def engine(case_id: str, step: int, request: Request) -> dict[str, str]:
        service = request.app.state.container.petitions
        if step == 0:
            register = next(registers, None) or commands.registers(1)[0]
            case = service.register(register, commands.registrar)
        else:
            who, action = commands.steps[step - 1]
            case = service.act(case_id, action, who)
        return {"id": case.id}

    # First in the route table: a bare endpoint mounted after the product's routers
    # would pay for matching all of them (~65 us a request here), which is the table's
    # cost, not the endpoint's. The API's routes keep their own place.
    bare = [r for r in app.router.routes if getattr(r, "path", "").startswith("/bench/")]
    app.router.routes[:] = bare + [r for r in app.router.routes if r not in bare]
    return app


class Client:
    """Workers that take matters through the lifecycle and time every request."""

    def __init__(self, base: str, concurrency: int) -> None:
        self.base = base
        self.concurrency = concurrency
        self.headers = {
            "C1-XF/registrar": bearer(Role.REGISTRAR, "C1-XF"),
            "C1-XF": bearer(Role.HANDLER, "C1-XF"),
            "C1-ZJ": bearer(Role.HANDLER, "C1-ZJ"),
        }
        self.numbering = itertools.count(1)

    async def run(self, matters: int, target: str) -> tuple[float, list[float]]:
        latencies: list[float] = []
        queue = iter(range(matters))
        limits = httpx.Limits(max_connections=self.concurrency)
        async with httpx.AsyncClient(base_url=self.base, limits=limits, timeout=60) as client:

            async def worker() -> None:
                matter = {
                    "api": self.api_matter,
                    "engine": self.engine_matter,
                    "floor": self.floor_matter,
                }[target]
                for _ in queue:
                    await matter(client, latencies)

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(self.concurrency)))
            elapsed = time.perf_counter() - started
        return elapsed, latencies

    async def api_matter(self, client: httpx.AsyncClient, latencies: list[float]) -> None:
        body = petition_body(subject=f"房屋漏水维修第{next(self.numbering)}号")
        case = await self.send(client, "/v1/petitions", body, "C1-XF/registrar", latencies)
        for unit, action in LIFECYCLE:
            path = f"/v1/petitions/{case['id']}/actions"
            case = await self.send(client, path, action, unit, latencies)

    async def engine_matter(self, client: httpx.AsyncClient, latencies: list[float]) -> None:
        case = await self.send(client, "/bench/engine/-/0", None, None, latencies)
        for step in range(1, len(LIFECYCLE) + 1):
            await self.send(client, f"/bench/engine/{case['id']}/{step}", None, None, latencies)

    async def floor_matter(self, client: httpx.AsyncClient, latencies: list[float]) -> None:
        case_id = new_case_id()
        for step in range(len(LIFECYCLE) + 1):
            await self.send(client, f"/bench/floor/{case_id}/{step}", None, None, latencies)

    async def send(
        self,
        client: httpx.AsyncClient,
        path: str,
        body: dict[str, Any] | None,
        who: str | None,
        latencies: list[float],
    ) -> Any:
        started = time.perf_counter()
        response = await client.post(path, json=body, headers=self.headers.get(who or "", {}))
        latencies.append(time.perf_counter() - started)
        if response.status_code >= 300:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:500]}")
        return response.json()


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def main() -> None:
    args = parser(__doc__ or "")
    args.add_argument("--concurrency", type=int, default=8)
    options = args.parse_args()
    matters = 20 if options.quick else 150
    targets = ("api", "engine", "floor")
    rates: dict[str, list[float]] = {name: [] for name in targets}
    latency: dict[str, list[float]] = {name: [] for name in targets}
    # CPU seconds (user + system) per request, of the server and of the client process.
    cpu: dict[str, dict[str, list[float]]] = {
        side: {name: [] for name in targets} for side in ("server", "client")
    }
    with (
        database(options.database_url) as rec_url,
        database(options.database_url) as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        recording = Path(tmp) / "recording.pickle"
        recording.write_bytes(pickle.dumps(record(rec_url, Commands())))
        container(url, START).db.dispose()  # schema and unit tree
        port = free_port()
        os.environ.update(
            {
                "PETITIONFLOW_DATABASE_URL": url,
                "PETITIONFLOW_SCHEDULER": "false",
                "PETITIONFLOW_LOG_JSON": "false",
                RECORDING_ENV: str(recording),
            }
        )
        server = ["-m", "uvicorn", "bench.p2_http:app_factory", "--factory"]
        server += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
        with running(server, port) as pid:
            client = Client(f"http://127.0.0.1:{port}", options.concurrency)
            processes = {"server": psutil.Process(pid), "client": psutil.Process()}
            for run in range(options.runs + 1):  # run 0 warms the server up
                for name in targets:
                    before = {k: _cpu(p) for k, p in processes.items()}
                    elapsed, lat = asyncio.run(client.run(matters, name))
                    if run:
                        rates[name].append(len(lat) / elapsed)
                        latency[name].extend(lat)
                        for k, p in processes.items():
                            cpu[k][name].append((_cpu(p) - before[k]) / len(lat) * 1e6)

    def share(of: str) -> list[float]:
        return [a / b for a, b in zip(rates["api"], rates[of], strict=True)]

    def server_share(of: str) -> list[float]:
        server = cpu["server"]
        return [b / a for a, b in zip(server["api"], server[of], strict=True)]

    report(
        options.json,
        "P2 HTTP",
        {
            "database": (options.database_url or "sqlite").split(":", 1)[0],
            "requests_per_run": matters * (len(LIFECYCLE) + 1),
            "concurrency": options.concurrency,
            "runs": options.runs,
            "min/median/max": {
                "api_requests_per_second": fmt(rates["api"]),
                "engine_requests_per_second": fmt(rates["engine"]),
                "floor_requests_per_second": fmt(rates["floor"]),
                "api_share_of_floor": fmt(share("floor"), 2),
                "api_share_of_engine": fmt(share("engine"), 2),
            },
            "cpu_us_per_request min/median/max": {
                f"{side}_{name}": fmt(values)
                for side, per_target in cpu.items()
                for name, values in per_target.items()
            },
            # What the shares would be if the client cost nothing: the server's CPU per
            # request of the other target over the API's.
            "server_cpu_share min/median/max": {
                "api_share_of_floor": fmt(server_share("floor"), 2),
                "api_share_of_engine": fmt(server_share("engine"), 2),
            },
            "latency_ms_p50/p95/p99 (all runs)": {
                name: " / ".join(f"{percentile(values, q):.1f}" for q in (50, 95, 99))
                for name, values in latency.items()
            },
            "versions": versions("fastapi", "uvicorn", "httpx"),
        },
    )


if __name__ == "__main__":
    main()
