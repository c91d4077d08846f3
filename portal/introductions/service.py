"""Introductions (对接): from a ranked match to a signed contract and a counted network.

A member of one side of a demand–solution pair asks to be introduced to the other; the
receiving side accepts or declines; a request left unanswered expires. Only on acceptance
do the two sides see each other's contact person (and, for an anonymous demand, the
enterprise's name); every disclosure is audited. The two organisations then talk in a
thread of messages and move the pipeline: negotiating → poc → contract → network_live (a
network of the registry, linked to the demand and counted like any other), or closed.
Officials see the stages and dates, never the messages or the contacts.

Every request, answer, shortlist and dismissal is also kept as feedback for the ranking
(:class:`portal.models.MatchFeedback`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal.audit import service as audit
from portal.auth.permissions import Action, Principal, authorize, can
from portal.clock import aware, local_today
from portal.inputs import text_error
from portal.kit.errors import Conflict, FieldErrors, Forbidden, NotFound, TooManyRequests
from portal.kit.i18n import N_, _
from portal.listings import service as listings
from portal.listings.registry import DEMAND, SOLUTION
from portal.models import (
    Demand,
    Introduction,
    IntroductionMessage,
    IntroductionStep,
    MatchFeedback,
    Membership,
    Organization,
    PrivateNetwork,
    Solution,
)
from portal.notifications import events as notifications

Side = Literal["demand", "solution"]
NEXT_STEPS = {
    "call": N_("电话沟通"),
    "visit": N_("上门拜访"),
    "demo": N_("方案演示"),
    "quote": N_("报价"),
}
DECLINE_REASONS = {
    "not_fit": N_("方案不合适"),
    "budget": N_("预算不符"),
    "timing": N_("时间不合适"),
    "region": N_("地域不符"),
    "other": N_("其他原因"),
}
# The pipeline after acceptance, in order; ``closed`` ends it from any open stage.
PIPELINE = ("accepted", "negotiating", "poc", "contract", "network_live")
STAGE_LABELS = {
    "requested": N_("待回复"),
    "accepted": N_("已接受"),
    "declined": N_("已婉拒"),
    "expired": N_("已过期"),
    "negotiating": N_("洽谈中"),
    "poc": N_("方案验证"),
    "contract": N_("已签约"),
    "network_live": N_("专网已开通"),
    "closed": N_("已终止"),
}
MESSAGE_MIN, MESSAGE_MAX = 10, 1000
THREAD_MAX = 2000
# Contact details typed into a message before acceptance are flagged to the sender.
_PHONE = re.compile(
    r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)"  # a mobile number
    r"|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"  # a fixed line with its area code
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@dataclass(frozen=True)
class Limits:
    daily: int = 20  # new requests per organisation per day
    expire_days: int = 14  # an unanswered request expires after this many days

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        return cls(settings.portal_intro_daily_limit, settings.portal_intro_expire_days)


# --- reading -----------------------------------------------------------------------------


def stage_of(intro: Introduction, now: datetime) -> str:
    """The stage a person sees: a request past its answer date is expired (the worker
    records it later; nothing waits for it)."""
    if intro.stage == "requested" and aware(intro.expires_at) <= now:
        return "expired"
    return intro.stage


def status_of(stage: str) -> str:
    """The request's answer: requested, accepted (whatever came after), declined or expired."""
    return stage if stage in ("requested", "declined", "expired") else "accepted"


def is_accepted(intro: Introduction) -> bool:
    return intro.stage not in ("requested", "declined", "expired") and intro.answered_at is not None


def get(session: Session, intro_id: int) -> Introduction:
    intro = session.get(Introduction, intro_id)
    if intro is None:
        raise NotFound(_("找不到该对接"))
    return intro


def _member_orgs(session: Session, principal: Principal) -> set[int]:
    rows = session.exec(select(Membership.org_id).where(Membership.user_id == principal.user_id))
    return set(rows)


