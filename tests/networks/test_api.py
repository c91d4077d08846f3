from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from portal.clock import FrozenClock
from portal.models import IndicatorValue, PrivateNetwork
from portal.networks.service import counted_networks_filter
from tests.factories import make_network


def test_progress_counts_equal_the_databases(client: TestClient, session: Session) -> None:
    make_network(session, city="yiyang", industry="agriculture", operator="china_unicom")
    make_network(session, city="yiyang", mode="independent")
    body = client.get("/api/v1/networks/progress").json()
    # DESIGN.md's documented fields, and what later issues add beside them.
    assert set(body) >= {
        "target", "baseline", "registered_in_service", "official", "expected",
        "by_city", "by_industry", "by_operator",
    }  # fmt: skip
    assert body["born_from_portal"] == 0
    where = counted_networks_filter()
    total = session.exec(select(func.count()).select_from(PrivateNetwork).where(*where)).one()
    assert body["registered_in_service"] == total
    for key, column in (("by_city", PrivateNetwork.city), ("by_industry", PrivateNetwork.industry),
                        ("by_operator", PrivateNetwork.operator)):  # fmt: skip
        rows = dict(session.exec(select(column, func.count()).where(*where).group_by(column)).all())
        assert {k: v for k, v in body[key].items() if v} == rows
    assert body["by_city"]["yiyang"] >= 1


def test_progress_expected_and_target(client: TestClient) -> None:
    body = client.get("/api/v1/networks/progress").json()
    assert body["target"] == {"value": 300, "year": 2025}
    assert body["baseline"] == {"value": 66, "year": 2020}
    # 2020's 66 is the baseline, not a figure of the period 2021–2025
    assert body["official"] == {"value": None, "year": None}
    assert body["expected"]["2020"] == pytest.approx(66)
    assert body["expected"]["2025"] == pytest.approx(300)
    for year, value in body["expected"].items():
        assert value == pytest.approx(66 * (300 / 66) ** ((int(year) - 2020) / 5))


def test_every_json_route_is_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/networks/progress", "/api/v1/zones", "/api/v1/clusters"):
        assert "get" in paths[path]


def test_progress_states_the_period_and_its_status(
    client: TestClient, session: Session, clock: FrozenClock
) -> None:
    clock.at = datetime(2026, 5, 1, tzinfo=UTC)
    body = client.get("/api/v1/networks/progress").json()
    assert body["period"]["baseline_year"] == 2020 and body["period"]["target_year"] == 2025
    assert body["period"]["ended"] is True and body["period"]["code"] == "2021-2025"
    assert (body["status"], body["status_basis"]) == ("missed", "registered")
    assert body["outcome"]["difference"] == body["outcome"]["value"] - 300
    session.add(IndicatorValue(indicator_code="private_networks_5g", year=2025, value=305,
                               source="省通信管理局"))  # fmt: skip
    session.flush()
    body = client.get("/api/v1/networks/progress").json()
    assert (body["status"], body["status_basis"]) == ("achieved", "official")
    assert body["official"] == {"value": 305, "year": 2025}
    clock.at = datetime(2024, 5, 1, tzinfo=UTC)
    body = client.get("/api/v1/networks/progress").json()
    assert body["period"]["ended"] is False and body["status"] in ("on_track", "behind")
    assert body["outcome"] is None
