from fastapi.testclient import TestClient


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["search"]["backend"] == "embedded"


def test_every_json_route_is_in_openapi(client: TestClient) -> None:
    from fastapi.routing import APIRoute

    from portal.app import ROUTERS

    paths = client.get("/openapi.json").json()["paths"]
    json_routes = {
        r.path
        for router in ROUTERS
        for r in router.routes
        if isinstance(r, APIRoute) and (r.path.startswith("/api/") or r.path == "/healthz")
    }
    assert json_routes and json_routes <= set(paths)
    for expected in ("/api/v1/indicators", "/api/v1/cases", "/api/v1/cases/{case_id}", "/healthz"):
        assert expected in paths
