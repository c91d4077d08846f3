"""Notifications: one call raises an event; the inbox, the mail and the WeCom robot follow.

Other domains call :func:`notify` inside their own transaction (services never commit):

    notify(session, kind="listing_approved", org_id=org.id,
           subject="您的发布已通过审核：…", body="…", link="/solutions/12",
           dedupe_key="listing_approved:solution:12:3")

It writes, in that transaction, an inbox row per recipient (the organisation's active
members, or ``user_ids``), each user's mail as their preference for the kind says (an
:class:`~portal.models.OutgoingMail` row now, or a mark for tomorrow's digest, or
nothing), and for an organisation with a WeCom group robot one
:class:`~portal.models.WebhookDelivery` row. Nothing is sent before the commit; ``portal
worker`` (and the server's outbox runner, for mail) deliver afterwards. A ``dedupe_key``
already given to a recipient is skipped, so an event raised twice is one notification.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, func, update
from sqlmodel import Session, col, select

from portal import outbox
from portal.auth.permissions import Action, Principal, authorize
from portal.auth.sessions import count_with_session
from portal.kit.errors import FieldErrors, NotFound
from portal.kit.i18n import _
from portal.mail import queue_mail
from portal.models import (
    Membership,
    Notification,
    NotificationPreference,
    Organization,
    OrgWebhook,
    User,
    WebhookDelivery,
    utcnow,
)
from portal.notifications.kinds import KINDS, MODES, Mode
from portal.settings import get_settings

INBOX_PAGE = 50
WECOM_MAX_BYTES = 2048  # the robot's limit for a text message's content (UTF-8)
WECOM_HOST = "qyapi.weixin.qq.com"


# --- raising ----------------------------------------------------------------------------


def absolute(link: str) -> str:
    """A root-relative link as people reach it from a mail or a chat."""
    if link.startswith(("http://", "https://")):
        return link
    return get_settings().portal_base_url.rstrip("/") + link


def recipients(
    session: Session, *, org_id: int | None, user_ids: Iterable[int] | None
) -> list[User]:
    """The active users an event goes to: the organisation's members, and/or ``user_ids``."""
    ids: set[int] = set(user_ids or ())
    if org_id is not None:
        ids |= set(session.exec(select(Membership.user_id).where(Membership.org_id == org_id)))
    if not ids:
        return []
    users = session.exec(
        select(User).where(col(User.id).in_(ids), col(User.is_active).is_(True))
    ).all()
    return sorted(users, key=lambda u: u.id or 0)


