from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_network


def test_zones_api_lists_the_five_zones_and_fourteen_cities(client: TestClient) -> None:
    body = client.get("/api/v1/zones").json()
    assert [z["code"] for z in body["zones"]] == [
        "changsha", "zhuzhou", "xiangtan", "yuelushan", "malanshan",
    ]  # fmt: skip
    assert len(body["cities"]) == 14 and body["as_of"]


def test_network_counts_agree_with_the_progress_api(client: TestClient, session: Session) -> None:
    make_network(session, city="shaoyang")
    cities = {c["code"]: c["networks"] for c in client.get("/api/v1/zones").json()["cities"]}
    assert cities == client.get("/api/v1/networks/progress").json()["by_city"]
