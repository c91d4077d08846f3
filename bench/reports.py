"""The evaluation report (issue 17): the time to build it — gather the figures, draw the
charts and the map, write the PDF and the DOCX — on the demo data set and with 10,000
networks (and ``BENCH_REPORT_LISTINGS`` listings, 10,000 by default), in a throwaway SQLite
database. The first build of a process also loads matplotlib and the font (cold); the
others are warm. ``BENCH_NETWORKS`` overrides the 10,000.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RUNS = 3


def _time(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return (time.perf_counter() - start) * 1000, value


def _measure(label: str, engine: Any) -> None:
    from sqlmodel import Session

    from portal.dashboards.cache import bump
    from portal.reports.pdf import to_pdf
    from portal.reports.service import build_report
    from portal.reports.word import to_docx

    now = datetime.now(UTC)
    runs: dict[str, list[float]] = {"figures + charts": [], "PDF": [], "DOCX": [], "total": []}
    sizes = (0, 0)
    for run in range(RUNS + 1):
        with Session(engine) as session:
            bump(session)  # every memoized aggregate stale: the report computes them all
            session.commit()
            built_ms, report = _time(lambda s=session: build_report(s, period="2021-2025", now=now))
        pdf_ms, pdf = _time(lambda r=report: to_pdf(r))
        docx_ms, docx = _time(lambda r=report: to_docx(r))
        if run == 0:
            cold = built_ms + pdf_ms + docx_ms
            continue
        sizes = (len(pdf), len(docx))
        for key, ms in (("figures + charts", built_ms), ("PDF", pdf_ms), ("DOCX", docx_ms)):
            runs[key].append(ms)
        runs["total"].append(built_ms + pdf_ms + docx_ms)
    print(f"  {label}: first build of the process (cold) {cold:8.0f} ms")
    for key, samples in runs.items():
        print(f"  {label}: {key:<18} median {statistics.median(samples):8.0f} ms (of {RUNS})")
    print(f"  {label}: PDF {sizes[0]:,} bytes, DOCX {sizes[1]:,} bytes")


def main() -> None:
    networks = int(os.environ.get("BENCH_NETWORKS", "10000"))
    listings = int(os.environ.get("BENCH_REPORT_LISTINGS", "10000"))
    saved = {k: os.environ.get(k) for k in ("PORTAL_DATA_DIR", "PORTAL_DATABASE_URL")}
    from portal.db import get_engine
    from portal.settings import get_settings

    try:
        for label in ("demo data", f"{networks:,} networks"):
            workdir = Path(tempfile.mkdtemp(prefix="bench-reports-"))
            os.environ["PORTAL_DATA_DIR"] = str(workdir)
            os.environ.pop("PORTAL_DATABASE_URL", None)
            get_settings.cache_clear()
            get_engine.cache_clear()
            try:
                engine = get_engine()
                if label == "demo data":
                    from portal.bootstrap import ensure_ready, seed_demo

                    ensure_ready(engine)
                    seed_demo(engine)
                else:
                    from sqlmodel import Session

                    from bench.dashboards import _fill
                    from portal.bootstrap import migrate
                    from portal.reference.service import load_reference

                    migrate(engine)
                    with Session(engine) as session:
                        load_reference(session)
                        session.commit()
                    _fill(engine, networks, listings)
                _measure(label, engine)
                engine.dispose()
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        get_engine.cache_clear()


if __name__ == "__main__":
    main()