def modes_of(session: Session, user_id: int) -> dict[str, Mode]:
    """The user's mail mode for every kind (their choice, or the kind's default)."""
    chosen = {
        p.kind: p.mode
        for p in session.exec(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    return {code: chosen.get(code, kind.default) for code, kind in KINDS.items()}  # type: ignore[misc]


def notify(
    session: Session,
    *,
    kind: str,
    org_id: int | None = None,
    user_ids: Iterable[int] | None = None,
    subject: str,
    body: str = "",
    link: str,
    dedupe_key: str | None = None,
    exclude_user_id: int | None = None,
    now: datetime | None = None,
) -> list[Notification]:
    """Raise one event of ``kind`` for an organisation's members and/or some users; returns
    the inbox rows written (none for recipients who had ``dedupe_key`` already)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    now = now or utcnow()
    subject = subject.strip()[:300]
    users = [
        u for u in recipients(session, org_id=org_id, user_ids=user_ids) if u.id != exclude_user_id
    ]
    seen: set[int] = set()
    if dedupe_key is not None:
        seen = set(
            session.exec(select(Notification.user_id).where(Notification.dedupe_key == dedupe_key))
        )
        if org_id is not None and _org_had(session, org_id, dedupe_key):
            return []  # told already (perhaps to members who have left since)
    written: list[Notification] = []
    for user in users:
        assert user.id is not None
        if user.id in seen:
            continue
        row = Notification(
            user_id=user.id,
            org_id=org_id,
            kind=kind,
            title=subject,
            body=body,
            url=link,
            dedupe_key=dedupe_key,
            created_at=now,
        )
        mode = modes_of(session, user.id)[kind]
        if mode == "immediate" and user.email_verified:
            _queue_one(session, user, row)
            row.emailed_at = now
        elif mode == "digest":
            row.digest_pending = True
        session.add(row)
        written.append(row)
    if org_id is not None and written:
        # One message per event for the organisation's robot (its members set it up).
        _queue_webhook(session, org_id, kind=kind, subject=subject, body=body, link=link, now=now)
    session.flush()
    return written


def _org_had(session: Session, org_id: int, dedupe_key: str) -> bool:
    found = session.exec(
        select(Notification.id).where(
            Notification.org_id == org_id, Notification.dedupe_key == dedupe_key
        )
    ).first()
    return found is not None


def _why(kind: str) -> str:
    what = KINDS[kind]
    return _("您收到此邮件，是因为{reason}，且您的通知设置中“{label}”为即时邮件。").format(
        reason=what.reason, label=what.label
    )


def _queue_one(session: Session, user: User, row: Notification) -> None:
    assert user.id is not None
    token = unsubscribe_token(user.id, row.kind)
    queue_mail(
        session,
        to=user.email,
        template="notification",
        context={
            "title": row.title,
            "body": row.body,
            "link": absolute(row.url),
            "why": _why(row.kind),
            "unsubscribe": absolute(f"/notifications/unsubscribe?token={token}"),
            "settings_link": absolute("/notifications/settings"),
        },
        headers=unsubscribe_headers(token),
    )


def unsubscribe_headers(token: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: a mail client's one-click unsubscribe POSTs to this URL."""
    url = absolute(f"/api/v1/notifications/unsubscribe?token={token}")
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- the WeCom group robot ---------------------------------------------------------------


def wecom_text(subject: str, body: str, link: str) -> str:
    """The robot's text content: title, body and link, cut to its 2,048-byte limit."""
    tail = f"\n{absolute(link)}"
    text = f"【{subject}】\n{body}".rstrip()
    room = WECOM_MAX_BYTES - len(tail.encode())
    while len(text.encode()) > room:
        text = text[: max(0, len(text) - 16)] + "…" if len(text) > 16 else ""
        if not text:
            break
    return text + tail


def _queue_webhook(
    session: Session, org_id: int, *, kind: str, subject: str, body: str, link: str, now: datetime
) -> None:
    hook = session.get(OrgWebhook, org_id)
    if hook is None or hook.mode == "off":
        return
    session.add(
        WebhookDelivery(
            org_id=org_id,
            url=hook.url,
            text=wecom_text(subject, body, link),
            held=hook.mode == "digest",
            created_at=now,
            next_attempt_at=now,
        )
    )
    outbox.written(session)


def webhook_error(url: str) -> str | None:
    """Why ``url`` cannot be a robot's webhook: it must be WeCom's own (anything else, in
    development only, so tests can post to a local receiver)."""
    parts = urlsplit(url)
    if get_settings().is_development and parts.scheme in ("http", "https") and parts.hostname:
        return None
    if parts.scheme != "https" or parts.hostname != WECOM_HOST or "key=" not in parts.query:
        return _(
            "请填写企业微信群机器人的 Webhook 地址（https://{WECOM_HOST}/cgi-bin/webhook/send?key=…）"
        ).format(WECOM_HOST=WECOM_HOST)
    return None


def set_webhook(
    session: Session,
    *,
    principal: Principal | None,
    org: Organization,
    url: str,
    mode: str,
    now: datetime,
) -> OrgWebhook | None:
    """An organisation's owner sets (or, with an empty ``url``, removes) its robot."""
    authorize(session, principal, Action.ORG_EDIT, org=org)
    url = url.strip()
    errors: dict[str, str] = {}
    if mode not in MODES:
        errors["mode"] = _("请选择即时、每日摘要或不发送")
    if url and (reason := webhook_error(url)):
        errors["url"] = reason
    if len(url) > 500:
        errors["url"] = _("Webhook 地址不能超过 500 个字符")
    if errors:
        raise FieldErrors(errors)
    assert org.id is not None
    hook = session.get(OrgWebhook, org.id)
    if not url:
        if hook is not None:
            session.delete(hook)
            session.flush()
        return None
    hook = hook or OrgWebhook(org_id=org.id, url=url)
    hook.url, hook.mode, hook.updated_at = url, mode, now
    session.add(hook)
    session.flush()
    return hook


# --- the inbox ---------------------------------------------------------------------------


def _unread(user_id: Any) -> Any:
    """The count of a user's unread notifications (``user_id``: a value or a column)."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
    )


_UNREAD = _unread(bindparam("user_id"))  # built once (portal.db)
# Every signed-in page shows it: it comes with the session the page loads (one query).
UNREAD_COUNT = "unread_notifications"
count_with_session(UNREAD_COUNT, lambda user_id: _unread(user_id).scalar_subquery())


def unread_count(session: Session, user_id: int) -> int:
    return int(session.exec(_UNREAD, params={"user_id": user_id}).one())


def inbox(
    session: Session, user_id: int, *, unread_only: bool = False, limit: int = INBOX_PAGE
) -> list[Notification]:
    """The user's notifications, newest first."""
    statement = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        statement = statement.where(col(Notification.read_at).is_(None))
    statement = statement.order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
    return list(session.exec(statement.limit(limit)))


def mark_read(
    session: Session, *, user_id: int, notification_id: int, now: datetime
) -> Notification:
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        raise NotFound(_("找不到该通知"))
    if row.read_at is None:
        row.read_at = now
        session.add(row)
        session.flush()
    return row


def mark_all_read(session: Session, *, user_id: int, now: datetime) -> int:
    result = session.execute(
        update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.read_at).is_(None))
        .values(read_at=now),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- preferences and unsubscribing -------------------------------------------------------


def set_modes(session: Session, *, user_id: int, modes: dict[str, str]) -> None:
    """Save the user's mail mode per kind (unknown kinds or modes are refused)."""
    errors = {
        f"mode_{k}": _("请选择即时、每日摘要或不发邮件") for k, m in modes.items() if m not in MODES
    }
    errors |= {f"mode_{k}": _("未知的通知类型") for k in modes if k not in KINDS}
    if errors:
        raise FieldErrors(errors)
    for kind, mode in modes.items():
        row = session.get(NotificationPreference, (user_id, kind))
        if row is None:
            row = NotificationPreference(user_id=user_id, kind=kind, mode=mode)
        row.mode = mode
        session.add(row)
    session.flush()


def _sign(payload: bytes) -> str:
    key = get_settings().portal_secret_key.encode()
    digest = hmac.new(key, b"unsubscribe:" + payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A signed token naming the user and the kind (``*``: the daily digest, every kind)."""
    payload = base64.urlsafe_b64encode(json.dumps([user_id, kind]).encode()).decode()
    payload = payload.rstrip("=")
    return f"{payload}.{_sign(payload.encode())}"


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The (user id, kind) a token names; :class:`FieldErrors` for a forged or broken one."""
    payload, _sep, signature = token.partition(".")
    refused = FieldErrors({"token": _("退订链接无效，请从最新的邮件中打开，或登录后修改通知设置")})
    if not signature or not hmac.compare_digest(signature, _sign(payload.encode())):
        raise refused
    try:
        user_id, kind = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, TypeError):
        raise refused from None
    if not isinstance(user_id, int) or (kind != "*" and kind not in KINDS):
        raise refused
    return user_id, kind


def unsubscribe(session: Session, *, token: str) -> tuple[User, list[str]]:
    """Turn off the mail the token names: one kind, or (``*``) every kind of the digest."""
    user_id, kind = read_unsubscribe_token(token)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("找不到该账号"))
    if kind == "*":
        kinds = [k for k, m in modes_of(session, user_id).items() if m == "digest"]
    else:
        kinds = [kind]
    set_modes(session, user_id=user_id, modes=dict.fromkeys(kinds, "off"))
    session.execute(
        update(Notification)
        .where(col(Notification.user_id) == user_id, col(Notification.kind).in_(kinds))
        .values(digest_pending=False),
        execution_options={"synchronize_session": False},
    )
    return user, kinds
