"""Serving benchmark (issue 19): `portal serve --workers 2` on the demo data, loaded with wrk
(Debian's ``wrk``, installed by ``scripts/ensure-system-deps.sh bench``) at 16 connections,
each route printed beside the ``/healthz`` floor of the same server, measured in the same
run, and as a ratio to it — the machine is shared, so the ratio is the steadier figure.

Targets: each page and the matches API ≥ 500 req/s with p99 ≤ 100 ms, on the demo data and
on the large data set (100,000 listings more and 10,000 networks, :mod:`bench.bigdata`).
``BENCH_LOAD_SECONDS`` (default 10) is the length of each run; ``BENCH_DB=sqlite|postgresql``
picks one database (both by default; PostgreSQL is a throwaway cluster on 127.0.0.1);
``BENCH_DATASET=demo|big`` one data set.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bench.stats import verdict

CONNECTIONS = 16
TARGET_RPS = 500
TARGET_P99_MS = 100.0
PORTAL = (sys.executable, "-m", "portal.cli")
OWNER_EMAIL = "enterprise@demo.hn5g.example"  # a demo account owning demands


@dataclass
class Figures:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int = 0
    cpu_ms: float = 0.0  # the server's CPU time per request: steadier than req/s on a busy machine
    timeouts: int = 0


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children so far (its workers)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        pids += [int(c) for c in (task / "children").read_text().split()]
    ticks = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(url: str, *, seconds: int, cookie: str | None = None, pid: int | None = None) -> Figures:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    cpu_before = server_cpu_seconds(pid) if pid else 0.0
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = server_cpu_seconds(pid) - cpu_before if pid else 0.0
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    count = int(errors.group(1)) if errors else 0
    # Socket errors: connect, read and write failures count as errors; wrk's timeouts
    # (no answer within 2 s, on a machine busy with other work) are printed apart.
    sockets = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    timeouts = 0
    if sockets:
        count += sum(int(n) for n in sockets.groups()[:3])
        timeouts = int(sockets.group(4))
    cpu_ms = 1000 * cpu / requests if requests else 0.0
    return Figures(rps, p50, p99, count, requests, cpu_ms, timeouts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def portal(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PORTAL, *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


@contextmanager
def serving(env: dict[str, str], *, workers: int = 2) -> Iterator[tuple[str, int]]:
    """``portal serve --workers N`` on a free port of 127.0.0.1, until the block ends."""
    port = free_port()
    log = open(Path(env["PORTAL_DATA_DIR"]) / "serve.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [*PORTAL, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            # Every worker has started (each logs it, after loading what requests share):
            # /healthz alone is answered by the first one up.
            started = Path(log.name).read_text(errors="replace").count("startup complete")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200 and started >= workers:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"portal serve did not start; see {log.name}")
            time.sleep(0.5)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def owner_cookie_and_demand(env: dict[str, str]) -> tuple[str, int]:
    """A signed-in session of the demo enterprise account and one of its demands, made in
    the database as the sign-in would (the bench measures pages, not password hashing)."""
    use_database_of(env)
    from sqlmodel import Session, col, select

    from portal.auth import sessions
    from portal.auth.accounts import find_user_by_email
    from portal.auth.sessions import SessionPolicy
    from portal.clock import get_clock
    from portal.db import get_engine
    from portal.models import Demand, Membership
    from portal.settings import get_settings

    with Session(get_engine()) as session:
        user = find_user_by_email(session, OWNER_EMAIL)
        assert user is not None and user.id is not None, "seed --demo makes the demo accounts"
        org_ids = select(Membership.org_id).where(Membership.user_id == user.id)
        demand = session.exec(select(Demand).where(col(Demand.org_id).in_(org_ids))).first()
        assert demand is not None and demand.id is not None
        policy = SessionPolicy.from_settings(get_settings())
        raw_id, _ = sessions.create(session, user_id=user.id, now=get_clock().now(), policy=policy)
        session.commit()
        demand_id = demand.id
    return f"{sessions.SESSION_COOKIE}={raw_id}", demand_id


def routes(demand_id: int) -> list[tuple[str, str, bool]]:
    """(label, path, as the demand's owner)."""
    return [
        ("/solutions?q=陶瓷", f"/solutions?q={quote('陶瓷')}", False),
        ("/demands", "/demands", False),
        ("/", "/", False),
        ("/progress", "/progress", False),
        ("/demands/{id} (owner: its matches)", f"/demands/{demand_id}", True),
        ("/api/v1/demands/{id}/matches (owner)", f"/api/v1/demands/{demand_id}/matches", True),
    ]


def measure(base: str, pid: int, cookie: str, demand_id: int, seconds: int) -> None:
    warm_up(f"{base}/healthz", None)
    floor = wrk(f"{base}/healthz", seconds=seconds, pid=pid)
    print(f"  {'route':<40} {'req/s':>8} {'p50':>9} {'p99':>9} {'×floor':>7} {'CPU/req':>10}")
    print(_line("/healthz (floor)", floor, floor))
    missed: list[str] = []
    for label, path, owner in routes(demand_id):
        warm_up(f"{base}{path}", cookie if owner else None)
        figures = wrk(f"{base}{path}", seconds=seconds, cookie=cookie if owner else None, pid=pid)
        print(_line(label, figures, floor))
        slow = figures.p99_ms > TARGET_P99_MS or figures.timeouts
        if figures.rps < TARGET_RPS or slow or figures.errors:
            missed.append(label)
    print(_line("/healthz (floor, again)", wrk(f"{base}/healthz", seconds=seconds, pid=pid), floor))
    # What a worker holds once it has served every route of this data set (for the sizing).
    memory = worker_memory_mb(pid)
    held = ", ".join(f"{memory[w][0]:.0f} ({memory[w][1]:.0f})" for w in sorted(memory))
    print(f"  worker memory after these runs, MB resident (anonymous): {held}")
    print(
        verdict(
            f"every route ≥ {TARGET_RPS} req/s, p99 ≤ {TARGET_P99_MS:.0f} ms, no errors"
            + (f" (missed: {', '.join(missed)})" if missed else ""),
            not missed,
        )
    )


def worker_memory_mb(pid: int) -> dict[int, tuple[float, float]]:
    """Each worker process of ``portal serve`` (its children): (resident, anonymous) MB.
    Anonymous memory is the process's own (heap, arenas, stacks); the rest of the resident
    figure is mapped files (the interpreter, the libraries), which do not grow."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    sizes = {}
    for child in children:
        if b"resource_tracker" in Path(f"/proc/{child}/cmdline").read_bytes():
            continue
        rollup = Path(f"/proc/{child}/smaps_rollup").read_text().splitlines()[1:]
        kb = {line.split(":")[0]: int(line.split()[1]) for line in rollup}
        sizes[child] = (kb["Rss"] / 1024, kb["Anonymous"] / 1024)
    return sizes


WARM_UP_SECONDS = 2


def warm_up(url: str, cookie: str | None) -> None:
    """The route under the same load for a moment first, not counted: every worker has
    built what it memoizes and opened the database connections that many requests in flight
    hold, so the figure is the warm server's. A single request warmed one worker only, and
    the other one's first builds and first connections (each a new PostgreSQL backend
    reading its catalogs) came into the p99. What a cold worker costs is :mod:`bench.mixed`'s
    figure, which starts from a fresh server."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{WARM_UP_SECONDS}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    subprocess.run(command, capture_output=True, check=True)