def side_of(session: Session, principal: Principal | None, intro: Introduction) -> Side | None:
    """Which party ``principal`` speaks for: the demand's or the solution's organisation."""
    if principal is None:
        return None
    orgs = _member_orgs(session, principal)
    demand_org = intro.requester_org_id if intro.initiator == "demand" else intro.receiver_org_id
    solution_org = intro.receiver_org_id if intro.initiator == "demand" else intro.requester_org_id
    if demand_org in orgs:
        return "demand"
    if solution_org in orgs:
        return "solution"
    return None


def is_official(session: Session, principal: Principal | None) -> bool:
    return can(session, principal, Action.LISTING_APPROVE)


def readable(
    session: Session, principal: Principal | None, intro_id: int
) -> tuple[Introduction, Side | None]:
    """The introduction and the reader's side; its two organisations and officials read it,
    anybody else gets a 404 (it does not say whether it exists)."""
    if principal is None:
        authorize(session, principal, Action.LISTING_VIEW_PRIVATE)
    intro = get(session, intro_id)
    side = side_of(session, principal, intro)
    if side is None and not is_official(session, principal):
        raise NotFound(_("找不到该对接"))
    return intro, side


def _act_for(
    session: Session, principal: Principal | None, intro: Introduction, side: Side
) -> None:
    """``principal`` may act for ``side`` of the introduction (a member with write access)."""
    kind = DEMAND if side == "demand" else SOLUTION
    row = session.get(kind.model, intro.demand_id if side == "demand" else intro.solution_id)
    assert row is not None
    listings.owner_org(session, principal, kind, row)


def receiving_side(intro: Introduction) -> Side:
    return "solution" if intro.initiator == "demand" else "demand"


# --- requesting ------------------------------------------------------------------------


def _text(errors: dict[str, str], name: str, value: str, low: int, high: int) -> str:
    value = (value or "").strip()
    if len(value) < low:
        errors[name] = _("请至少写 {low} 个字，说明您的情况和希望的下一步").format(low=low)
    elif len(value) > high:
        errors[name] = _("不能超过 {high} 个字").format(high=high)
    elif reason := text_error(value, multiline=True, required=True):
        errors[name] = reason
    return value


def _expire_stale(
    session: Session, *, now: datetime, demand_id: int | None = None, solution_id: int | None = None
) -> int:
    """Record as expired the unanswered requests past their date (of one pair, or all)."""
    statement = (
        update(Introduction)
        .where(col(Introduction.stage) == "requested", col(Introduction.expires_at) <= now)
        .values(stage="expired", is_open=False, updated_at=now)
    )
    if demand_id is not None:
        statement = statement.where(
            col(Introduction.demand_id) == demand_id, col(Introduction.solution_id) == solution_id
        )
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)


def expire_due(session: Session, *, now: datetime) -> list[Introduction]:
    """The worker's scan: every request past its date becomes expired (with its step)."""
    due = list(
        session.exec(
            select(Introduction).where(
                Introduction.stage == "requested", col(Introduction.expires_at) <= now
            )
        )
    )
    for intro in due:
        intro.stage, intro.is_open, intro.updated_at = "expired", False, now
        session.add(intro)
        assert intro.id is not None
        session.add(IntroductionStep(introduction_id=intro.id, stage="expired", at=now))
        notifications.introduction_event(
            session, intro=intro, event="expired", to_org_id=intro.requester_org_id, now=now
        )
    session.flush()
    return due


