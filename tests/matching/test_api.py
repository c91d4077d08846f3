import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from portal.cli import app as cli
from portal.models import Membership, Organization
from portal.search.gateway import SearchGateway
from portal.search.sync import drain_all
from tests.factories import make_org, make_token, make_user
from tests.matching.test_engine import demand, solution
from tests.support.queries import statements
from tests.support.web import sign_in


def bearer(session: Session, org: Organization | None = None, **kw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(session, make_user(session, org=org, **kw))}"}


def owner_of(session: Session, org_id: int) -> dict[str, str]:
    return bearer(session, session.get(Organization, org_id))


def test_demand_and_solution_match_endpoints(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    offer = solution(session, title="陶瓷釉面缺陷视觉检测")
    need = demand(session)
    drain_all(session, gateway)
    headers = owner_of(session, need.org_id)
    body = client.get(
        f"/api/v1/demands/{need.id}/matches", params={"limit": 5}, headers=headers
    ).json()
    assert body["strategy"] == "full"
    match = body["matches"][0]
    documented = {"id", "external_id", "title", "score", "features", "explanation"}
    assert set(match) == documented | {"verdict", "gaps", "fit"}
    assert match["id"] == offer.id and 0 < match["score"] <= 1
    assert match["fit"] in ("high", "low") and match["verdict"]
    assert set(match["gaps"]) <= set(match["explanation"])
    text = client.get(
        f"/api/v1/demands/{need.id}/matches", params={"strategy": "text"}, headers=headers
    ).json()
    assert text["strategy"] == "text"
    other = client.get(
        f"/api/v1/solutions/{offer.id}/matches", headers=owner_of(session, offer.org_id)
    ).json()
    assert other["matches"][0]["id"] == need.id


@pytest.mark.parametrize("anonymous", [False, True])
def test_matches_are_for_the_owners_and_officials_only(
    client: TestClient, session: Session, gateway: SearchGateway, anonymous: bool
) -> None:
    """The demand page's rule (its owners and officials see the ranked solutions), and the
    same for a vendor's opportunities: a solution's ranked demands."""
    offer = solution(session, title="陶瓷釉面缺陷视觉检测")
    need = demand(session, anonymous=anonymous)
    drain_all(session, gateway)
    official = bearer(session, role="official")
    another_enterprise = bearer(session, make_org(session, kind="enterprise"))
    another_vendor = bearer(session, make_org(session, kind="integrator"))
    demand_owner, solution_owner = owner_of(session, need.org_id), owner_of(session, offer.org_id)
    session.commit()  # the savepoint: a refused request rolls back only its own work
    for path, owner, outsider in (
        (f"/api/v1/demands/{need.id}/matches", demand_owner, another_enterprise),
        (f"/api/v1/solutions/{offer.id}/matches", solution_owner, another_vendor),
    ):
        assert client.get(path).status_code == 401, path
        refused = client.get(path, headers=outsider)
        assert refused.status_code == 403, refused.text
        assert "matches" not in refused.json()
        assert client.get(path, headers=owner).status_code == 200, path
        assert client.get(path, headers=official).json()["matches"], path


def test_a_read_only_token_reads_its_own_matches(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    need = demand(session)
    drain_all(session, gateway)
    user = make_user(session, org=session.get(Organization, need.org_id))
    token = make_token(session, user, scope="read")
    response = client.get(
        f"/api/v1/demands/{need.id}/matches", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


def test_unpublished_or_unknown_is_404(client: TestClient, session: Session) -> None:
    draft = demand(session, status="draft")
    official = bearer(session, role="official")
    session.commit()  # the savepoint: a refused request rolls back only its own work
    assert client.get(f"/api/v1/demands/{draft.id}/matches", headers=official).status_code == 404
    assert client.get("/api/v1/solutions/987654/matches", headers=official).status_code == 404
    magic = client.get("/api/v1/demands/1/matches", params={"strategy": "magic"}, headers=official)
    assert magic.status_code == 422


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
    assert all(m["explanation"] and m["verdict"] and m["fit"] for m in body["matches"])
    missing = runner.invoke(cli, ["match", "--demand", "nope"])
    assert missing.exit_code == 1 and "找不到需求" in missing.output


def test_the_demand_its_organisation_and_the_role_are_read_in_one_statement(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    """The permission check and the ranking share one read of the organisation, which
    also brings the reader's role there."""
    solution(session, title="陶瓷釉面缺陷视觉检测")
    need = demand(session)
    drain_all(session, gateway)
    headers = owner_of(session, need.org_id)
    session.commit()
    with statements(session.get_bind()) as seen:  # type: ignore[arg-type]
        assert client.get(f"/api/v1/demands/{need.id}/matches", headers=headers).status_code == 200
    reads = [s for s in seen if "FROM organization" in s or "JOIN organization" in s]
    assert len(reads) == 1 and "FROM demand" in reads[0], reads
    assert [s for s in seen if s.lstrip().startswith("SELECT membership.role")] == []


def test_a_kept_ranking_is_answered_as_its_json_and_read_the_same_by_the_page(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    """A demand's ranking is kept as the API's JSON (a few KB a demand, where its models
    took several times that in every worker): the API sends it as it is, and the page's
    models read from it are the API's answer."""
    from portal.matching import service

    solution(session, title="陶瓷釉面缺陷视觉检测")
    need = demand(session)
    drain_all(session, gateway)
    headers = owner_of(session, need.org_id)
    answer = client.get(f"/api/v1/demands/{need.id}/matches", headers=headers)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    assert [answer.content] == [value for _, value in service._rankings._values.values()]
    read = service.matches_for_demand(session, gateway, need)
    assert read.model_dump(mode="json") == answer.json() and read.matches


def test_a_signed_in_owner_is_answered_as_before_in_one_statement_until_they_leave(
    client: TestClient, session: Session, gateway: SearchGateway
) -> None:
    """A session's repeated call is answered from what the viewer was given, with the one
    read of the session (which brings the stamps): not once a membership changed."""
    solution(session, title="陶瓷釉面缺陷视觉检测")
    need = demand(session)
    drain_all(session, gateway)
    owner = make_user(session, org=session.get(Organization, need.org_id))
    session.commit()
    sign_in(client, owner.email)
    url = f"/api/v1/demands/{need.id}/matches"
    first = client.get(url)
    assert first.status_code == 200 and first.json()["matches"]
    with statements(session.get_bind()) as seen:  # type: ignore[arg-type]
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    reads = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1 and "FROM web_session" in reads[0], reads
    assert client.get(f"{url}?limit=1").json()["matches"] == first.json()["matches"][:1]
    left = session.exec(select(Membership).where(Membership.user_id == owner.id)).one()
    session.delete(left)
    session.commit()
    assert client.get(url).status_code == 403
