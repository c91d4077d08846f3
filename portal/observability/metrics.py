"""The process's own metrics: requests by route, latency, sign-in failures.

``portal serve --workers N`` runs N processes: :func:`portal.cli.serve` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before they start, each process writes
its samples there (prometheus_client's multiprocess mode, chosen when it is imported), and
a scrape of any one of them adds up all (:func:`exposition`). Without the variable (tests,
a lone process) the samples live in memory.

Routes are labelled by their path template (``/solutions/{solution_id}``), never the path
asked for, so the number of series stays bounded whatever clients request.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# prometheus_client chose its mode when it was imported, just above: the same test here.
_SHARED_DIR = os.environ.get(MULTIPROC_ENV) or None
UNMATCHED = "<unmatched>"  # every path no route serves, as one label
STATIC = "/static"

REQUESTS = Counter(
    "portal_http_requests",
    "HTTP requests answered, by route template, method and status class.",
    ("route", "method", "status"),
)
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time from a request's arrival to its last byte sent, by route template.",
    ("route",),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SIGN_IN_FAILURES = Counter(
    "portal_signin_failures",
    "Refused password sign-ins: a wrong password or unusable account, or a throttled source.",
    ("reason",),
)
disable_created_metrics()  # the _created series only add noise to every scrape
_STATUS_CLASS = {n: f"{n}xx" for n in range(1, 6)}
# A client may send any method token: the others count as one label.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The labelled children, looked up once per (route, method, status class): bounded.
_children: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def observe(route: str, method: str, status: int, seconds: float) -> None:
    key = (
        route,
        method if method in _METHODS else "other",
        _STATUS_CLASS.get(status // 100, "other"),
    )
    children = _children.get(key)
    if children is None:
        children = _children[key] = (REQUESTS.labels(*key), LATENCY.labels(route))
    children[0].inc()
    children[1].observe(seconds)


def exposition(*extra: CollectorRegistry) -> bytes:
    """The text a scrape gets: every process's samples (or this one's), then ``extra``."""
    if _SHARED_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return b"".join(generate_latest(r) for r in (registry, *extra))


def process_ended() -> None:
    """Drop this process's live gauges from the shared directory (its counters stay)."""
    if _SHARED_DIR:
        multiprocess.mark_process_dead(os.getpid())
