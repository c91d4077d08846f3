import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from portal.cli import app as cli
from portal.search.gateway import SearchGateway
from portal.search.sync import drain_all
from tests.matching.test_engine import demand, solution


def test_demand_and_solution_match_endpoints(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    offer = solution(session, title="陶瓷釉面缺陷视觉检测")
    need = demand(session)
    drain_all(session, gateway)
    body = client.get(f"/api/v1/demands/{need.id}/matches", params={"limit": 5}).json()
    assert body["strategy"] == "full"
    match = body["matches"][0]
    assert set(match) == {"id", "external_id", "title", "score", "features", "explanation"}
    assert match["id"] == offer.id and 0 < match["score"] <= 1
    text = client.get(f"/api/v1/demands/{need.id}/matches", params={"strategy": "text"}).json()
    assert text["strategy"] == "text"
    other = client.get(f"/api/v1/solutions/{offer.id}/matches").json()
    assert other["matches"][0]["id"] == need.id


def test_unpublished_or_unknown_is_404(client: TestClient, session: Session) -> None:
    draft = demand(session, status="draft")
    assert client.get(f"/api/v1/demands/{draft.id}/matches").status_code == 404
    assert client.get("/api/v1/solutions/987654/matches").status_code == 404
    assert client.get("/api/v1/demands/1/matches", params={"strategy": "magic"}).status_code == 422


def test_cli_prints_the_same_object_as_the_api(data_dir: Path) -> None:
    from portal.bootstrap import ensure_ready, seed_demo
    from portal.db import get_engine
    from portal.models import Demand

    ensure_ready()
    seed_demo()
    runner = CliRunner()
    with Session(get_engine()) as s:
        row = s.exec(select(Demand).where(Demand.external_id.startswith("demo-"))).first()  # type: ignore[attr-defined]
        assert row is not None
        external_id = row.external_id
    result = runner.invoke(cli, ["match", "--demand", external_id, "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["strategy"] == "full" and 1 <= len(body["matches"]) <= 3
    assert all(m["explanation"] for m in body["matches"])
    missing = runner.invoke(cli, ["match", "--demand", "nope"])
    assert missing.exit_code == 1 and "找不到需求" in missing.output
