"""The event pages without JavaScript, from the official's form to the report: register,
suggested meetings, one-click request, accept, generate, agenda, .ics, table plan,
check-in, held, 继续对接 — and what a third organisation cannot open."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from icalendar import Calendar
from openpyxl import load_workbook
from sqlmodel import Session, select

from portal.clock import FrozenClock
from portal.events import service
from portal.models import Event, Introduction
from tests.events.conftest import Scene
from tests.support.web import sign_in


def as_user(client: TestClient, scene: Scene, who: str) -> str:
    client.cookies.clear()
    return sign_in(client, scene.users[who].email)


def test_an_official_creates_an_event_and_others_cannot(
    client: TestClient, session: Session, scene: Scene, clock: FrozenClock
) -> None:
    csrf = as_user(client, scene, "seller1")
    assert client.get("/events/new").status_code == 403
    csrf = as_user(client, scene, "official")
    page = client.get("/events/new")
    assert page.status_code == 200 and 'name="slot_minutes"' in page.text
    starts = (clock.today() + timedelta(days=10)).isoformat()
    form = {
        "csrf_token": csrf,
        "title": "醴陵陶瓷产业集群5G对接日",
        "starts_on": starts,
        "day_start": "14:00",
        "day_end": "13:00",
        "slot_minutes": "30",
        "breaks": "15:00-15:15",
        "tables": "8",
        "capacity": "40",
        "registration_deadline": starts,
        "industries": ["ceramics"],
    }
    refused = client.post("/events/new", data=form)
    assert refused.status_code == 400
    assert (
        "每日结束时间应晚于开始时间" in refused.text and "请填写会场地址或线上链接" in refused.text
    )
    assert 'value="醴陵陶瓷产业集群5G对接日"' in refused.text  # what was typed stays
    form.update(day_end="17:00", venue="醴陵市陶瓷会展馆")
    created = client.post("/events/new", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    event = session.exec(select(Event).where(Event.title == form["title"])).one()
    assert event.industries == ["ceramics"] and event.breaks == ["15:00-15:15"]
    assert len(service.slots_of(event)) == 5  # 14:00, 14:30, 15:15, 15:45, 16:15
    client.cookies.clear()
    public = client.get(created.headers["location"])
    assert public.status_code == 200 and "醴陵市陶瓷会展馆" in public.text
    assert "陶瓷" in client.get("/events").text


def test_from_registration_to_follow_up_through_the_pages(
    client: TestClient, session: Session, scene: Scene, clock: FrozenClock
) -> None:
    event_url = f"/events/{scene.event.id}"
    page = client.get(event_url)
    assert page.status_code == 200 and "已报名 3 / 10" in page.text
    assert "13800000001" not in page.text

    # The enterprise changes its registration, then asks a suggested vendor for a meeting.
    csrf = as_user(client, scene, "buyer")
    form = client.get(f"{event_url}/register")
    assert form.status_code == 200 and scene.demand.title in form.text
    empty = client.post(f"{event_url}/register", data={"csrf_token": csrf, "attendees": "王总"})
    assert empty.status_code == 400 and "请至少选择一项" in empty.text
    first_slot = service.slots_of(scene.event)[0].id
    saved = client.post(
        f"{event_url}/register",
        data={
            "csrf_token": csrf,
            "demand_ids": str(scene.demand.id),
            "unavailable": first_slot,
            "attendees": "王总（总经理）",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    suggested = client.get(f"{event_url}/suggestions")
    assert suggested.status_code == 200
    assert all(s.title in suggested.text for s in scene.solutions)
    assert scene.stranger_solution.title not in suggested.text
    asked = client.post(
        f"{event_url}/meetings",
        data={
            "csrf_token": csrf,
            "demand_id": scene.demand.id,
            "solution_id": scene.solutions[0].id,
        },
        follow_redirects=False,
    )
    assert asked.status_code == 303 and asked.headers["location"].endswith("?requested=1")
    mine = client.get(f"{event_url}/agenda")
    assert mine.status_code == 200 and "待回复" in mine.text
    intro = session.exec(select(Introduction).where(Introduction.event_id == scene.event.id)).one()

    # A third organisation sees none of it.
    as_user(client, scene, "stranger")
    for path in ("/suggestions", "/agenda", "/agenda.ics", "/plan", "/report"):
        assert client.get(event_url + path).status_code == 403, path
    assert client.get(f"/introductions/{intro.id}").status_code == 404

    # The vendor accepts like any introduction; the official generates the agenda.
    csrf = as_user(client, scene, "seller1")
    waiting = client.get(f"{event_url}/agenda")
    assert "待您回复" in waiting.text
    accepted = client.post(
        f"/introductions/{intro.id}/accept", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert (
        f'href="{event_url}" data-testid="intro-event"'
        in client.get(f"/introductions/{intro.id}").text
    )
    assert client.post(f"{event_url}/agenda/generate", data={"csrf_token": csrf}).status_code == 403
    for path in ("/plan", "/report", "/report.csv"):  # a participant, not an official
        assert client.get(event_url + path).status_code == 403, path
    csrf = as_user(client, scene, "official")
    manage = client.get(f"{event_url}/agenda")
    assert (
        manage.status_code == 200 and "生成日程" in manage.text and "王总（总经理）" in manage.text
    )
    generated = client.post(
        f"{event_url}/agenda/generate", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert generated.status_code == 303
    summary = client.get(generated.headers["location"]).text
    assert "已排 1 场" in summary and "已证明最优" in summary
    plan = client.get(f"{event_url}/plan")
    assert plan.status_code == 200 and "1 号桌" in plan.text and scene.vendors[0].name in plan.text

    # Both see it and download the .ics: the enterprise could not come to the first slot.
    for who in ("buyer", "seller1"):
        as_user(client, scene, who)
        agenda = client.get(f"{event_url}/agenda")
        assert 'data-testid="download-ics"' in agenda.text
        ics = client.get(f"{event_url}/agenda.ics")
        assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
        [item] = Calendar.from_ical(ics.content).walk("VEVENT")
        second = service.slots_of(scene.event)[1]
        assert item.decoded("dtstart") == second.starts
        assert "1 号桌" in str(item.get("location"))

    # On the day: check-in, held, and the enterprise wants to go on.
    clock.advance(days=7)
    csrf = as_user(client, scene, "official")
    reg = service.registrations(session, scene.event)[0]
    checked = client.post(
        f"{event_url}/registrations/{reg.id}/check-in",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert checked.status_code == 303
    meeting = service.meetings(session, scene.event)[0][0]
    held = client.post(
        f"{event_url}/meetings/{meeting.id}/attendance",
        data={"csrf_token": csrf, "attendance": "held"},
        follow_redirects=False,
    )
    assert held.status_code == 303
    csrf = as_user(client, scene, "stranger")  # nothing a third organisation may do
    for path, data in (
        (f"/registrations/{reg.id}/check-in", {}),
        (f"/meetings/{meeting.id}/attendance", {"attendance": "no_show"}),
        (f"/meetings/{meeting.id}/follow-up", {"answer": "yes"}),
    ):
        assert client.post(event_url + path, data={"csrf_token": csrf, **data}).status_code == 403
    csrf = as_user(client, scene, "buyer")
    agenda = client.get(f"{event_url}/agenda").text
    assert "继续对接？" in agenda and "已举行" in agenda
    followed = client.post(
        f"{event_url}/meetings/{meeting.id}/follow-up",
        data={"csrf_token": csrf, "answer": "yes"},
        follow_redirects=False,
    )
    assert followed.status_code == 303
    session.refresh(intro)
    assert intro.stage == "negotiating"
    assert "已选择继续对接" in client.get(f"{event_url}/agenda").text

    # The report, for officials, as a page, CSV and XLSX.
    as_user(client, scene, "official")
    report = client.get(f"{event_url}/report")
    assert report.status_code == 200
    rows = dict(
        re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', report.text)  # label → count
    )
    assert rows["已举行"] == "1" and rows["进入“洽谈中”"] == "1"
    exported = client.get(f"{event_url}/report.csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0] == ["指标", "数量"] and ["签到机构", "1"] in table
    book = load_workbook(io.BytesIO(client.get(f"{event_url}/report.xlsx").content))
    assert ["至少一方愿意继续对接", 1] in [list(r) for r in book.active.iter_rows(values_only=True)]


def test_closing_registration(client: TestClient, scene: Scene) -> None:
    event_url = f"/events/{scene.event.id}"
    csrf = as_user(client, scene, "buyer")
    assert client.post(f"{event_url}/close", data={"csrf_token": csrf}).status_code == 403
    csrf = as_user(client, scene, "official")
    closed = client.post(f"{event_url}/close", data={"csrf_token": csrf}, follow_redirects=False)
    assert closed.status_code == 303
    as_user(client, scene, "buyer")
    assert "主办方已截止报名" in client.get(f"{event_url}/register").text
    assert "修改报名" not in client.get(event_url).text


def test_an_official_corrects_an_event(
    client: TestClient, session: Session, scene: Scene, clock: FrozenClock
) -> None:
    event_url = f"/events/{scene.event.id}"
    csrf = as_user(client, scene, "buyer")
    assert client.get(f"{event_url}/edit").status_code == 403
    assert client.post(f"{event_url}/edit", data={"csrf_token": csrf}).status_code == 403
    csrf = as_user(client, scene, "official")
    form = client.get(f"{event_url}/edit")
    assert form.status_code == 200 and 'value="株洲国际会展中心 B 馆"' in form.text
    values = {
        "csrf_token": csrf,
        "title": scene.event.title,
        "starts_on": scene.event.starts_on.isoformat(),
        "day_start": "09:00",
        "day_end": "11:00",
        "slot_minutes": "20",
        "breaks": "10:00-10:20",
        "venue": "株洲国际会展中心 C 馆",
        "tables": "3",
        "capacity": "10",
        "registration_deadline": scene.event.registration_deadline.isoformat(),
        "industries": ["rail_transit"],
    }
    refused = client.post(f"{event_url}/edit", data={**values, "tables": "0"})
    assert refused.status_code == 400 and "桌数应在 1 到 500 之间" in refused.text
    saved = client.post(f"{event_url}/edit", data=values, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?updated=1")
    session.refresh(scene.event)
    assert scene.event.venue == "株洲国际会展中心 C 馆" and scene.event.tables == 3
    assert [s.id[-5:] for s in service.slots_of(scene.event)] == [
        "09:00", "09:20", "09:40", "10:20", "10:40",
    ]  # fmt: skip
