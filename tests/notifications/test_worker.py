"""The worker: scans of new listings (new matches, saved searches), the jobs' schedule,
digests, WeCom delivery against a real local receiver, a worker killed mid-batch, and two
workers at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from portal.auth.permissions import Principal
from portal.bootstrap import ensure_ready
from portal.cli import app as cli
from portal.db import get_engine, session_scope
from portal.listings.registry import DEMAND
from portal.listings.registry import KINDS as LISTING_KINDS
from portal.models import (
    FundingMark,
    Lease,
    Notification,
    OrgWebhook,
    User,
    WebhookDelivery,
    WorkerJob,
    utcnow,
)
from portal.moderation import service as moderation
from portal.notifications import delivery, scans, service, worker
from portal.saved_searches import service as saved_searches
from portal.search.gateway import SearchGateway
from portal.search.sync import drain_all
from tests.conftest import RecordingMailer
from tests.factories import make_demand, make_funding, make_org, make_platform, make_user
from tests.matching.test_engine import demand, solution
from tests.notifications.conftest import People, Robot

NOW = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def run(session: Session, gateway: SearchGateway, **kw: Any) -> worker.Report:
    session.flush()
    values: dict[str, Any] = {"gateway": gateway, "mailer": RecordingMailer(), "now": NOW}
    values.update(kw)
    return worker.run_once(session.connection(), **values)


def kinds_of(session: Session, user: User) -> list[str]:
    return list(
        session.exec(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(col(Notification.id))
        )
    )


def test_a_published_demand_alerts_fitting_vendors_and_saved_searches_once(
    session: Session, gateway: SearchGateway, people: People
) -> None:
    fits = solution(
        session,
        people.vendor,
        title="日用瓷釉面缺陷视觉检测",
        summary="釉面针孔、缺釉在线拍照自动判断，检测数据不出厂",
        scenarios=["machine_vision_qc", "quality_analytics"],
    )
    elsewhere_org = make_org(session, kind="integrator")
    elsewhere_user = make_user(session, org=elsewhere_org)
    drain_all(session, gateway)
    saved_searches.create(
        session,
        gateway.pipeline,
        user_id=people.seller.id or 0,
        type="demand",
        q="陶瓷",
        filters={"industry": "ceramics", "city": "zhuzhou"},
        now=NOW,
    )
    saved_searches.create(
        session,
        gateway.pipeline,
        user_id=elsewhere_user.id or 0,
        type="demand",
        q="陶瓷",
        filters={"city": "changsha"},  # elsewhere: not met
        now=NOW,
    )
    need = demand(
        session,
        title="陶瓷日用瓷釉面缺陷自动检测",
        scenarios=["machine_vision_qc", "quality_analytics"],
        status="pending",
    )
    need.org_id = people.enterprise.id or 0
    moderation.decide(
        session,
        principal=Principal(user=people.official),
        items=[(DEMAND, need.id or 0)],
        decision="approve",
        now=NOW,
    )
    report = run(session, gateway)
    assert report.published == 1 and not report.errors, report
    got = kinds_of(session, people.seller)
    assert sorted(got) == ["new_match", "saved_search_match"]
    match = session.exec(
        select(Notification).where(
            Notification.user_id == people.seller.id, Notification.kind == "new_match"
        )
    ).one()
    assert fits.title in match.title and match.url == f"/demands/{need.id}"
    assert kinds_of(session, elsewhere_user) == []
    assert kinds_of(session, people.buyer) == ["listing_approved"]
    # Published again (an edit approved anew): the pair and the search are told once.
    from portal.notifications.events import listing_published

    listing_published(session, kind_name="demand", listing_id=need.id or 0, now=NOW)
    run(session, gateway)
    assert sorted(kinds_of(session, people.seller)) == ["new_match", "saved_search_match"]


def test_the_digest_job_is_due_at_eight_in_shanghai() -> None:
    [digests] = [j for j in worker.JOBS if j.name == "digests"]
    last = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    assert digests.next_after(last, last) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert digests.next_after(None, last) == last  # never ran: due at once


def test_each_job_runs_once_per_fire_time(
    session: Session, gateway: SearchGateway, people: People
) -> None:
    first = run(session, gateway)
    assert sorted(first.jobs) == [
        "digests",
        "expiring",
        "freshness",
        "funding_deadlines",
        "introductions",
    ]
    assert run(session, gateway, now=NOW + timedelta(minutes=1)).jobs == []
    later = run(session, gateway, now=NOW + timedelta(minutes=5))
    assert later.jobs == ["introductions"]
    next_morning = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
    assert "digests" in run(session, gateway, now=next_morning).jobs
    assert session.get(WorkerJob, "digests", populate_existing=True).last_run_at is not None  # type: ignore[union-attr]


def test_the_morning_digest_mails_what_was_kept_for_it(
    session: Session, gateway: SearchGateway, people: People
) -> None:
    service.set_modes(session, user_id=people.seller.id or 0, modes={"new_match": "digest"})
    for n in range(2):
        service.notify(
            session,
            kind="new_match",
            user_ids=[people.seller.id or 0],
            subject=f"新需求{n}与您的方案高度匹配",
            link=f"/demands/{n}",
            now=NOW,
        )
    mailer = RecordingMailer()
    run(session, gateway, mailer=mailer)
    [digest] = [m for m in mailer.delivered if m.to == people.seller.email]
    assert digest.subject == "每日摘要：2 条新通知"
    assert "新需求0与您的方案高度匹配" in digest.body and "新需求1" in digest.body
    assert "http://127.0.0.1:8000/demands/1" in digest.body
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    pending = session.exec(select(Notification).where(col(Notification.digest_pending).is_(True)))
    assert list(pending) == []
    # The digest's own unsubscribe turns off every kind it carried.
    token = digest.headers["List-Unsubscribe"].split("token=")[1].rstrip(">")
    _, off = service.unsubscribe(session, token=token)
    assert off == ["new_match"]


# --- WeCom ---------------------------------------------------------------------------------


def _hook(session: Session, people: People, robot: Robot, mode: str = "immediate") -> None:
    session.add(OrgWebhook(org_id=people.vendor.id or 0, url=robot.url, mode=mode))
    session.flush()


def _event(session: Session, people: People, n: int) -> None:
    service.notify(
        session,
        kind="listing_approved",
        org_id=people.vendor.id,
        subject=f"您的解决方案{n}已通过审核并发布",
        link=f"/solutions/{n}",
        now=NOW,
    )


def test_the_robot_receives_the_documented_text_message(
    session: Session, gateway: SearchGateway, people: People, robot: Robot
) -> None:
    _hook(session, people, robot)
    _event(session, people, 1)
    report = run(session, gateway)
    assert report.webhooks.sent == 1
    [message] = robot.received
    assert message["msgtype"] == "text"
    assert message["text"]["content"].startswith("【您的解决方案1已通过审核并发布】")
    assert run(session, gateway).webhooks.sent == 0  # sent once


def test_a_refusing_robot_is_retried_with_back_off(
    session: Session, gateway: SearchGateway, people: People, robot: Robot
) -> None:
    _hook(session, people, robot)
    _event(session, people, 1)
    robot.answers.append({"errcode": 93000, "errmsg": "invalid webhook url"})
    failed = run(session, gateway)
    assert failed.webhooks.failed == 1 and "93000" in (failed.webhooks.error or "")
    assert run(session, gateway, now=NOW + timedelta(seconds=30)).webhooks.sent == 0
    assert run(session, gateway, now=NOW + timedelta(minutes=1)).webhooks.sent == 1
    assert len(robot.received) == 1


def test_a_digest_robot_gets_one_message_in_the_morning(
    session: Session, gateway: SearchGateway, people: People, robot: Robot
) -> None:
    _hook(session, people, robot, mode="digest")
    _event(session, people, 1)
    _event(session, people, 2)
    session.add(WorkerJob(name="digests", last_run_at=NOW))  # this morning's ran already
    assert run(session, gateway).webhooks.sent == 0
    run(session, gateway, now=datetime(2026, 11, 2, 0, 0, tzinfo=UTC))
    [digest] = robot.texts
    assert (
        digest.startswith("每日摘要：2 条通知") and "解决方案1" in digest and "解决方案2" in digest
    )


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    session: Session, gateway: SearchGateway, people: People, robot: Robot
) -> None:
    _hook(session, people, robot)
    for n in range(4):
        _event(session, people, n)
    calls = 0

    def dies_before_the_third(url: str, payload: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise SystemExit("killed")  # the process dies: no except clause catches this
        delivery.post_wecom(url, payload)

    with pytest.raises(SystemExit):
        run(session, gateway, post=dies_before_the_third)
    assert len(robot.received) == 2
    restarted = run(session, gateway)
    assert restarted.webhooks.sent == 2
    assert sorted(robot.texts) == sorted(set(robot.texts)) and len(robot.texts) == 4
    unsent = session.exec(select(WebhookDelivery).where(col(WebhookDelivery.sent_at).is_(None)))
    assert list(unsent) == []


def test_two_workers_at_once_send_each_message_once_and_run_each_job_once(
    data_dir: Path, gateway: SearchGateway, robot: Robot
) -> None:
    ensure_ready()
    with session_scope(write=True) as session:
        org = make_org(session, kind="integrator")
        make_user(session, org=org)
        session.add(OrgWebhook(org_id=org.id or 0, url=robot.url))
        for n in range(3):
            service.notify(
                session,
                kind="listing_approved",
                org_id=org.id,
                subject=f"发布{n}已通过审核",
                link=f"/solutions/{n}",
            )
    first_posting, b_done = threading.Event(), threading.Event()

    def hold_the_first() -> None:
        if not first_posting.is_set():
            first_posting.set()
            b_done.wait(timeout=30)

    robot.on_request = hold_the_first
    engine = get_engine()
    reports: dict[str, worker.Report] = {}

    def worker_a() -> None:
        reports["a"] = worker.run_once(engine, gateway=gateway, mailer=RecordingMailer())

    a = threading.Thread(target=worker_a)
    a.start()
    try:
        assert first_posting.wait(timeout=30), "worker A never posted"
        reports["b"] = worker.run_once(engine, gateway=gateway, mailer=RecordingMailer())
    finally:
        b_done.set()
        a.join()
    assert reports["b"].webhooks.skipped and reports["b"].webhooks.sent == 0
    assert reports["b"].jobs == []  # A ran them, and recorded it before posting
    assert sorted(reports["a"].jobs) == [
        "digests",
        "expiring",
        "freshness",
        "funding_deadlines",
        "introductions",
    ]
    assert sorted(robot.texts) == sorted(set(robot.texts)) and len(robot.texts) == 3


def test_portal_worker_once_processes_what_is_due_and_exits(data_dir: Path) -> None:
    ensure_ready()
    with session_scope(write=True) as session:
        user = make_user(session)
        service.notify(
            session,
            kind="new_match",
            user_ids=[user.id or 0],
            subject="新的匹配",
            link="/demands/1",
        )
    done = CliRunner().invoke(cli, ["worker", "--once"])
    assert done.exit_code == 0, done.output
    assert "已发送邮件 1 封" in done.output and "digests" in done.output
    [mail] = (data_dir / "mail").glob("*.eml")  # no SMTP host: the development set-up
    assert "List-Unsubscribe" in mail.read_text(encoding="utf-8")


def test_a_worker_process_killed_while_posting_loses_nothing_and_repeats_nothing(
    data_dir: Path, robot: Robot
) -> None:
    """A real `portal worker --once` is killed (SIGKILL) while the robot holds its third
    message unanswered; a new worker, once the dead one's lease has run out, posts the
    third and the fourth. The robot took each message once."""
    ensure_ready()
    with session_scope(write=True) as session:
        org = make_org(session, kind="integrator")
        make_user(session, org=org)
        session.add(OrgWebhook(org_id=org.id or 0, url=robot.url))
        for n in range(4):
            service.notify(
                session,
                kind="listing_approved",
                org_id=org.id,
                subject=f"发布{n}已通过审核",
                link=f"/solutions/{n}",
            )
    third, release = threading.Event(), threading.Event()
    seen = 0

    def hold_the_third() -> str | None:
        nonlocal seen
        seen += 1
        if seen == 3:
            third.set()
            release.wait(timeout=60)
            return "drop"
        return None

    robot.on_request = hold_the_third
    portal = Path(sys.executable).parent / "portal"
    process = subprocess.Popen(
        [str(portal), "worker", "--once"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        assert third.wait(timeout=120), "the worker never posted a third message"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        release.set()
    assert len(robot.received) == 2
    robot.on_request = None
    with session_scope(write=True) as session:
        # Five minutes later: the dead worker's lease has expired.
        session.execute(update(Lease).values(expires_at=utcnow() - timedelta(seconds=1)))
    with session_scope() as session:
        restarted = delivery.deliver_webhooks(session)
    assert restarted.sent == 2
    assert sorted(robot.texts) == sorted(set(robot.texts)) and len(robot.texts) == 4


def test_portal_worker_runs_rounds_until_stopped(data_dir: Path, gateway: SearchGateway) -> None:
    ensure_ready()
    stop, heartbeat = threading.Event(), data_dir / "worker.heartbeat"
    thread = threading.Thread(
        target=worker.run_forever,
        kwargs={
            "engine": get_engine(),
            "gateway": gateway,
            "mailer": RecordingMailer(),
            "interval": 0.05,
            "stop": stop,
            "heartbeat": heartbeat,
        },
    )
    thread.start()
    try:
        for _ in range(600):
            if heartbeat.exists():
                break
            threading.Event().wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert heartbeat.exists() and not thread.is_alive()


def test_a_funding_call_alerts_the_demands_it_fits_and_a_shortlisted_deadline_once(
    session: Session, gateway: SearchGateway, people: People
) -> None:
    today = NOW.date()
    fits = make_demand(
        session, people.enterprise, status="published", industry="ceramics", city="zhuzhou",
        title="窑炉视觉质检", budget_min=50, budget_max=200,
    )  # fmt: skip
    elsewhere = make_org(session, kind="enterprise")
    elsewhere_user = make_user(session, org=elsewhere)
    make_demand(
        session, elsewhere, status="published", industry="steel", city="changsha",
        title="炼钢天车远控",
    )  # fmt: skip
    bank = make_org(session, kind="finance")
    call = make_funding(
        session, bank, status="pending", industries=["ceramics"], regions=["zhuzhou"],
        title="陶瓷产业5G改造贷款", deadline=today + timedelta(days=5),
    )  # fmt: skip
    platform = make_platform(session, status="pending")  # raises nothing, blocks nothing
    moderation.decide(
        session,
        principal=Principal(user=people.official),
        items=[
            (LISTING_KINDS["platform"], platform.id or 0),
            (LISTING_KINDS["funding"], call.id or 0),
        ],
        decision="approve",
        now=NOW,
    )
    report = run(session, gateway)
    assert report.published == 2 and not report.errors, report
    [alert] = session.exec(
        select(Notification).where(
            Notification.user_id == people.buyer.id, Notification.kind == "funding_call"
        )
    ).all()
    assert call.title in alert.title and fits.title in alert.title
    assert alert.url == f"/funds/{call.id}"
    assert kinds_of(session, elsewhere_user) == []

    # Shortlisted, then the deadline comes within a week: one reminder, however often asked.
    session.add(
        FundingMark(org_id=people.enterprise.id or 0, demand_id=fits.id or 0,
                    funding_id=call.id or 0, created_at=NOW)
    )  # fmt: skip
    session.flush()
    assert scans.scan_funding_deadlines(session, now=NOW) == 1
    assert scans.scan_funding_deadlines(session, now=NOW + timedelta(days=1)) == 0
    [reminder] = session.exec(
        select(Notification).where(
            Notification.user_id == people.buyer.id, Notification.kind == "funding_deadline"
        )
    ).all()
    assert "还剩 5 天" in reminder.title and reminder.url == f"/funds/{call.id}"


def test_a_listing_that_cannot_be_scanned_does_not_hold_back_the_others(
    session: Session, gateway: SearchGateway, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.notifications import scans
    from portal.notifications.events import listing_published

    first = make_demand(session, people.enterprise, status="published", title="坏数据需求")
    second = make_demand(session, people.enterprise, status="published", title="正常需求")
    for row in (first, second):
        listing_published(session, kind_name="demand", listing_id=row.id or 0, now=NOW)
    real = scans.scan_publication

    def broken_for_first(session: Session, gateway: SearchGateway, item: Any, **kw: Any) -> int:
        if item.listing_id == first.id:
            raise ValueError("cannot read this listing")
        return real(session, gateway, item, **kw)

    monkeypatch.setattr(scans, "scan_publication", broken_for_first)
    report = run(session, gateway)
    assert report.published == 1 and len(report.errors) == 1, report
    monkeypatch.setattr(scans, "scan_publication", real)
    assert run(session, gateway).published == 1  # the first, retried once it can be read