def _line(label: str, figures: Figures, floor: Figures) -> str:
    ratio = figures.rps / floor.rps if floor.rps else 0.0
    errors = f"  errors {figures.errors}" if figures.errors else ""
    errors += f"  timeouts {figures.timeouts}" if figures.timeouts else ""
    return (
        f"  {label:<40} {figures.rps:8.0f} {figures.p50_ms:6.1f} ms {figures.p99_ms:6.1f} ms"
        f" {ratio:6.2f}× {figures.cpu_ms:7.2f} ms{errors}"
    )


def databases() -> list[str]:
    """``BENCH_DB`` (sqlite or postgresql), or both."""
    chosen = os.environ.get("BENCH_DB")
    return [chosen] if chosen else ["sqlite", "postgresql"]


@contextmanager
def empty_stack(kind: str, prefix: str) -> Iterator[dict[str, str]]:
    """The environment of a portal on a fresh data folder, and on a throwaway PostgreSQL
    cluster for ``postgresql``; both removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    env = {**os.environ, "PORTAL_DATA_DIR": str(workdir), "PYTHONPATH": os.getcwd()}
    env.pop("PORTAL_DATABASE_URL", None)
    cluster = None
    if kind == "postgresql":
        from tests.support.pgcluster import ThrowawayCluster

        cluster = ThrowawayCluster()
        env["PORTAL_DATABASE_URL"] = cluster.start()
    try:
        yield env
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def stack(kind: str, prefix: str) -> Iterator[dict[str, str]]:
    """:func:`empty_stack` with the demo data seeded."""
    with empty_stack(kind, prefix) as env:
        portal("seed", "--demo", env=env)
        yield env


def use_database_of(env: dict[str, str]) -> None:
    """Point this process's portal at the stack of ``env`` (to make sessions and tokens)."""
    from portal.db import get_engine
    from portal.settings import get_settings

    for name in ("PORTAL_DATA_DIR", "PORTAL_DATABASE_URL"):
        if name in env:
            os.environ[name] = env[name]
        else:
            os.environ.pop(name, None)
    get_settings.cache_clear()
    get_engine.cache_clear()


