"""Run every benchmark module listed in BENCHMARKS and print its figures."""

from __future__ import annotations

import importlib
import sys

# Each entry is a module of this package with a ``main() -> None`` that prints its figures.
BENCHMARKS: list[str] = [
    "search",
    "matching",
    "dashboards",
    "agenda",
    "reports",
    "notifications",
    "funding",
    "load",
    "mixed",
]


def main() -> int:
    if not BENCHMARKS:
        print("no benchmarks are registered yet (they arrive with the search and matching work)")
        return 0
    for name in BENCHMARKS:
        print(f"=== {name} ===")
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
