"""The worker's scans: what raises events without anyone acting — a listing just published
(new matches, saved searches), introductions left unanswered, listings near their expiry,
listings nobody confirmed for 90 days, and the morning's digests. Each takes the session
and ``now`` and never commits: :mod:`portal.notifications.worker` does, job by job."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal.audit import service as audit
from portal.auth.permissions import Principal
from portal.clock import aware, local_today
from portal.db import bump_version
from portal.funding import service as funding
from portal.introductions import service as introductions
from portal.kit.i18n import _
from portal.listings import service as listings
from portal.listings.kinds import ListingKind
from portal.listings.registry import DEMAND, KINDS, SOLUTION
from portal.mail import queue_mail
from portal.matching import service as matching
from portal.matching.schemas import MatchList
from portal.models import (
    Demand,
    Funding,
    Notification,
    PrivateNetwork,
    PublishedListing,
    Solution,
    User,
    WebhookDelivery,
)
from portal.moderation import service as moderation
from portal.notifications.events import listing_link
from portal.notifications.kinds import KINDS as NOTIFICATION_KINDS
from portal.notifications.service import (
    absolute,
    notify,
    unsubscribe_headers,
    unsubscribe_token,
)
from portal.saved_searches import service as saved_searches
from portal.search.gateway import SearchGateway
from portal.search.outbox import enqueue

NEW_MATCH_LIMIT = 20  # the best matches of a new listing looked at; "high" fit ones alert
EXPIRING_DAYS = 14
FRESHNESS_DAYS = 90
STALE_AFTER_DAYS = 30  # more, without a confirmation
FUNDING_DEADLINE_DAYS = 7  # a shortlisted call's deadline reminder


# --- a listing just published -------------------------------------------------------------


def pending_publications(session: Session, *, limit: int = 50) -> list[PublishedListing]:
    return list(
        session.exec(
            select(PublishedListing)
            .where(col(PublishedListing.scanned_at).is_(None))
            .order_by(col(PublishedListing.id))
            .limit(limit)
        )
    )


def new_matches(
    session: Session, gateway: SearchGateway, *, kind: str, row: Any, now: datetime
) -> int:
    """``new_match`` for the owners of the other side's listings that fit the new one well
    (fit "high", the engine's minimum fit), once per demand–solution pair."""
    rank: Callable[..., MatchList]
    other: type[Solution] | type[Demand]
    if kind == "demand":
        rank, other = matching.matches_for_demand, Solution
        subject = _("新需求“{title}”与您的方案“{title2}”高度匹配")
    else:
        rank, other = matching.matches_for_solution, Demand
        subject = _("新方案“{title}”与您的需求“{title2}”高度匹配")
    ranked = rank(session, gateway, row, limit=NEW_MATCH_LIMIT, today=local_today(now))
    raised = 0
    for match in ranked.matches:
        theirs: Solution | Demand | None = session.get(other, match.id)  # type: ignore[assignment]
        if match.fit != "high" or theirs is None or theirs.org_id == row.org_id:
            continue
        demand_id, solution_id = (row.id, theirs.id) if kind == "demand" else (theirs.id, row.id)
        raised += len(
            notify(
                session,
                kind="new_match",
                org_id=theirs.org_id,
                subject=subject.format(title=row.title, title2=theirs.title),
                body=match.verdict,
                link=listing_link(kind, row.id),
                dedupe_key=f"new_match:{demand_id}:{solution_id}",
                now=now,
            )
        )
    return raised


def scan_publication(
    session: Session, gateway: SearchGateway, item: PublishedListing, *, now: datetime
) -> int:
    """New matches and saved-search alerts of one published listing; a search backend that
    is down raises (nothing marked: the next round tries again)."""
    kind = KINDS[item.kind]
    row = session.get(kind.model, item.listing_id)
    raised = 0
    if row is not None and row.status == "published":
        # Matches and saved searches are of demands and solutions; a funding call alerts
        # the demands it is eligible for; platforms and incubation raise nothing yet.
        if item.kind in ("demand", "solution"):
            raised += new_matches(session, gateway, kind=item.kind, row=row, now=now)
            raised += saved_searches.alert(
                session, gateway.pipeline, kind=item.kind, row=row, now=now
            )
        elif item.kind == "funding":
            raised += funding_call_alerts(session, gateway, row, now=now)
    item.scanned_at = now
    session.add(item)
    session.flush()
    return raised


def funding_call_alerts(
    session: Session, gateway: SearchGateway, call: Funding, *, now: datetime
) -> int:
    """``funding_call`` for the owners of the open demands a newly published call is
    eligible for (the same gates as the demand page), once per call and demand."""
    today = local_today(now)
    raised = 0
    fitting = funding.demands_fitting_call(session, gateway.pipeline, call, today=today)
    for demand, verdict in fitting:
        raised += len(
            notify(
                session,
                kind="funding_call",
                org_id=demand.org_id,
                subject=_("新的资金扶持“{title}”适用于您的需求“{title2}”").format(
                    title=call.title, title2=demand.title
                ),
                body="\n".join(verdict.explanation),
                link=listing_link("funding", call.id or 0),
                dedupe_key=f"funding_call:{call.id}:{demand.id}",
                now=now,
            )
        )
    return raised


def scan_funding_deadlines(session: Session, *, now: datetime, **_kwargs: Any) -> int:
    """``funding_deadline`` for a shortlisted call whose application deadline is at most
    ``FUNDING_DEADLINE_DAYS`` away, once per shortlist and deadline."""
    today = local_today(now)
    raised = 0
    for mark, call in funding.shortlisted_due(
        session, today=today, within_days=FUNDING_DEADLINE_DAYS
    ):
        assert call.deadline is not None
        left = (call.deadline - today).days
        raised += len(
            notify(
                session,
                kind="funding_deadline",
                org_id=mark.org_id,
                subject=_("收藏的资金扶持“{title}”将于 {value} 截止申请").format(
                    title=call.title, value=call.deadline.isoformat()
                )
                + (_("（今天截止）") if left == 0 else _("（还剩 {left} 天）").format(left=left)),
                link=listing_link("funding", call.id or 0),
                dedupe_key=f"funding_deadline:{mark.id}:{call.deadline.isoformat()}",
                now=now,
            )
        )
    return raised


# --- introductions, expiry, freshness ----------------------------------------------------


def expire_introductions(session: Session, *, now: datetime, **_kwargs: Any) -> int:
    """Unanswered requests past their date become expired (introduction_expired is raised
    by the introductions service as it records each)."""
    return len(introductions.expire_due(session, now=now))


def scan_expiring(session: Session, *, now: datetime, **_kwargs: Any) -> int:
    """``listing_expiring`` 14 days (or less) before a solution's end date or a demand's
    deadline, once per listing and date."""
    today = local_today(now)  # deadlines are dates in Hunan
    until = today + timedelta(days=EXPIRING_DAYS)
    raised = 0
    for kind in (SOLUTION, DEMAND):
        model = kind.model
        expiry = getattr(model, kind.expiry)
        rows = session.exec(
            select(model).where(
                model.status == "published", col(expiry) >= today, col(expiry) <= until
            )
        )
        for row in rows:
            day = getattr(row, kind.expiry)
            raised += len(
                notify(
                    session,
                    kind="listing_expiring",
                    org_id=row.org_id,
                    subject=_("您的{label}“{title}”将于 {day:%Y-%m-%d} 到期").format(
                        label=kind.label, title=row.title, day=day
                    ),
                    body=(
                        _(
                            "还有 {days} 天。如仍有效，请编辑并延长日期；否则到期后自动下线。"
                        ).format(days=(day - today).days)
                    ),
                    link=f"/{kind.plural}/{row.id}",
                    dedupe_key=f"listing_expiring:{kind.name}:{row.id}:{day.isoformat()}",
                    now=now,
                )
            )
    return raised


def confirmed_basis(row: Any) -> datetime:
    """When the listing was last known current: the owner's confirmation, else its review,
    else its creation."""
    return aware(row.confirmed_at or row.reviewed_at or row.created_at)


def scan_freshness(session: Session, *, now: datetime, **_kwargs: Any) -> int:
    """Every 90 days a published listing's owner is asked "still current?"; 30 days more
    without an answer and it is marked stale (shown so, ranked lower)."""
    ask_before = now - timedelta(days=FRESHNESS_DAYS)
    stale_before = ask_before - timedelta(days=STALE_AFTER_DAYS)
    raised = 0
    for kind in (SOLUTION, DEMAND):
        model = kind.model
        basis = func.coalesce(model.confirmed_at, model.reviewed_at, model.created_at)
        rows = session.exec(
            select(model).where(
                model.status == "published", col(model.stale_at).is_(None), basis <= ask_before
            )
        )
        for row in rows:
            since = confirmed_basis(row)
            if since <= stale_before:
                row.stale_at = now
                bump_version(row)
                session.add(row)
                session.flush()
                enqueue(session, entity=kind.name, entity_id=row.id, version=row.version)  # type: ignore[arg-type]
                continue
            raised += len(
                notify(
                    session,
                    kind="freshness_check",
                    org_id=row.org_id,
                    subject=_("您的{label}“{title}”是否仍然有效？").format(
                        label=kind.label, title=row.title
                    ),
                    body=(
                        _(
                            "它自 {since:%Y-%m-%d} 起未确认。打开后点击“仍然有效”即可；"
                            "{STALE_AFTER_DAYS} 天内未确认，将标记为“可能已过时”并排在后面。"
                        ).format(since=since, STALE_AFTER_DAYS=STALE_AFTER_DAYS)
                    ),
                    link=f"/{kind.plural}/{row.id}",
                    dedupe_key=f"freshness_check:{kind.name}:{row.id}:{since.date().isoformat()}",
                    now=now,
                )
            )
    return raised


# --- the morning: officials' digests, then everyone's ------------------------------------


def _officials(session: Session) -> list[int]:
    return [
        u
        for u in session.exec(
            select(User.id).where(User.role == "official", col(User.is_active).is_(True))
        )
        if u is not None
    ]


def officials_digest(session: Session, *, now: datetime) -> int:
    """review_pending (listings waiting for moderation) and declaration_pending (networks
    enterprises declared, waiting for confirmation), once a day, when there are any."""
    officials = _officials(session)
    day = local_today(now).isoformat()
    raised = 0
    waiting = moderation.queue(session)
    if officials and waiting:
        lines = [f"· {i.kind.label}：{i.row.title}（{i.org.name}）" for i in waiting[:10]]
        more = _("\n…共 {len} 条").format(len=len(waiting)) if len(waiting) > 10 else ""
        raised += len(
            notify(
                session,
                kind="review_pending",
                user_ids=officials,
                subject=_("有 {len} 条发布等待审核").format(len=len(waiting)),
                body="\n".join(lines) + more,
                link="/moderation",
                dedupe_key=f"review_pending:{day}",
                now=now,
            )
        )
    declared = session.exec(
        select(func.count())
        .select_from(PrivateNetwork)
        .where(col(PrivateNetwork.confirmed).is_(False))
    ).one()
    if officials and declared:
        raised += len(
            notify(
                session,
                kind="declaration_pending",
                user_ids=officials,
                subject=_("有 {declared} 个企业申报的专网等待确认").format(declared=declared),
                body=_("确认后计入 5G 行业虚拟专网数。"),
                link="/networks?confirmed=no",
                dedupe_key=f"declaration_pending:{day}",
                now=now,
            )
        )
    return raised


def mail_digests(session: Session, *, now: datetime) -> int:
    """One mail per user with the notifications their preferences kept for the digest."""
    pending = session.exec(
        select(Notification, User)
        .join(User, col(User.id) == col(Notification.user_id))
        .where(col(Notification.digest_pending).is_(True))
        .order_by(col(Notification.user_id), col(Notification.created_at), col(Notification.id))
    ).all()
    by_user: dict[int, tuple[User, list[Notification]]] = {}
    for row, user in pending:
        by_user.setdefault(row.user_id, (user, []))[1].append(row)
    for user_id, (user, rows) in by_user.items():
        for row in rows:
            row.digest_pending, row.emailed_at = False, now
            session.add(row)
        if not user.is_active or not user.email_verified:
            continue
        token = unsubscribe_token(user_id, "*")
        queue_mail(
            session,
            to=user.email,
            template="digest",
            context={
                "items": [
                    {
                        "label": NOTIFICATION_KINDS[r.kind].label,
                        "title": r.title,
                        "link": absolute(r.url),
                    }
                    for r in rows
                ],
                "unsubscribe": absolute(f"/notifications/unsubscribe?token={token}"),
                "settings_link": absolute("/notifications/settings"),
            },
            headers=unsubscribe_headers(token),
        )
    session.flush()
    return len(by_user)


def webhook_digests(session: Session, *, now: datetime) -> int:
    """Each organisation whose robot takes a digest gets one message of what was held."""
    held = session.exec(
        select(WebhookDelivery)
        .where(col(WebhookDelivery.held).is_(True), col(WebhookDelivery.sent_at).is_(None))
        .order_by(col(WebhookDelivery.org_id), col(WebhookDelivery.id))
    ).all()
    by_org: dict[tuple[int, str], list[WebhookDelivery]] = defaultdict(list)
    for row in held:
        by_org[(row.org_id, row.url)].append(row)
    for (org_id, url), rows in by_org.items():
        text = _("每日摘要：{len} 条通知\n\n").format(len=len(rows)) + "\n\n".join(
            r.text for r in rows
        )
        if len(text.encode()) > 2048:
            text = text.encode()[:2040].decode(errors="ignore") + "…"
        for row in rows:
            row.sent_at, row.last_error = now, "merged into the daily digest"
            session.add(row)
        session.add(
            WebhookDelivery(org_id=org_id, url=url, text=text, created_at=now, next_attempt_at=now)
        )
    session.flush()
    return len(by_org)


def send_digests(session: Session, *, now: datetime, **_kwargs: Any) -> int:
    return (
        officials_digest(session, now=now)
        + mail_digests(session, now=now)
        + webhook_digests(session, now=now)
    )


def confirm_current(
    session: Session,
    *,
    principal: Principal | None,
    kind: ListingKind,
    row: Any,
    now: datetime,
    ip: str | None = None,
) -> Any:
    """The owner's one click: "still current". It clears a stale mark and counts as fresh
    for the ranking again; the next question comes 90 days later."""
    listings.owner_org(session, principal, kind, row)
    assert principal is not None and row.id is not None
    row.confirmed_at, row.stale_at = now, None
    bump_version(row)
    session.add(row)
    session.flush()
    enqueue(session, entity=kind.name, entity_id=row.id, version=row.version)  # type: ignore[arg-type]
    audit.record(
        session,
        action="listing.confirmed",
        now=now,
        actor=principal.user,
        entity=kind.name,
        entity_id=row.external_id,
        detail={},
        ip=ip,
    )
    return row