def datasets() -> list[str]:
    """``BENCH_DATASET`` (demo or big), or both: the demo data, and the demo data with
    100,000 listings and 10,000 networks more (:mod:`bench.bigdata`)."""
    chosen = os.environ.get("BENCH_DATASET")
    return [chosen] if chosen else ["demo", "big"]


HOPS = 3000


def thread_hop_us() -> tuple[float, float]:
    """CPU and wall time, in µs, of one worker-thread hop as a request makes it (Starlette's
    ``run_in_threadpool`` of a function that does nothing, on uvloop, as ``portal serve``
    runs): what each benchmarked read pays once for its database work (a signed-in read's
    session query, a visitor's page's stamps), whatever that work is.
    Printed beside the tables because it varies with the machine as much as they do."""
    import uvloop
    from starlette.concurrency import run_in_threadpool

    def nothing() -> None:
        return None

    async def hops() -> tuple[float, float]:
        for _ in range(HOPS // 10):  # the pool's threads started
            await run_in_threadpool(nothing)
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(HOPS):
            await run_in_threadpool(nothing)
        return (
            (time.process_time() - cpu) / HOPS * 1e6,
            (time.perf_counter() - wall) / HOPS * 1e6,
        )

    return uvloop.run(hops())


def main() -> None:
    if shutil.which("wrk") is None:
        print("  wrk is missing: run `bash scripts/ensure-system-deps.sh bench`")
        return
    from bench.bigdata import big_stack, sizes

    seconds = int(os.environ.get("BENCH_LOAD_SECONDS", "10"))
    cpu, wall = thread_hop_us()
    print(f"  one worker-thread hop on this machine: {cpu:.0f} µs of CPU, {wall:.0f} µs wall")
    for dataset in datasets():
        for kind in databases():
            opened = (
                stack(kind, "bench-load-") if dataset == "demo" else big_stack(kind, "bench-big-")
            )
            with opened as env:
                cookie, demand_id = owner_cookie_and_demand(env)
                database = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
                listings, networks = sizes()
                data = (
                    "demo data"
                    if dataset == "demo"
                    else f"demo data + {listings:,} listings + {networks:,} networks"
                )
                print(
                    f"  {data}, {database}, portal serve --workers 2,"
                    f" wrk -c{CONNECTIONS} -d{seconds}s"
                )
                with serving(env) as (base, pid):
                    measure(base, pid, cookie, demand_id, seconds)


if __name__ == "__main__":
    main()
