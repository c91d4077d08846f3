"""notify(): the inbox rows, each member's mail as their preference says, the robot's
message, and one notification however often an event is raised; unsubscribe tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from portal.kit.errors import FieldErrors
from portal.models import Notification, OrgWebhook, OutgoingMail, WebhookDelivery
from portal.notifications import service
from tests.notifications.conftest import People

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _raise(session: Session, people: People, **kw: object) -> list[Notification]:
    values: dict[str, object] = {
        "kind": "listing_approved",
        "org_id": people.vendor.id,
        "subject": "您的解决方案“窑炉视觉质检”已通过审核并发布",
        "body": "它现在出现在搜索与匹配结果中。",
        "link": "/solutions/1",
        "now": NOW,
    }
    values.update(kw)
    return service.notify(session, **values)  # type: ignore[arg-type]


def _mail_to(session: Session, email: str) -> list[OutgoingMail]:
    return list(session.exec(select(OutgoingMail).where(OutgoingMail.recipient == email)))


def test_every_member_gets_an_inbox_item_and_an_immediate_mail(
    session: Session, people: People
) -> None:
    written = _raise(session, people)
    assert sorted(n.user_id for n in written) == sorted([people.seller.id, people.colleague.id])
    assert service.unread_count(session, people.seller.id or 0) == 1
    assert service.unread_count(session, people.buyer.id or 0) == 0
    [mail] = _mail_to(session, people.seller.email)
    assert "已通过审核" in mail.subject
    assert "http://127.0.0.1:8000/solutions/1" in mail.body
    assert "您收到此邮件，是因为您所在机构的发布通过了审核" in mail.body  # why it was sent
    unsubscribe = mail.headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:8000/api/v1/notifications/unsubscribe?token=")
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe?token=" in mail.body


def test_the_same_event_raised_twice_is_one_notification(session: Session, people: People) -> None:
    assert len(_raise(session, people, dedupe_key="listing_approved:solution:1:2")) == 2
    assert _raise(session, people, dedupe_key="listing_approved:solution:1:2") == []
    rows = session.exec(select(Notification).where(Notification.user_id == people.seller.id))
    assert len(list(rows)) == 1
    assert len(_mail_to(session, people.seller.email)) == 1


def test_digest_and_off_preferences(session: Session, people: People) -> None:
    service.set_modes(session, user_id=people.seller.id or 0, modes={"listing_approved": "digest"})
    service.set_modes(session, user_id=people.colleague.id or 0, modes={"listing_approved": "off"})
    written = {n.user_id: n for n in _raise(session, people)}
    assert written[people.seller.id].digest_pending  # waits for the morning's digest
    assert not written[people.colleague.id].digest_pending
    assert _mail_to(session, people.seller.email) == []
    assert _mail_to(session, people.colleague.email) == []
    # The inbox shows it whatever the mail preference.
    assert service.unread_count(session, people.colleague.id or 0) == 1
    with pytest.raises(FieldErrors) as refused:
        service.set_modes(session, user_id=people.seller.id or 0, modes={"new_match": "hourly"})
    assert "mode_new_match" in refused.value.errors


def test_the_organisations_robot_gets_one_message_per_event(
    session: Session, people: People
) -> None:
    session.add(OrgWebhook(org_id=people.vendor.id or 0, url="https://example.invalid/hook"))
    _raise(session, people, dedupe_key="k1")
    _raise(session, people, dedupe_key="k1")
    [message] = session.exec(
        select(WebhookDelivery).where(WebhookDelivery.org_id == people.vendor.id)
    ).all()
    assert message.text.startswith("【您的解决方案“窑炉视觉质检”已通过审核并发布】")
    assert message.text.endswith("http://127.0.0.1:8000/solutions/1")
    assert not message.held


def test_a_robot_message_fits_the_2048_byte_limit() -> None:
    text = service.wecom_text("标题", "很长的正文" * 400, "/demands/7")
    assert len(text.encode()) <= 2048
    assert text.endswith("http://127.0.0.1:8000/demands/7")


def test_the_webhook_must_be_wecoms_outside_development(
    session: Session, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.settings import Settings

    monkeypatch.setattr(
        service,
        "get_settings",
        lambda: Settings(portal_env="production", portal_secret_key="x" * 40),
    )
    assert service.webhook_error("http://10.0.0.5/hook") is not None
    assert service.webhook_error("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc") is None


def test_an_unsubscribe_token_is_signed(session: Session, people: People) -> None:
    token = service.unsubscribe_token(people.seller.id or 0, "new_match")
    assert service.read_unsubscribe_token(token) == (people.seller.id, "new_match")
    payload, _, signature = token.partition(".")
    other = service.unsubscribe_token(people.buyer.id or 0, "new_match").partition(".")[0]
    with pytest.raises(FieldErrors):
        service.read_unsubscribe_token(f"{other}.{signature}")  # someone else's account
    with pytest.raises(FieldErrors):
        service.read_unsubscribe_token(payload)
    user, kinds = service.unsubscribe(session, token=token)
    assert user.id == people.seller.id and kinds == ["new_match"]
    assert service.modes_of(session, people.seller.id or 0)["new_match"] == "off"


def test_mark_read_is_for_the_owner_only(session: Session, people: People) -> None:
    [first, *_] = _raise(session, people, org_id=None, user_ids=[people.seller.id])
    from portal.kit.errors import NotFound

    with pytest.raises(NotFound):
        service.mark_read(
            session, user_id=people.buyer.id or 0, notification_id=first.id or 0, now=NOW
        )
    service.mark_read(
        session, user_id=people.seller.id or 0, notification_id=first.id or 0, now=NOW
    )
    assert service.unread_count(session, people.seller.id or 0) == 0
    rows = session.exec(select(Notification).where(col(Notification.read_at).is_(None)))
    assert first.id not in {r.id for r in rows}
