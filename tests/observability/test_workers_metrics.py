"""``portal serve --workers 2``: a scrape answered by either process counts the requests
both served (prometheus_client's multiprocess mode, in a directory the server clears at
start)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from portal.bootstrap import ensure_ready
from tests.observability.serving import serving, wait_for


def _get(url: str) -> bytes:
    # A new connection each time: the kernel hands them to either worker.
    with urllib.request.urlopen(url, timeout=60) as answer:
        assert answer.status == 200
        return bytes(answer.read())


def _healthz_count(base: str) -> float:
    text = _get(f"{base}/metrics").decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "portal_http_requests_total" and sample.labels["route"] == "/healthz"
    )


def test_a_scrape_adds_up_every_worker(data_dir: Path) -> None:
    ensure_ready()
    stale = data_dir / "metrics" / "counter_1.db"
    stale.parent.mkdir()
    stale.write_bytes(b"left by an earlier run")  # cleared at start
    with serving(data_dir, workers=2) as served:
        shared = data_dir / "metrics"
        assert not stale.exists()
        before = _healthz_count(served.base)
        sent = 0

        def both_counted() -> bool:
            nonlocal sent
            _get(f"{served.base}/healthz")
            sent += 1
            return len(list(shared.glob("counter_*.db"))) >= 2

        wait_for(both_counted, "requests served by both workers")
        sent += 10
        for _ in range(10):
            _get(f"{served.base}/healthz")
        # Whichever worker answers the scrape, it reports what both served.
        for _ in range(4):
            assert _healthz_count(served.base) == before + sent
        assert served.stop() == 0


def test_json_logs_of_the_server_carry_the_request_id(data_dir: Path) -> None:
    ensure_ready()
    with serving(data_dir, workers=2, PORTAL_LOG_FORMAT="json") as served:
        asked = urllib.request.Request(
            f"{served.base}/healthz", headers={"X-Request-ID": "probe-19"}
        )
        with urllib.request.urlopen(asked, timeout=60) as answer:
            assert answer.headers["X-Request-ID"] == "probe-19"
        assert served.stop() == 0
    lines = [json.loads(line) for line in served.log_text().splitlines()]  # every line
    [access] = [line for line in lines if line["request_id"] == "probe-19"]
    assert access["logger"] == "portal.access" and access["route"] == "/healthz"
    assert access["status"] == 200 and access["method"] == "GET"
    assert any(line["message"] == "Application startup complete." for line in lines)
