"""The officials' coverage view: demands without eligible funding by city and pilot zone,
capabilities without a platform by city, the open calls; with source, as-of and exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.clock import FrozenClock
from portal.funding.coverage import SOURCE, coverage_tables
from portal.search.gateway import SearchGateway
from tests.factories import make_demand, make_funding, make_org, make_platform, make_user
from tests.support.web import sign_in


def test_demands_without_funding_and_capabilities_without_platforms(
    session: Session, gateway: SearchGateway, clock: FrozenClock
) -> None:
    today = clock.today()
    make_demand(session, city="zhuzhou", industry="ceramics", status="published")
    make_demand(session, city="changsha", zone="yuelushan", industry="ceramics", status="published")
    make_demand(
        session, city="changsha", scenarios=["agv_logistics"], industry="steel", status="published"
    )
    make_funding(
        session,
        industries=["ceramics"],
        regions=["zhuzhou"],
        deadline=today + timedelta(days=5),
        status="published",
    )
    make_platform(session, platform_capabilities=["ai"], regions=["zhuzhou"], status="published")
    tables = coverage_tables(session, gateway.pipeline, today=today)
    gaps = {row[0]: row[1:] for row in tables["funding_gaps"].rows}
    assert gaps["株洲"] == [1, 0, 0.0]
    assert gaps["长沙"] == [2, 2, 100.0]
    assert gaps["试点区域：岳麓山国家大学科技城"] == [1, 1, 100.0]
    platforms = {row[0]: row for row in tables["platform_gaps"].rows}
    assert platforms["株洲"][3] == 1  # the AI column
    assert platforms["长沙"][-1] == "5G室内蜂窝定位（1 个需求）"
    [call] = tables["funding_calls"].rows
    assert call[-1] == 1  # the 株洲 ceramics demand
    assert all(t.source == SOURCE and t.as_of == today.isoformat() for t in tables.values())


def test_only_officials_see_coverage_and_its_exports(client: TestClient, session: Session) -> None:
    make_demand(session, status="published")
    session.commit()
    csrf = sign_in(client, make_user(session, org=make_org(session)).email)
    assert csrf and client.get("/coverage").status_code == 403
    assert client.get("/coverage/funding_gaps.csv").status_code == 403
    client.cookies.clear()
    sign_in(client, make_user(session, role="official").email)
    page = client.get("/coverage")
    assert page.status_code == 200 and "没有可申请资金扶持的需求" in page.text
    assert "/coverage/platform_gaps.xlsx" in page.text
    exported = client.get("/coverage/funding_gaps.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][0] == "地区" and ["来源", SOURCE] in rows
    assert client.get("/coverage/funding_gaps.xlsx").status_code == 200
    assert client.get("/coverage/nothing.csv").status_code == 404