def request(
    session: Session,
    *,
    principal: Principal | None,
    demand_id: int,
    solution_id: int,
    message: str,
    next_step: str,
    now: datetime,
    limits: Limits = Limits(),
    event_id: int | None = None,
    score: float | None = None,
) -> Introduction:
    """Ask to be introduced to the other side of a published demand–solution pair."""
    demand, solution = session.get(Demand, demand_id), session.get(Solution, solution_id)
    if demand is None or not listings.is_public(DEMAND, demand, local_today(now)):
        raise FieldErrors({"demand_id": _("找不到该需求，或它已不再公开")})
    if solution is None or not listings.is_public(SOLUTION, solution, local_today(now)):
        raise FieldErrors({"solution_id": _("找不到该解决方案，或它已不再公开")})
    if listings.status_of(DEMAND, demand, local_today(now)) != "published":
        raise FieldErrors({"demand_id": _("该需求已过截止日期，不能再请求对接")})
    if principal is None:
        authorize(session, principal, Action.LISTING_EDIT)
    assert principal is not None
    orgs = _member_orgs(session, principal)
    initiator: Side = "demand" if demand.org_id in orgs else "solution"
    if initiator == "demand":
        listings.owner_org(session, principal, DEMAND, demand)
    else:
        listings.owner_org(session, principal, SOLUTION, solution)
    requester, receiver = (
        (demand.org_id, solution.org_id)
        if initiator == "demand"
        else (solution.org_id, demand.org_id)
    )
    errors: dict[str, str] = {}
    message = _text(errors, "message", message, MESSAGE_MIN, MESSAGE_MAX)
    if next_step not in NEXT_STEPS:
        errors["next_step"] = _("请选择希望的下一步：") + "、".join(NEXT_STEPS.values())
    if errors:
        raise FieldErrors(errors)
    _expire_stale(session, now=now, demand_id=demand_id, solution_id=solution_id)
    if _open_for_pair(session, demand_id, solution_id) is not None:
        raise Conflict(_("该需求与该方案之间已有进行中的对接，请在“我的对接”中继续。"))
    sent_today = session.exec(
        select(func.count())
        .select_from(Introduction)
        .where(
            Introduction.requester_org_id == requester,
            col(Introduction.created_at) > now - timedelta(days=1),
        )
    ).one()
    if sent_today >= limits.daily:
        raise TooManyRequests(
            _("贵机构在 24 小时内已发出 {daily} 条对接请求，已达上限，请稍后再试。").format(
                daily=limits.daily
            )
        )
    intro = Introduction(
        demand_id=demand_id,
        solution_id=solution_id,
        initiator=initiator,
        requester_org_id=requester,
        receiver_org_id=receiver,
        requested_by=principal.user_id,
        message=message,
        next_step=next_step,
        event_id=event_id,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(days=limits.expire_days),
    )
    try:
        with session.begin_nested():  # another request for the pair may have just won
            session.add(intro)
            session.flush()
    except IntegrityError:
        raise Conflict(_("该需求与该方案之间已有进行中的对接，请在“我的对接”中继续。")) from None
    _step(session, intro, "requested", principal, requester, now)
    _feedback(session, intro, initiator, requester, "request", now, score=score)
    _audit(session, principal, "introduction.requested", intro, now)
    notifications.introduction_event(
        session, intro=intro, event="requested", to_org_id=receiver, now=now
    )
    return intro


def _open_for_pair(session: Session, demand_id: int, solution_id: int) -> Introduction | None:
    return session.exec(
        select(Introduction).where(
            Introduction.demand_id == demand_id,
            Introduction.solution_id == solution_id,
            col(Introduction.is_open).is_(True),
        )
    ).first()


def open_pairs(session: Session, org_ids: Iterable[int]) -> dict[tuple[int, int], Introduction]:
    """The open introductions of these organisations by (demand id, solution id)."""
    ids = list(org_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(Introduction).where(
            col(Introduction.is_open).is_(True),
            or_(
                col(Introduction.requester_org_id).in_(ids),
                col(Introduction.receiver_org_id).in_(ids),
            ),
        )
    )
    return {(r.demand_id, r.solution_id): r for r in rows}


