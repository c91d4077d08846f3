"""Mixed load test (issue 19): Locust, headless, against `portal serve --workers 2` on the
demo data — 90 % reads, 10 % writes (``bench/locustfile.py``) — then the index checked
against the database (``portal index-check --no-repair``) and each worker's memory at the
start and the end.

Targets: no failed request; the index consistent; no worker grows by more than 20 %.
``BENCH_MIXED_SECONDS`` (default 300) is the length; ``BENCH_MIXED_USERS`` (default 16)
the simulated users; ``BENCH_DB=postgresql`` serves from a throwaway PostgreSQL cluster.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.load import databases, serving, stack, use_database_of, worker_memory_mb
from bench.stats import verdict

HERE = Path(__file__).resolve().parent
ACCOUNTS = {
    "enterprise": "enterprise@demo.hn5g.example",
    "vendor": "vendor@demo.hn5g.example",
    "official": "official@demo.hn5g.example",
}
MAX_GROWTH = 0.20


def credentials(env: dict[str, str]) -> dict[str, object]:
    """Sessions and write tokens of the demo accounts, made in the database as a sign-in and
    ``portal token create`` would; the published listings the users read; the pairs the
    enterprise may ask an introduction for."""
    use_database_of(env)
    from sqlmodel import Session, col, select

    from portal.auth import sessions
    from portal.auth.accounts import find_user_by_email
    from portal.auth.sessions import SessionPolicy
    from portal.auth.tokens import create_token
    from portal.clock import get_clock
    from portal.db import get_engine
    from portal.models import Demand, Membership, Solution
    from portal.settings import get_settings

    now = get_clock().now()
    policy = SessionPolicy.from_settings(get_settings())
    cookies: dict[str, str] = {}
    tokens: dict[str, str] = {}
    with Session(get_engine()) as session:
        users = {role: find_user_by_email(session, email) for role, email in ACCOUNTS.items()}
        for role, user in users.items():
            assert user is not None and user.id is not None, "seed --demo makes the demo accounts"
            raw_id, _ = sessions.create(session, user_id=user.id, now=now, policy=policy)
            cookies[role] = f"{sessions.SESSION_COOKIE}={raw_id}"
            if role != "official":
                tokens[role], _ = create_token(
                    session, user=user, name="bench", scope="write", now=now
                )
        enterprise = users["enterprise"]
        assert enterprise is not None
        org_ids = select(Membership.org_id).where(Membership.user_id == enterprise.id)
        own = session.exec(
            select(Demand.id).where(col(Demand.org_id).in_(org_ids), Demand.status == "published")
        ).all()
        solutions = session.exec(select(Solution.id).where(Solution.status == "published")).all()
        session.commit()
    pairs = [(d, s) for d in own for s in solutions]
    return {
        "cookies": cookies,
        "tokens": tokens,
        "own_demands": list(own),
        "solutions": list(solutions),
        "pairs": pairs,
    }


def locust(base: str, workdir: Path, env: dict[str, str], seconds: int, users: int) -> Path:
    """One Locust run."""
    prefix = workdir / "mixed"
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless"]
    command += ["-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", base]
    command += ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
    subprocess.run(
        command,
        env={**env, "BENCH_CREDENTIALS": str(workdir / "credentials.json")},
        check=False,  # a failed request makes locust exit 1: the table below says which
        capture_output=True,
    )
    return Path(f"{prefix}_stats.csv")


def report(stats: Path) -> int:
    """Print req/s, p50 and p99 per route; the number of failed requests."""
    failures = 0
    print(f"  {'route':<34} {'requests':>8} {'fail':>5} {'req/s':>7} {'p50':>7} {'p99':>7}")
    with stats.open() as f:
        for row in csv.DictReader(f):
            name = row["Name"] if row["Name"] != "Aggregated" else "all"
            method = row["Type"] + " " if row["Type"] not in ("GET", "") else ""
            failures += int(row["Failure Count"]) if row["Name"] != "Aggregated" else 0
            print(
                f"  {method + name:<34} {row['Request Count']:>8} {row['Failure Count']:>5}"
                f" {float(row['Requests/s']):7.1f} {row['50%']:>5}ms {row['99%']:>5}ms"
            )
    failed = Path(str(stats).replace("_stats.csv", "_failures.csv"))
    if failures and failed.exists():
        with failed.open() as f:
            for row in csv.DictReader(f):
                print(
                    f"  failed: {row['Method']} {row['Name']} ×{row['Occurrences']}: {row['Error']}"
                )
    return failures


def main() -> None:
    seconds = int(os.environ.get("BENCH_MIXED_SECONDS", "300"))
    users = int(os.environ.get("BENCH_MIXED_USERS", "16"))
    for kind in databases():
        with stack(kind, "bench-mixed-") as env:
            run(kind, env, seconds, users)


def run(kind: str, env: dict[str, str], seconds: int, users: int) -> None:
    env = {**env, "PORTAL_INTRO_DAILY_LIMIT": "10000"}  # the load asks for hundreds
    workdir = Path(env["PORTAL_DATA_DIR"])
    (workdir / "credentials.json").write_text(json.dumps(credentials(env)))
    database = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
    print(f"  demo data, {database}, portal serve --workers 2, Locust {users} users, {seconds} s")
    with serving(env) as (base, pid):
        # No warm-up: a worker compiles what requests share at its start (its dictionaries,
        # the templates), so its memory when it begins to serve is what it serves with.
        start = worker_memory_mb(pid)
        halfway: dict[int, tuple[float, float]] = {}
        # Read halfway too: whether the growth has levelled off (a leak would not).
        timer = threading.Timer(seconds / 2, lambda: halfway.update(worker_memory_mb(pid)))
        timer.start()
        failures = report(locust(base, workdir, env, seconds, users))
        timer.cancel()
        end = worker_memory_mb(pid)
        time.sleep(3)  # the last writes' index changes are applied after their commit
        check = subprocess.run(
            [sys.executable, "-m", "portal.cli", "index-check", "--no-repair"],
            env=env,
            capture_output=True,
            text=True,
        )
    print("  index-check: " + " ".join(check.stdout.split()) + (check.stderr.strip() or ""))
    print(
        "  worker memory, MB resident (anonymous: the process's own, without mapped files);"
        " start = every worker started and /healthz answered, before any other request"
    )
    for label, figures in (("start", start), ("halfway", halfway), ("end", end)):
        line = ", ".join(f"{figures[w][0]:.0f} ({figures[w][1]:.0f})" for w in sorted(figures))
        print(f"  {'at ' + label + ':':<12}{line}")
    growth = max(end[w][0] / start[w][0] - 1 for w in start)
    print(verdict(f"no failed request ({failures})", failures == 0))
    print(verdict("index consistent with the database", check.returncode == 0))
    print(verdict(f"resident memory growth ≤ 20 % (largest {growth:+.0%})", growth <= MAX_GROWTH))


if __name__ == "__main__":
    main()
