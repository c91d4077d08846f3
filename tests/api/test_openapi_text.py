"""The OpenAPI document is written in English (issue 18): Chinese may stand beside the
English as the printed term or value it names (“表1”, “万元”), never alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

HAN = re.compile(r"[\u3400-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{3,}")


def _texts(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("title", "summary", "description") and isinstance(value, str):
                yield f"{path}/{key}", value
            yield from _texts(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, f"{path}[{index}]")


def test_no_openapi_text_is_chinese_only(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    chinese_only = {
        path: text for path, text in _texts(spec) if HAN.search(text) and not ENGLISH.search(text)
    }
    assert not chinese_only, chinese_only