def _step(
    session: Session,
    intro: Introduction,
    stage: str,
    principal: Principal | None,
    org_id: int | None,
    now: datetime,
    note: str | None = None,
) -> None:
    assert intro.id is not None
    session.add(
        IntroductionStep(
            introduction_id=intro.id,
            stage=stage,
            at=now,
            actor_user_id=principal.user_id if principal else None,
            actor_org_id=org_id,
            note=note,
        )
    )


def _feedback(
    session: Session,
    intro: Introduction,
    side: Side,
    org_id: int,
    action: str,
    now: datetime,
    *,
    reason: str | None = None,
    score: float | None = None,
) -> None:
    session.add(
        MatchFeedback(
            demand_id=intro.demand_id,
            solution_id=intro.solution_id,
            org_id=org_id,
            side=side,
            action=action,
            reason=reason,
            score=score,
            at=now,
        )
    )


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    intro: Introduction,
    now: datetime,
    **detail: Any,
) -> None:
    audit.record(
        session,
        action=action,
        now=now,
        actor=principal.user,
        entity="introduction",
        entity_id=str(intro.id),
        detail={"stage": intro.stage, **detail},
    )


# --- answering ---------------------------------------------------------------------------


def _answerable(
    session: Session, principal: Principal | None, intro: Introduction, now: datetime
) -> Side:
    side = receiving_side(intro)
    if side_of(session, principal, intro) != side:
        raise Forbidden(_("只有收到请求的一方可以回复"))
    _act_for(session, principal, intro, side)
    stage = stage_of(intro, now)
    if stage != "requested":
        raise Conflict(_("该请求已{value}，不能再回复").format(value=STAGE_LABELS[stage]))
    return side


def accept(
    session: Session, *, principal: Principal | None, intro: Introduction, now: datetime
) -> Introduction:
    """The receiving side accepts: both sides now see each other's contact person."""
    side = _answerable(session, principal, intro, now)
    assert principal is not None
    intro.stage, intro.answered_at, intro.updated_at = "accepted", now, now
    session.add(intro)
    _step(session, intro, "accepted", principal, intro.receiver_org_id, now)
    _feedback(session, intro, side, intro.receiver_org_id, "accept", now)
    _audit(session, principal, "introduction.accepted", intro, now)
    audit.record(
        session,
        action="contact.disclosed",
        now=now,
        actor=principal.user,
        entity="introduction",
        entity_id=str(intro.id),
        detail={"orgs": [intro.requester_org_id, intro.receiver_org_id]},
    )
    notifications.introduction_event(
        session, intro=intro, event="accepted", to_org_id=intro.requester_org_id, now=now
    )
    session.flush()
    return intro


def decline(
    session: Session,
    *,
    principal: Principal | None,
    intro: Introduction,
    reason: str,
    note: str | None,
    now: datetime,
) -> Introduction:
    side = _answerable(session, principal, intro, now)
    assert principal is not None
    errors: dict[str, str] = {}
    if reason not in DECLINE_REASONS:
        errors["reason"] = _("请选择婉拒的原因")
    note = (note or "").strip() or None
    if note is not None:
        _text(errors, "note", note, 0, 500)
    if errors:
        raise FieldErrors(errors)
    intro.stage, intro.is_open, intro.answered_at, intro.updated_at = "declined", False, now, now
    intro.decline_reason, intro.decline_note = reason, note
    session.add(intro)
    _step(
        session,
        intro,
        "declined",
        principal,
        intro.receiver_org_id,
        now,
        note=DECLINE_REASONS[reason],
    )
    _feedback(session, intro, side, intro.receiver_org_id, "decline", now, reason=reason)
    _audit(session, principal, "introduction.declined", intro, now, reason=reason)
    notifications.introduction_event(
        session,
        intro=intro,
        event="declined",
        to_org_id=intro.requester_org_id,
        now=now,
        note=DECLINE_REASONS[reason],
    )
    session.flush()
    return intro


# --- the thread and the pipeline --------------------------------------------------------


