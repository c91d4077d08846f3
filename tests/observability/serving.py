"""``portal serve --workers 2`` as a real process tree, for the tests that need one: the
shutdown, and the metrics of several processes added up."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTAL = (sys.executable, "-m", "portal.cli")
HANG_GUARD_S = 90  # a hang guard, not a speed goal: a healthy start or stop takes seconds


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base: str
    port: int
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, as a container stop sends it; the exit code (the hang guard raises)."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=HANG_GUARD_S)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + HANG_GUARD_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@contextmanager
def serving(data_dir: Path, *, workers: int = 2, **env: str) -> Iterator[Served]:
    """The portal served by ``portal serve --workers N`` on a free port, with the data
    directory (and database) of the test; killed at the end if it is still running."""
    port = free_port()
    log = data_dir / "serve.log"
    environ = {**os.environ, "PORTAL_DATA_DIR": str(data_dir), **env}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*PORTAL, "serve", "--port", str(port), "--workers", str(workers)],
            cwd=ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the kill below reaches the workers too
        )
    served = Served(process, f"http://127.0.0.1:{port}", port, log)
    try:

        def up() -> bool:
            assert process.poll() is None, served.log_text()
            try:
                with urllib.request.urlopen(f"{served.base}/healthz", timeout=5) as answer:
                    return bool(answer.status == 200)
            except OSError:
                return False

        wait_for(up, "the server to start")
        # Every worker has started (each logs its start-up): requests reach any of them.
        wait_for(
            lambda: served.log_text().count("Application startup complete") >= workers, "workers"
        )
        yield served
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
