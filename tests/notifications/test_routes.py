"""The pages, without JavaScript: the bell on every page, the inbox, mark read, settings,
unsubscribing from a mail, and the owner's "still current"."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from portal.models import OrgWebhook
from portal.notifications import service
from tests.factories import make_demand
from tests.notifications.conftest import People
from tests.support.web import csrf_of, sign_in


def _notice(session: Session, people: People, title: str = "您的需求已通过审核并发布") -> None:
    service.notify(
        session,
        kind="listing_approved",
        org_id=people.enterprise.id,
        subject=title,
        link="/demands",
    )
    session.commit()


def test_the_bell_counts_and_the_inbox_marks_read(
    client: TestClient, session: Session, people: People
) -> None:
    csrf = sign_in(client, people.buyer.email)
    assert 'data-testid="unread-count"' not in client.get("/").text
    _notice(session, people)
    home = client.get("/cases").text  # any page
    assert re.search(r'data-testid="unread-count">1<', home)
    bell = client.get("/notifications/bell", headers={"HX-Request": "true"}).text
    assert bell.startswith("<a ") and re.search(r'data-testid="unread-count">1<', bell)
    inbox = client.get("/notifications")
    assert inbox.status_code == 200 and "您的需求已通过审核并发布" in inbox.text
    [item_id] = re.findall(r'action="/notifications/(\d+)/read"', inbox.text)
    opened = client.post(
        f"/notifications/{item_id}/read",
        data={"csrf_token": csrf, "open": "1"},
        follow_redirects=False,
    )
    assert opened.status_code == 303 and opened.headers["location"] == "/demands"
    assert 'data-testid="unread-count"' not in client.get("/cases").text
    _notice(session, people, "第二条")
    done = client.post("/notifications/read-all", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert "没有未读通知" in client.get("/notifications?unread=1").text


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    page = client.get("/notifications", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_settings_per_kind_and_the_organisations_robot(
    client: TestClient, session: Session, people: People
) -> None:
    csrf = sign_in(client, people.seller.email)
    page = client.get("/notifications/settings").text
    assert 'name="mode_new_match"' in page and 'name="mode_review_pending"' not in page
    saved = client.post(
        "/notifications/settings",
        data={
            "csrf_token": csrf,
            "mode_new_match": "digest",
            "mode_listing_approved": "off",
            f"webhook_{people.vendor.id}": "ftp://example.com/x",
            f"webhook_mode_{people.vendor.id}": "immediate",
        },
    )
    assert saved.status_code == 400 and "企业微信群机器人的 Webhook 地址" in saved.text
    saved = client.post(
        "/notifications/settings",
        data={
            "csrf_token": csrf,
            "mode_new_match": "digest",
            f"webhook_{people.vendor.id}": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
            f"webhook_mode_{people.vendor.id}": "digest",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert service.modes_of(session, people.seller.id or 0)["new_match"] == "digest"
    hook = session.get(OrgWebhook, people.vendor.id)
    assert hook is not None and hook.mode == "digest"


def test_unsubscribe_from_a_mail_link(client: TestClient, session: Session, people: People) -> None:
    token = service.unsubscribe_token(people.buyer.id or 0, "listing_approved")
    page = client.get(f"/notifications/unsubscribe?token={token}")
    assert page.status_code == 200 and "发布审核通过" in page.text
    done = client.post(
        "/notifications/unsubscribe", data={"csrf_token": csrf_of(page.text), "token": token}
    )
    assert done.status_code == 200 and 'data-testid="unsubscribed"' in done.text
    assert service.modes_of(session, people.buyer.id or 0)["listing_approved"] == "off"
    assert client.get("/notifications/unsubscribe?token=bad.token").status_code == 400


def test_the_owner_confirms_a_listing_is_still_current(
    client: TestClient, session: Session, people: People
) -> None:
    row = make_demand(session, people.enterprise, status="published", title="窑炉视觉质检")
    session.commit()
    csrf = sign_in(client, people.buyer.email)
    page = client.get(f"/demands/{row.id}").text
    assert 'data-testid="confirm-current"' in page
    done = client.post(
        f"/listings/demand/{row.id}/confirm", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "已确认仍然有效" in page and 'data-testid="confirmed-on"' in page
    row.stale_at = row.confirmed_at
    session.add(row)
    session.commit()
    assert 'data-testid="stale"' in client.get(f"/demands/{row.id}").text  # shown as such
    sign_in(client, people.seller.email)
    refused = client.post(
        f"/listings/demand/{row.id}/confirm",
        data={"csrf_token": csrf_of(client.get("/account").text)},
    )
    assert refused.status_code == 403


def test_the_bells_accessible_name_holds_its_visible_text(
    client: TestClient, session: Session, people: People
) -> None:
    """axe's label-content-name-mismatch (serious): a voice user says what they see."""
    sign_in(client, people.buyer.email)
    _notice(session, people)
    for lang, visible in (("zh_CN", "通知 1"), ("en", "Notifications 1")):
        bell = client.get(f"/notifications/bell?lang={lang}", headers={"HX-Request": "true"}).text
        [name] = re.findall(r'aria-label="([^"]*)"', bell)
        text = re.sub(
            r"\s+", " ", re.sub(r'<span aria-hidden="true">[^<]*</span>|<[^>]+>', "", bell)
        )
        assert text.strip() == visible and name.startswith(visible), (name, text)