def post_message(
    session: Session, *, principal: Principal | None, intro: Introduction, body: str, now: datetime
) -> IntroductionMessage:
    side = side_of(session, principal, intro)
    if side is None:
        raise Forbidden(_("只有对接双方可以发送消息"))
    _act_for(session, principal, intro, side)
    assert principal is not None
    stage = stage_of(intro, now)
    if stage in ("declined", "expired", "closed"):
        raise Conflict(_("该对接已{value}，不能再发送消息").format(value=STAGE_LABELS[stage]))
    errors: dict[str, str] = {}
    body = _text(errors, "body", body, 1, THREAD_MAX)
    if errors:
        raise FieldErrors(errors)
    org_id = intro.requester_org_id if side == intro.initiator else intro.receiver_org_id
    flagged = not is_accepted(intro) and bool(_PHONE.search(body) or _EMAIL.search(body))
    assert intro.id is not None
    message = IntroductionMessage(
        introduction_id=intro.id,
        author_user_id=principal.user_id,
        author_org_id=org_id,
        body=body,
        flagged_contact=flagged,
        created_at=now,
    )
    session.add(message)
    intro.updated_at = now
    session.add(intro)
    other = intro.receiver_org_id if org_id == intro.requester_org_id else intro.requester_org_id
    notifications.introduction_event(
        session, intro=intro, event="message", to_org_id=other, now=now
    )
    session.flush()
    return message


def thread(
    session: Session, principal: Principal | None, intro: Introduction
) -> list[IntroductionMessage]:
    """The messages, for the two organisations only (officials never read them)."""
    if side_of(session, principal, intro) is None:
        raise Forbidden(_("对接消息仅对接双方可见"))
    return list(
        session.exec(
            select(IntroductionMessage)
            .where(IntroductionMessage.introduction_id == intro.id)
            .order_by(col(IntroductionMessage.created_at), col(IntroductionMessage.id))
        )
    )


def move_stage(
    session: Session,
    *,
    principal: Principal | None,
    intro: Introduction,
    stage: str,
    now: datetime,
    note: str | None = None,
    amount: float | None = None,
    network_id: int | None = None,
) -> Introduction:
    """Either side moves an accepted introduction forward (negotiating → poc → contract →
    network_live, a step may be skipped) or closes it with a reason. ``network_live`` links
    a registry network of this demand (``network_id``), marked as born from the portal."""
    side = side_of(session, principal, intro)
    if side is None:
        raise Forbidden(_("只有对接双方可以更新进展"))
    _act_for(session, principal, intro, side)
    assert principal is not None
    current = stage_of(intro, now)
    if current not in PIPELINE or current == "network_live":
        raise Conflict(_("该对接{value}，不能再更新进展").format(value=STAGE_LABELS[current]))
    errors: dict[str, str] = {}
    note = (note or "").strip() or None
    if note is not None:
        _text(errors, "note", note, 0, 500)
    if stage == "closed":
        if note is None:
            errors["note"] = _("终止对接时请说明原因")
    elif stage not in PIPELINE[1:]:
        errors["stage"] = _("请选择下一阶段：洽谈中、方案验证、已签约、专网已开通或终止")
    elif PIPELINE.index(stage) <= PIPELINE.index(current):
        errors["stage"] = _("只能向后推进（当前：{value}）").format(value=STAGE_LABELS[current])
    if amount is not None and (stage != "contract" or not 0 <= amount <= 10_000_000):
        errors["amount"] = _("合同金额（万元）只在“已签约”时填写，且应在 0 到 10,000,000 之间")
    network: PrivateNetwork | None = None
    if stage == "network_live":
        network = session.get(PrivateNetwork, network_id) if network_id is not None else None
        if network is None or network.demand_id not in (None, intro.demand_id):
            errors["network_id"] = _("请选择属于该需求的专网（可先在专网登记中申报）")
        elif network.org_id is not None and network.org_id != demand_org(intro):
            errors["network_id"] = _("请选择属于该需求企业的专网")
    if errors:
        raise FieldErrors(errors)
    org_id = intro.requester_org_id if side == intro.initiator else intro.receiver_org_id
    intro.stage, intro.updated_at = stage, now
    if stage == "closed":
        intro.is_open, intro.close_reason = False, note
    if stage == "contract":
        intro.amount = amount
    if network is not None:
        intro.network_id = network.id
        network.demand_id, network.introduction_id, network.updated_at = (
            intro.demand_id,
            intro.id,
            now,
        )
        session.add(network)
    session.add(intro)
    _step(session, intro, stage, principal, org_id, now, note=note)
    _audit(session, principal, "introduction.stage", intro, now)
    other = intro.receiver_org_id if org_id == intro.requester_org_id else intro.requester_org_id
    notifications.introduction_event(
        session, intro=intro, event="stage", to_org_id=other, now=now, note=note
    )
    session.flush()
    return intro


