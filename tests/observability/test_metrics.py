"""``/metrics``: requests by route template, the backlogs read from the database, sign-in
failures; for the allowed addresses only, outside OpenAPI."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session
from typer.testing import CliRunner

from portal.app import create_app
from portal.bootstrap import ensure_ready
from portal.cli import app as cli
from portal.cli import server_options
from portal.db import get_engine
from portal.models import Meta, OutgoingMail, WebhookDelivery, utcnow
from portal.observability import gauges
from portal.search.outbox import enqueue
from portal.settings import get_settings
from tests.factories import make_org, make_solution, make_user
from tests.support.live import live_server
from tests.support.web import login_csrf

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
Scrape = Callable[[], Samples]
OPERATOR = ("127.0.0.1", 50000)  # loopback: allowed by default
OUTSIDER = ("203.0.113.9", 50000)


def client_at(app: FastAPI, address: tuple[str, int]) -> TestClient:
    """A client of the test's app (``client`` set its database up) from ``address``."""
    return TestClient(app, base_url="https://testserver", client=address)


@pytest.fixture
def scrape(app: FastAPI, client: TestClient) -> Iterator[Scrape]:
    operator = client_at(app, OPERATOR)

    def scrape() -> Samples:
        response = operator.get("/metrics")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain")
        assert "set-cookie" not in response.headers  # a scraper every 15 s makes no sessions
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        }

    yield scrape


def _requests(route: str, status: str = "2xx") -> tuple[str, tuple[tuple[str, str], ...]]:
    labels = {"method": "GET", "route": route, "status": status}
    return ("portal_http_requests_total", tuple(sorted(labels.items())))


def test_a_request_counts_under_its_route_template(
    client: TestClient, session: Session, scrape: Scrape
) -> None:
    solution = make_solution(session)
    before = scrape()
    assert client.get(f"/solutions/{solution.id}").status_code == 200
    assert client.get("/no/such/page/12345").status_code == 404
    after = scrape()
    detail = _requests("/solutions/{solution_id}")
    assert after[detail] == before.get(detail, 0) + 1
    unmatched = _requests("<unmatched>", "4xx")
    assert after[unmatched] == before.get(unmatched, 0) + 1
    # Never the path asked for: no series names a concrete id.
    assert not [key for key in after if f"/solutions/{solution.id}" in str(key)]
    latency = (
        "portal_http_request_duration_seconds_count",
        (("route", "/solutions/{solution_id}"),),
    )
    assert after[latency] == before.get(latency, 0) + 1


def test_an_unknown_method_counts_as_other(client: TestClient, scrape: Scrape) -> None:
    before = scrape()
    assert client.request("BREW", "/healthz").status_code == 405
    after = scrape()
    key = (
        "portal_http_requests_total",
        (("method", "other"), ("route", "/healthz"), ("status", "4xx")),
    )
    assert after[key] == before.get(key, 0) + 1
    assert not [labels for _, labels in after if ("method", "BREW") in labels]


def test_the_response_carries_a_request_id(client: TestClient) -> None:
    mine = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2"})
    assert mine.headers["x-request-id"] == "lb-7f3a.2"
    for insane in ("x" * 65, "a b", "<script>"):
        made = client.get("/healthz", headers={"X-Request-ID": insane}).headers["x-request-id"]
        assert made != insane and len(made) == 32


def test_an_address_outside_the_list_gets_a_404(app: FastAPI, client: TestClient) -> None:
    assert client_at(app, OUTSIDER).get("/metrics").status_code == 404
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_the_backlogs_are_read_from_the_database(
    client: TestClient, session: Session, scrape: Scrape
) -> None:
    before = scrape()
    now = utcnow()
    late = now - timedelta(minutes=30)
    session.add(
        OutgoingMail(recipient="a@example.com", subject="s", body="b", next_attempt_at=late)
    )
    session.add(OutgoingMail(recipient="b@example.com", subject="s", body="b"))
    org = make_org(session)
    assert org.id is not None
    session.add(WebhookDelivery(org_id=org.id, url="https://example.com/hook", text="t"))
    session.add(WebhookDelivery(org_id=org.id, url="https://example.com/hook", text="t", held=True))
    enqueue(session, entity="solution", entity_id=10**6, version=1)
    session.flush()
    after = scrape()
    assert (
        after[("portal_mail_outbox_pending", ())] == before[("portal_mail_outbox_pending", ())] + 2
    )
    hooks = ("portal_webhook_deliveries_pending", ())
    assert after[hooks] == before[hooks] + 1  # the one held for the digest apart
    search = ("portal_search_outbox_pending", ())
    assert after[search] == before[search] + 1
    assert after[("portal_worker_lag_seconds", (("job", "mail"),))] >= 30 * 60


def test_the_last_index_check_shows_as_drift(
    client: TestClient, session: Session, scrape: Scrape
) -> None:
    from portal.search.sync import Drift

    report = {"solution": Drift(missing=["1", "2"], extra=["9"]), "demand": Drift()}
    gauges.record_index_check(session, report, now=utcnow())
    session.flush()
    stored = json.loads(session.get(Meta, gauges.INDEX_CHECK_KEY).value)  # type: ignore[union-attr]
    assert stored["drift"]["solution"] == {"missing": 2, "stale": 0, "extra": 1}
    after = scrape()
    drift = "portal_index_drift"
    assert after[(drift, (("entity", "solution"), ("kind", "missing")))] == 2
    assert after[(drift, (("entity", "solution"), ("kind", "extra")))] == 1
    assert after[(drift, (("entity", "demand"), ("kind", "stale")))] == 0


def test_a_failed_sign_in_counts(client: TestClient, session: Session, scrape: Scrape) -> None:
    user = make_user(session)
    failures = ("portal_signin_failures_total", (("reason", "password"),))
    before = scrape().get(failures, 0)
    answer = client.post(
        "/login",
        data={
            "email": user.email,
            "password": "not-the-password",
            "csrf_token": login_csrf(client),
        },
    )
    assert answer.status_code in (200, 400, 401)
    assert scrape()[failures] == before + 1


@pytest.mark.parametrize(("allow", "status"), [("127.0.0.1", 404), ("203.0.113.0/24", 200)])
def test_the_list_applies_to_the_address_seen_through_trusted_proxies(
    data_dir: object, monkeypatch: pytest.MonkeyPatch, allow: str, status: int
) -> None:
    monkeypatch.setenv("PORTAL_TRUSTED_PROXIES", "127.0.0.1")
    monkeypatch.setenv("PORTAL_METRICS_ALLOW", allow)
    get_settings.cache_clear()
    ensure_ready()
    with live_server(create_app(background_sync=False), **server_options(get_settings())) as base:
        answer = httpx.get(
            f"{base}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=60
        )
    assert answer.status_code == status


def test_portal_index_check_keeps_what_it_found(data_dir: object) -> None:
    ensure_ready()
    result = CliRunner().invoke(cli, ["index-check"])
    assert result.exit_code == 0, result.output
    with Session(get_engine()) as session:
        meta = session.get(Meta, gauges.INDEX_CHECK_KEY)
        assert meta is not None
        found = json.loads(meta.value)["drift"]
    assert found["solution"] == {"missing": 0, "stale": 0, "extra": 0}
