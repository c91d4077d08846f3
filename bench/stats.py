from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": statistics.median(ordered), "p95": q[94], "p99": q[98]}


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def row(name: str, stats: dict[str, float]) -> str:
    figures = "   ".join(f"{k} {stats[k]:8.2f} ms" for k in ("p50", "p95", "p99"))
    return f"  {name:<44} {figures}"


def verdict(label: str, ok: bool) -> str:
    return f"  [{'met' if ok else 'MISSED'}] {label}"
