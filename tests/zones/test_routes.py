import html
import json
import re

from fastapi.testclient import TestClient


def test_map_page_has_the_map_data_and_table_fallback(client: TestClient) -> None:
    page = client.get("/zones")
    assert page.status_code == 200
    assert "data-map=" in page.text and "vendor/hunan.json" in page.text
    assert page.text.count('href="/cities/') >= 14
    assert "湘西州" in page.text  # the table
    data = json.loads(html.unescape(re.search(r"data-map='([^']+)'", page.text).group(1)))  # type: ignore[union-attr]
    assert len(data) == 14 and "湘西土家族苗族自治州" in {d["name"] for d in data}


def test_city_and_zone_pages(client: TestClient) -> None:
    assert "长沙" in client.get("/cities/changsha").text
    assert "马栏山" in client.get("/zones/malanshan").text
    assert client.get("/cities/atlantis").status_code == 404
