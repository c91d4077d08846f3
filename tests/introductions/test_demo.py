"""The demo introductions: written once over the demo set, one at each stage."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from portal.bootstrap import DEMO_FILE
from portal.imports.service import import_lines
from portal.introductions import demo, funnel
from portal.models import Introduction, PrivateNetwork

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


def test_the_demo_introductions_cover_the_pipeline_once(session: Session) -> None:
    report = import_lines(session, DEMO_FILE.read_text(encoding="utf-8").splitlines(), demo=True)
    assert report.ok
    assert demo.seed(session, now=NOW) == len(demo.PAIRS)
    assert demo.seed(session, now=NOW) == 0  # once
    stages = {i.stage for i in session.exec(select(Introduction))}
    assert stages == {
        "requested", "accepted", "negotiating", "poc", "contract", "network_live",
        "declined", "expired", "closed",
    }  # fmt: skip
    result = funnel.compute(session, now=NOW)
    assert result.reached["requested"] == len(demo.PAIRS)
    assert result.reached["network_live"] == result.networks_born == 1
    born = session.exec(select(PrivateNetwork).where(PrivateNetwork.introduction_id != None)).one()  # noqa: E711
    assert born.confirmed and born.demand_id is not None
