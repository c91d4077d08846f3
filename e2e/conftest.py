"""Browser journeys against a live portal: a real uvicorn on a free port, a fresh data
directory with the demo seed, and Debian's Chromium driven by pytest-playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PORTAL = Path(sys.executable).parent / "portal"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the portal exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the portal did not answer {url} within {timeout} s")


OIDC_PROVIDER = ROOT / "e2e" / "oidc" / "provider.mjs"
OIDC_CLIENT_ID = "portal-e2e"
OIDC_CLIENT_SECRET = "portal-e2e-secret-0123456789abcdef"


@pytest.fixture(scope="session")
def portal_port() -> int:
    return _free_port()


@pytest.fixture(scope="session")
def oidc_issuer(portal_port: int) -> Iterator[str]:
    """npm's oidc-provider (installed by npm ci) on a free port of 127.0.0.1."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").exists():
        raise RuntimeError("the OIDC journeys need node and `npm ci` (oidc-provider)")
    port = _free_port()
    redirect = f"http://127.0.0.1:{portal_port}/auth/oidc/callback"
    issuer = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [node, str(OIDC_PROVIDER), str(port), redirect],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(f"{issuer}/.well-known/openid-configuration", process, timeout=30)
            yield issuer
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def portal_data_dir() -> Iterator[Path]:
    data_dir = Path(tempfile.mkdtemp(prefix="portal-e2e-"))
    yield data_dir
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server(portal_data_dir: Path, portal_port: int, oidc_issuer: str) -> Iterator[str]:
    data_dir = portal_data_dir
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "PORTAL_DATA_DIR": str(data_dir),
        "PORTAL_OIDC_ISSUER": oidc_issuer,
        "PORTAL_OIDC_CLIENT_ID": OIDC_CLIENT_ID,
        "PORTAL_OIDC_CLIENT_SECRET": OIDC_CLIENT_SECRET,
        # The browser plays a visitor behind a proxy on this machine (browser_context_args).
        "PORTAL_TRUSTED_PROXIES": "127.0.0.1",
    }
    env.pop("PORTAL_DATABASE_URL", None)
    subprocess.run([str(PORTAL), "seed", "--demo"], check=True, env=env, cwd=ROOT)
    port = portal_port
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [str(PORTAL), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/healthz", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-gpu",
            "--no-sandbox",
        ],
    }


_visitor = iter(range(1, 1_000_000))


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Each journey comes from its own client address (the server trusts X-Forwarded-For
    from 127.0.0.1: PORTAL_TRUSTED_PROXIES), so the per-IP sign-in and registration throttles of
    one journey never leak into the next — as for real visitors."""
    n = next(_visitor)
    address = f"198.51.{100 + n // 250}.{n % 250 + 1}"
    headers = {**browser_context_args.get("extra_http_headers", {}), "X-Forwarded-For": address}
    # A browser set to Chinese (the portal follows Accept-Language; issue 18).
    return {**browser_context_args, "extra_http_headers": headers, "locale": "zh-CN"}
