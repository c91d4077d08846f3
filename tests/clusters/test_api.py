from fastapi.testclient import TestClient


def test_clusters_api(client: TestClient) -> None:
    body = client.get("/api/v1/clusters").json()
    assert body["note"] and body["as_of"]
    first = body["clusters"][0]
    assert set(first) == {"code", "name", "demands", "open_demands",
                          "open_without_strong_match", "networks", "cases"}  # fmt: skip
    assert client.get("/clusters").status_code == 200
