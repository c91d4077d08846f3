"""The events the listing and introduction domains raise, worded once here.

Each function is called by the domain's service in its own transaction, right where the
change happens (moderation's decision, an introduction's answer …)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from portal.kit.i18n import N_, _
from portal.listings.registry import KINDS as LISTING_KINDS
from portal.models import Demand, Event, Introduction, PublishedListing, Solution
from portal.notifications.service import notify

_INTRO_STAGES = {
    "negotiating": N_("洽谈中"),
    "poc": N_("方案验证"),
    "contract": N_("已签约"),
    "network_live": N_("专网已开通"),
    "closed": N_("已终止"),
}


def listing_link(kind_name: str, listing_id: int) -> str:
    return f"/{LISTING_KINDS[kind_name].plural}/{listing_id}"


def listing_decided(
    session: Session,
    *,
    kind_name: str,
    kind_label: str,
    row: Any,
    approved: bool,
    reason: str,
    now: datetime,
) -> None:
    """Moderation approved or rejected a listing: its organisation hears of it, and an
    approved one is queued for the worker's new-match and saved-search scans."""
    assert row.id is not None
    link = listing_link(kind_name, row.id)
    if approved:
        notify(
            session,
            kind="listing_approved",
            org_id=row.org_id,
            subject=_("您的{kind_label}“{title}”已通过审核并发布").format(
                kind_label=kind_label, title=row.title
            ),
            body=_("它现在出现在搜索与匹配结果中。"),
            link=link,
            dedupe_key=f"listing_approved:{kind_name}:{row.id}:{row.version}",
            now=now,
        )
        listing_published(session, kind_name=kind_name, listing_id=row.id, now=now)
    else:
        notify(
            session,
            kind="listing_rejected",
            org_id=row.org_id,
            subject=_("您的{kind_label}“{title}”未通过审核").format(
                kind_label=kind_label, title=row.title
            ),
            body=_("驳回理由：{reason}\n修改后可再次提交审核。").format(reason=reason),
            link=link,
            dedupe_key=f"listing_rejected:{kind_name}:{row.id}:{row.version}",
            now=now,
        )


def listing_published(session: Session, *, kind_name: str, listing_id: int, now: datetime) -> None:
    session.add(PublishedListing(kind=kind_name, listing_id=listing_id, created_at=now))


def _pair_titles(session: Session, intro: Introduction) -> tuple[str, str]:
    demand = session.get(Demand, intro.demand_id)
    solution = session.get(Solution, intro.solution_id)
    return (demand.title if demand else _("需求"), solution.title if solution else _("解决方案"))


def introduction_event(
    session: Session,
    *,
    intro: Introduction,
    event: str,
    to_org_id: int,
    now: datetime,
    actor_user_id: int | None = None,
    note: str | None = None,
) -> None:
    """An introduction moved: tell the other organisation (``to_org_id``). ``event`` is
    requested, accepted, declined, expired, message or stage. An anonymous demand's
    enterprise is not named before acceptance: the wording names listings, not sides."""
    assert intro.id is not None
    demand_title, solution_title = _pair_titles(session, intro)
    pair = _("需求“{demand_title}”与方案“{solution_title}”").format(
        demand_title=demand_title, solution_title=solution_title
    )
    subjects = {
        "requested": _("收到对接请求：{pair}").format(pair=pair),
        "accepted": _("对接请求已被接受：{pair}，现在可以查看双方联系人").format(pair=pair),
        "declined": _("对接请求被婉拒：{pair}").format(pair=pair),
        "expired": _("对接请求无人回复，已过期：{pair}").format(pair=pair),
        "message": _("对接有新消息：{pair}").format(pair=pair),
        "stage": _("对接进展更新为“{value}”：{pair}").format(
            value=_INTRO_STAGES.get(intro.stage, intro.stage), pair=pair
        ),
    }
    meeting = session.get(Event, intro.event_id) if intro.event_id is not None else None
    if meeting is not None:  # asked at a matchmaking event: a meeting there, if accepted
        subjects["requested"] = _("收到活动“{event}”上的会面请求：{pair}").format(
            event=meeting.title, pair=pair
        )
    bodies = {
        "requested": _("请在 {expires_at:%Y-%m-%d} 前回复（接受或婉拒）。").format(
            expires_at=intro.expires_at
        )
        + (
            _("接受后，双方的会面会排入该活动（{starts_on:%Y-%m-%d}）的议程。").format(
                starts_on=meeting.starts_on
            )
            if meeting is not None
            else ""
        ),
        "declined": _("原因：{note}").format(note=note) if note else "",
        "stage": _("说明：{note}").format(note=note) if note else "",
    }
    # A message is its own event (raised once, by its request); the rest happen once per
    # introduction (and stage), however often a scan sees them.
    key = {
        "message": None,
        "stage": f"introduction_stage:{intro.id}:{intro.stage}",
    }.get(event, f"introduction_{event}:{intro.id}")
    notify(
        session,
        kind=f"introduction_{event}",
        org_id=to_org_id,
        subject=subjects[event],
        body=bodies.get(event, ""),
        link=f"/introductions/{intro.id}",
        dedupe_key=key,
        exclude_user_id=actor_user_id,
        now=now,
    )


def agenda_changed(
    session: Session, *, event: Event, org_ids: set[int], first: bool, now: datetime
) -> None:
    """An event's agenda was generated (``first``) or regenerated: each organisation whose
    meetings were placed, moved or dropped hears of it once per generation."""
    assert event.id is not None and event.agenda_at is not None
    subject = (
        _("“{title}”的洽谈日程已生成").format(title=event.title)
        if first
        else _("“{title}”的洽谈日程有变动，请查看最新安排").format(title=event.title)
    )
    for org_id in sorted(org_ids):
        notify(
            session,
            kind="agenda_changed",
            org_id=org_id,
            subject=subject,
            body=_("日程页可下载 .ics 日历文件。"),
            link=f"/events/{event.id}/agenda",
            dedupe_key=f"agenda_changed:{event.id}:{event.agenda_at.isoformat()}",
            now=now,
        )
