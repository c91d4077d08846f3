"""Ids in paths: beyond the database's integer range they name no row (404); digits that
are not ASCII (found by the OpenAPI fuzzing: ``/api/v1/demands/²`` answered 500) are not ids."""

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("path", ["/api/v1/demands/{}", "/api/v1/solutions/{}", "/demands/{}"])
def test_ids_out_of_range_are_not_found(client: TestClient, path: str) -> None:
    assert client.get(path.format(2**31)).status_code == 404
    assert client.get(path.format(10**30)).status_code == 404


@pytest.mark.parametrize("value", ["²", "١٢", "３"])
def test_non_ascii_digits_are_refused_not_a_server_error(client: TestClient, value: str) -> None:
    response = client.get(f"/api/v1/demands/{value}")
    assert response.status_code in (404, 422)
    page = client.get(f"/demands/{value}")
    assert page.status_code in (404, 422) and page.headers["content-type"].startswith("text/html")