def demand_org(intro: Introduction) -> int:
    return intro.requester_org_id if intro.initiator == "demand" else intro.receiver_org_id


def steps(session: Session, intro: Introduction) -> list[IntroductionStep]:
    return list(
        session.exec(
            select(IntroductionStep)
            .where(IntroductionStep.introduction_id == intro.id)
            .order_by(col(IntroductionStep.at), col(IntroductionStep.id))
        )
    )


# --- contacts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    name: str | None
    phone: str | None
    email: str | None
    org_name: str


def contacts(
    session: Session, principal: Principal | None, intro: Introduction
) -> dict[str, Contact] | None:
    """Both sides' contact persons, for the two organisations once accepted; None before,
    and always None for officials and anyone else."""
    if not is_accepted(intro) or side_of(session, principal, intro) is None:
        return None
    out: dict[str, Contact] = {}
    for side, org_id in (("demand", demand_org(intro)), ("solution", solution_org(intro))):
        org = session.get(Organization, org_id)
        assert org is not None
        out[f"{side}_side"] = Contact(
            org.contact_name, org.contact_phone, org.contact_email, org.name
        )
    return out


def solution_org(intro: Introduction) -> int:
    return intro.receiver_org_id if intro.initiator == "demand" else intro.requester_org_id


def org_name_for(
    session: Session, principal: Principal | None, intro: Introduction, org_id: int
) -> str:
    """An organisation's name as the reader may see it: an anonymous demand's enterprise is
    匿名企业 to the solution side until the introduction is accepted."""
    org = session.get(Organization, org_id)
    assert org is not None
    if org_id == demand_org(intro) and not is_accepted(intro):
        demand = session.get(Demand, intro.demand_id)
        if (
            demand is not None
            and demand.anonymous
            and side_of(session, principal, intro) != "demand"
        ):
            return _("匿名企业")
    return org.name


# --- lists -------------------------------------------------------------------------------


def list_for(
    session: Session,
    principal: Principal | None,
    *,
    box: Literal["sent", "received"] | None = None,
    stage: str | None = None,
    now: datetime,
) -> list[Introduction]:
    """The introductions of the principal's organisations, those waiting for them first."""
    if principal is None:
        authorize(session, principal, Action.LISTING_VIEW_PRIVATE)
    assert principal is not None
    orgs = list(_member_orgs(session, principal))
    if not orgs:
        return []
    sent = col(Introduction.requester_org_id).in_(orgs)
    received = col(Introduction.receiver_org_id).in_(orgs)
    where = sent if box == "sent" else received if box == "received" else or_(sent, received)
    rows = list(
        session.exec(
            select(Introduction).where(where).order_by(col(Introduction.updated_at).desc())
        )
    )
    if stage:
        rows = [r for r in rows if stage_of(r, now) == stage]
    waiting = {r.id for r in rows if stage_of(r, now) == "requested" and r.receiver_org_id in orgs}
    return sorted(rows, key=lambda r: r.id not in waiting)
