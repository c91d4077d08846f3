"""Outbox → index: nothing lost while the backend is down, drift found and repaired."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from matching.search import SearchRequest, SearchUnavailable
from portal.models import OutboxEvent, Solution
from portal.search.gateway import SearchGateway
from portal.search.outbox import enqueue
from portal.search.sync import drain_all, drain_once, index_check, pending_count, reindex
from tests.factories import make_case, make_org, make_solution


class Outage:
    """Fault injection around a real backend: while ``down``, every call fails as a
    network failure would."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.down = False
        self.name = backend.name

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.backend, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                raise SearchUnavailable("模拟故障：搜索服务不可达")
            return target(*args, **kwargs)

        return call

    def health(self) -> bool:
        return not self.down and bool(self.backend.health())


def write_solution(session: Session, **kw: Any) -> Solution:
    row = make_solution(session, **kw)
    assert row.id is not None
    enqueue(session, entity="solution", entity_id=row.id, version=row.version)
    session.flush()
    return row


def search_titles(gateway: SearchGateway, q: str) -> list[str]:
    words = tuple(gateway.pipeline.query_tokens(q))
    hits = gateway.backend.search("solutions", SearchRequest(words=words, limit=50)).hits
    return [h.document["title"] for h in hits]


def test_changes_reach_the_index_through_the_outbox(
    session: Session, gateway: SearchGateway
) -> None:
    row = write_solution(session, title="陶瓷窑炉能耗监测")
    assert search_titles(gateway, "窑炉") == []
    result = drain_once(session, gateway)
    assert result.processed == 1 and result.upserted == 1
    assert search_titles(gateway, "窑炉") == ["陶瓷窑炉能耗监测"]
    # Applying the same event again changes nothing (idempotent by id and version).
    session.exec(select(OutboxEvent)).all()
    enqueue(session, entity="solution", entity_id=row.id or 0, version=row.version)
    drain_once(session, gateway)
    assert search_titles(gateway, "窑炉") == ["陶瓷窑炉能耗监测"]
    # A deleted row is deleted from the index.
    session.delete(row)
    enqueue(session, entity="solution", entity_id=row.id or 0, version=row.version + 1)
    assert drain_once(session, gateway).deleted == 1
    assert search_titles(gateway, "窑炉") == []


def test_nothing_is_lost_while_the_backend_is_down(
    session: Session, gateway: SearchGateway
) -> None:
    outage = Outage(gateway.backend)
    flaky = SearchGateway(outage, gateway.pipeline)  # type: ignore[arg-type]
    org = make_org(session, kind="integrator")
    first = write_solution(session, org=org, title="港口岸桥远控一期")
    drain_all(session, flaky)
    outage.down = True
    edited = []
    for i in range(5):
        edited.append(write_solution(session, org=org, title=f"矿山井下定位方案{i}"))
    first.title = "港口岸桥远控二期"
    first.version += 1
    enqueue(session, entity="solution", entity_id=first.id or 0, version=first.version)
    session.flush()
    failed = drain_once(session, flaky)
    assert failed.error and "模拟故障" in failed.error
    assert pending_count(session) == 6
    pending = select(OutboxEvent.attempts).where(col(OutboxEvent.processed_at).is_(None))
    attempts = session.exec(pending).all()
    assert set(attempts) == {1}
    outage.down = False
    drain_all(session, flaky)
    assert pending_count(session) == 0
    assert search_titles(gateway, "岸桥") == ["港口岸桥远控二期"]
    assert len(search_titles(gateway, "定位")) == 5
    assert all(d.clean for d in index_check(session, gateway, repair=False).values())


def test_index_check_finds_and_repairs_drift(session: Session, gateway: SearchGateway) -> None:
    keep = write_solution(session, title="注塑机联网")
    stale = write_solution(session, title="烟花仓储监控")
    missing = make_solution(session, title="航空发动机叶片检测")  # never enqueued
    drain_all(session, gateway)
    gateway.backend.upsert(
        "solutions", [{"id": "999999", "seq": 999_999, "version": 1, "title": "幽灵"}]
    )
    stale.version += 1
    session.add(stale)
    session.flush()
    report = index_check(session, gateway, repair=True)
    drift = report["solution"]
    assert drift.missing == [str(missing.id)]
    assert drift.stale == [str(stale.id)]
    assert drift.extra == ["999999"]
    assert all(d.clean for d in index_check(session, gateway, repair=False).values())
    assert keep.title in search_titles(gateway, "注塑机")


def test_reindex_rebuilds_from_the_database(session: Session, gateway: SearchGateway) -> None:
    make_solution(session, title="钢厂天车远控")
    make_case(session, title="轨交转向架焊接质量追溯")
    enqueue(session, entity="use_case", entity_id=1, version=1)
    counts = reindex(session, gateway)
    assert counts["solution"] >= 1 and counts["use_case"] >= 1
    assert "钢厂天车远控" in search_titles(gateway, "天车")
    assert pending_count(session) == 0


def test_when_search_is_down_pages_render_and_the_api_says_so(
    app: Any, client: TestClient, gateway: SearchGateway, session: Session
) -> None:
    from portal.deps import get_search

    outage = Outage(gateway.backend)
    outage.down = True
    app.dependency_overrides[get_search] = lambda: SearchGateway(outage, gateway.pipeline)  # type: ignore[arg-type]
    assert client.get("/").status_code == 200
    assert client.get("/cases").status_code == 200
    response = client.get("/api/v1/search", params={"type": "solution", "q": "陶瓷"})
    assert response.status_code == 503
    assert "搜索服务暂时不可用" in response.json()["detail"]
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and health["search"]["status"] == "unavailable"
    # Writes still succeed and are queued for the index.
    write_solution(session, title="停机期间新增的方案")
    assert pending_count(session) >= 1


@pytest.mark.parametrize("size", [1, 3])
def test_drain_in_batches(session: Session, gateway: SearchGateway, size: int) -> None:
    for i in range(4):
        write_solution(session, title=f"批量方案{i}")
    while drain_once(session, gateway, batch=size).processed:
        pass
    assert len(search_titles(gateway, "批量")) == 4
