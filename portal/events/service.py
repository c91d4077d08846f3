"""Matchmaking events (对接会): officials set an event up, organisations register with the
listings they bring, each participant is shown the other participants' listings ranked by
the matching engine and requests one-to-one meetings (introductions carried by the event,
so the introductions' limits, audit and contact rules hold), officials generate the agenda
with the scheduler (``scheduling``), and on the day and after it the meetings are checked
in, marked held or not, and followed up.

Times of an event are the venue's local time (China Standard Time, UTC+8 all year).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import scheduling
from portal.audit import service as audit
from portal.auth.permissions import Action, Principal, authorize, can
from portal.clock import HUNAN, local_today
from portal.inputs import text_error
from portal.introductions import service as introductions
from portal.kit.errors import Conflict, FieldErrors, Forbidden, NotFound
from portal.kit.i18n import N_, _
from portal.listings import service as listings
from portal.listings.registry import DEMAND, SOLUTION
from portal.matching import service as matching
from portal.models import (
    Demand,
    Event,
    EventMeeting,
    EventRegistration,
    Introduction,
    Membership,
    Organization,
    PilotZone,
    Solution,
)
from portal.notifications import events as notifications
from portal.reference.vocab import get_vocabularies
from portal.search.gateway import SearchGateway

_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
MAX_DAYS = 5
SLOT_MINUTES = (10, 15, 20, 25, 30, 40, 45, 60)
MAX_TABLES = 500
MAX_CAPACITY = 2000
# The agenda is generated while an official waits for the page.
AGENDA_TIME_LIMIT_S = 10.0
AGENDA_INPUTS_MOVED = N_("生成日程期间报名或洽谈一再变化，请稍后重新生成")
ATTENDANCE = {"held": N_("已举行"), "no_show": N_("未到场")}
MEETING_NEXT_STEP = "demo"  # 方案演示: what a table at a matchmaking event is for


# --- slots -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One meeting slot; ``id`` (``2026-12-10T09:00``) is what registrations and the
    scheduler refer to."""

    id: str
    starts: datetime  # aware, local time
    ends: datetime

    @property
    def label(self) -> str:
        return _("{month}月{day}日 {start}–{end}").format(
            month=f"{self.starts:%m}",
            day=f"{self.starts:%d}",
            start=f"{self.starts:%H:%M}",
            end=f"{self.ends:%H:%M}",
        )


def _minutes(value: str) -> int:
    match = _TIME.fullmatch(value)
    assert match is not None
    return int(match[1]) * 60 + int(match[2])


def _breaks(values: list[str]) -> list[tuple[int, int]]:
    out = []
    for value in values:
        start, _sep, end = value.partition("-")
        out.append((_minutes(start), _minutes(end)))
    return out


def slots_of(event: Event) -> list[Slot]:
    """The event's slots, day by day: ``slot_minutes`` each from ``day_start`` while one
    fits before ``day_end``; a slot that would overlap a break starts after it."""
    first, last = _minutes(event.day_start), _minutes(event.day_end)
    pauses = sorted(_breaks(event.breaks))
    out: list[Slot] = []
    day = event.starts_on
    while day <= event.ends_on:
        midnight = datetime(day.year, day.month, day.day, tzinfo=HUNAN)
        t = first
        while t + event.slot_minutes <= last:
            pause = next((p for p in pauses if t < p[1] and p[0] < t + event.slot_minutes), None)
            if pause is not None:
                t = pause[1]
                continue
            starts = midnight + timedelta(minutes=t)
            out.append(
                Slot(
                    f"{day.isoformat()}T{starts:%H:%M}",
                    starts,
                    starts + timedelta(minutes=event.slot_minutes),
                )
            )
            t += event.slot_minutes
        day += timedelta(days=1)
    return out


# --- events ------------------------------------------------------------------------------


@dataclass
class EventData:
    """What an official writes: strings and lists as a form posts them, checked by
    :func:`check_event`, the one place for the event's rules."""

    title: str = ""
    description: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    day_start: str = "09:00"
    day_end: str = "12:00"
    slot_minutes: int | None = 20
    breaks: list[str] = field(default_factory=list)
    venue: str = ""
    online_url: str = ""
    tables: int | None = 10
    industries: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    registration_deadline: date | None = None
    capacity: int | None = 50


def _line(errors: dict[str, str], name: str, value: str, *, low: int, high: int) -> str:
    value = (value or "").strip()
    if len(value) < low:
        errors[name] = _("必填") if low <= 1 else _("请至少写 {low} 个字").format(low=low)
    elif len(value) > high:
        errors[name] = _("不能超过 {high} 个字").format(high=high)
    elif reason := text_error(value, required=low > 0):
        errors[name] = reason
    return value


def check_event(data: EventData, *, today: date, zone_codes: set[str]) -> dict[str, Any]:
    """The event's fields, or ``FieldErrors`` naming each field that is wrong."""
    errors: dict[str, str] = {}
    title = _line(errors, "title", data.title, low=4, high=120)
    description = (data.description or "").strip()
    if len(description) > 4000:
        errors["description"] = _("不能超过 4000 个字")
    elif reason := text_error(description, multiline=True):
        errors["description"] = reason
    venue = _line(errors, "venue", data.venue, low=0, high=200)
    online = (data.online_url or "").strip()
    if online and (not online.startswith(("https://", "http://")) or len(online) > 300):
        errors["online_url"] = _("线上链接应以 https:// 或 http:// 开头，不超过 300 个字符")
    if not venue and not online and "venue" not in errors:
        errors["venue"] = _("请填写会场地址或线上链接")
    if data.starts_on is None:
        errors["starts_on"] = _("请填写开始日期（YYYY-MM-DD）")
    elif data.starts_on < today:
        errors["starts_on"] = _("开始日期不能早于今天")
    ends_on = data.ends_on or data.starts_on
    if data.starts_on and ends_on:
        if ends_on < data.starts_on:
            errors["ends_on"] = _("结束日期不能早于开始日期")
        elif (ends_on - data.starts_on).days >= MAX_DAYS:
            errors["ends_on"] = _("对接会最多持续 {MAX_DAYS} 天").format(MAX_DAYS=MAX_DAYS)
    for name in ("day_start", "day_end"):
        if not _TIME.fullmatch(getattr(data, name) or ""):
            errors[name] = _("时间格式应为 HH:MM（24 小时制），如 09:00")
    times_ok = "day_start" not in errors and "day_end" not in errors
    if times_ok and _minutes(data.day_end) <= _minutes(data.day_start):
        errors["day_end"] = _("每日结束时间应晚于开始时间")
    if data.slot_minutes not in SLOT_MINUTES:
        choices = "、".join(map(str, SLOT_MINUTES))
        errors["slot_minutes"] = _("每场洽谈时长应为 {choices} 分钟之一").format(choices=choices)
    breaks = [b.strip().replace("–", "-").replace(" ", "") for b in data.breaks if b.strip()]
    for value in breaks:
        start, _sep, end = value.partition("-")
        if not (_TIME.fullmatch(start) and _TIME.fullmatch(end)) or _minutes(end) <= _minutes(
            start
        ):
            errors["breaks"] = _(
                "休息时段 “{value}” 的格式应为 HH:MM-HH:MM，如 10:20-10:40"
            ).format(value=value)
            break
    if data.tables is None or not 1 <= data.tables <= MAX_TABLES:
        errors["tables"] = _("桌数应在 1 到 {MAX_TABLES} 之间").format(MAX_TABLES=MAX_TABLES)
    if data.capacity is None or not 2 <= data.capacity <= MAX_CAPACITY:
        errors["capacity"] = _("报名机构上限应在 2 到 {MAX_CAPACITY:,} 之间").format(
            MAX_CAPACITY=MAX_CAPACITY
        )
    industries = get_vocabularies().codes("industry")
    if unknown := [c for c in data.industries if c not in industries]:
        errors["industries"] = _("未知行业代码：{value}").format(value="、".join(unknown[:5]))
    if unknown := [c for c in data.zones if c not in zone_codes]:
        errors["zones"] = _("未知试点区域代码：{value}").format(value="、".join(unknown[:5]))
    if data.registration_deadline is None:
        errors["registration_deadline"] = _("请填写报名截止日期（YYYY-MM-DD）")
    elif data.starts_on and data.registration_deadline > data.starts_on:
        errors["registration_deadline"] = _("报名截止日期不能晚于开始日期")
    elif data.registration_deadline < today:
        errors["registration_deadline"] = _("报名截止日期不能早于今天")
    values: dict[str, Any] = {
        "title": title,
        "description": description,
        "starts_on": data.starts_on,
        "ends_on": ends_on,
        "day_start": data.day_start,
        "day_end": data.day_end,
        "slot_minutes": data.slot_minutes,
        "breaks": breaks,
        "venue": venue or None,
        "online_url": online or None,
        "tables": data.tables,
        "industries": list(dict.fromkeys(data.industries)),
        "zones": list(dict.fromkeys(data.zones)),
        "registration_deadline": data.registration_deadline,
        "capacity": data.capacity,
    }
    if not errors:
        count = len(slots_of(Event(**values)))
        if count == 0:
            errors["day_end"] = _("按所填时间与休息时段排不出任何一个洽谈时段")
        elif count > scheduling.agenda.MAX_SLOTS:
            errors["slot_minutes"] = _(
                "共 {count} 个洽谈时段，超过上限 {MAX_SLOTS}，请加长每场时长"
            ).format(count=count, MAX_SLOTS=scheduling.agenda.MAX_SLOTS)
    if errors:
        raise FieldErrors(errors)
    return values


def create(
    session: Session, *, principal: Principal | None, data: EventData, now: datetime
) -> Event:
    authorize(session, principal, Action.EVENT_MANAGE)
    assert principal is not None
    zones = set(session.exec(select(PilotZone.code)))
    values = check_event(data, today=local_today(now), zone_codes=zones)
    event = Event(**values, created_by=principal.user_id, created_at=now, updated_at=now)
    session.add(event)
    session.flush()
    _audit(session, principal, "event.created", event, now)
    return event


def update(
    session: Session, *, principal: Principal | None, event: Event, data: EventData, now: datetime
) -> Event:
    """Officials correct an event. Dates already passed may stay as they were; slots that
    disappear drop out of registrations' unavailable lists at the next agenda generation."""
    authorize(session, principal, Action.EVENT_MANAGE)
    assert principal is not None
    zones = set(session.exec(select(PilotZone.code)))
    earliest = min(local_today(now), event.starts_on, event.registration_deadline)
    values = check_event(data, today=earliest, zone_codes=zones)
    for name, value in values.items():
        setattr(event, name, value)
    event.updated_at = now
    session.add(event)
    session.flush()
    _audit(session, principal, "event.updated", event, now)
    return event


def data_of(event: Event) -> EventData:
    """The event as its form shows it."""
    return EventData(
        title=event.title,
        description=event.description,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        day_start=event.day_start,
        day_end=event.day_end,
        slot_minutes=event.slot_minutes,
        breaks=list(event.breaks),
        venue=event.venue or "",
        online_url=event.online_url or "",
        tables=event.tables,
        industries=list(event.industries),
        zones=list(event.zones),
        registration_deadline=event.registration_deadline,
        capacity=event.capacity,
    )


def get(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(_("找不到该对接会"))
    return event


def listed(session: Session) -> list[Event]:
    """Every event, the next ones first, then the past ones latest first."""
    return list(session.exec(select(Event).order_by(col(Event.starts_on).desc(), col(Event.id))))


def is_official(session: Session, principal: Principal | None) -> bool:
    return can(session, principal, Action.EVENT_MANAGE)


def _audit(
    session: Session, principal: Principal, action: str, event: Event, now: datetime, **detail: Any
) -> None:
    audit.record(
        session,
        action=action,
        now=now,
        actor=principal.user,
        entity="event",
        entity_id=str(event.id),
        detail=detail or None,
    )


def registration_closed_reason(event: Event, now: datetime) -> str | None:
    """Why registration is closed, or None while it is open."""
    if event.registration_closed:
        return _("主办方已截止报名")
    if local_today(now) > event.registration_deadline:
        return _("报名已于 {value} 截止").format(value=event.registration_deadline.isoformat())
    return None


def registration_count(session: Session, event: Event) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(EventRegistration)
            .where(EventRegistration.event_id == event.id)
        ).one()
    )


def close_registration(
    session: Session, *, principal: Principal | None, event: Event, now: datetime
) -> Event:
    authorize(session, principal, Action.EVENT_MANAGE)
    assert principal is not None
    event.registration_closed, event.updated_at = True, now
    session.add(event)
    _audit(session, principal, "event.registration_closed", event, now)
    session.flush()
    return event


# --- registration --------------------------------------------------------------------------


def _member_orgs(session: Session, principal: Principal) -> list[Organization]:
    return list(
        session.exec(
            select(Organization)
            .join(Membership, col(Membership.org_id) == col(Organization.id))
            .where(Membership.user_id == principal.user_id)
            .order_by(col(Organization.id))
        )
    )


def registrations(session: Session, event: Event) -> list[EventRegistration]:
    return list(
        session.exec(
            select(EventRegistration)
            .where(EventRegistration.event_id == event.id)
            .order_by(col(EventRegistration.id))
        )
    )


def my_registration(
    session: Session, principal: Principal | None, event: Event
) -> EventRegistration | None:
    """The registration of one of the principal's organisations, if any."""
    if principal is None:
        return None
    orgs = [o.id for o in _member_orgs(session, principal)]
    if not orgs:
        return None
    return session.exec(
        select(EventRegistration).where(
            EventRegistration.event_id == event.id, col(EventRegistration.org_id).in_(orgs)
        )
    ).first()


def registering_org(session: Session, principal: Principal | None) -> Organization:
    """The organisation the principal registers: its first that posts listings."""
    if principal is None:
        authorize(session, principal, Action.LISTING_EDIT)
    assert principal is not None
    for org in _member_orgs(session, principal):
        for kind in (DEMAND, SOLUTION):
            if can(session, principal, Action.LISTING_EDIT, org=org, listing_kind=kind.name):
                return org
    raise Forbidden(_("只有发布需求的企业和发布方案的供给方可以报名对接会"))


def bringable(session: Session, org: Organization, *, today: date) -> dict[str, list[Any]]:
    """The organisation's published listings it may bring: demands and solutions."""
    out: dict[str, list[Any]] = {"demand": [], "solution": []}
    for kind in (DEMAND, SOLUTION):
        if org.id is not None:
            out[kind.name] = [
                r
                for r in listings.of_orgs(session, kind, [org.id])
                if listings.status_of(kind, r, today) == "published"
            ]
    return out


def register(
    session: Session,
    *,
    principal: Principal | None,
    event: Event,
    demand_ids: list[int],
    solution_ids: list[int],
    unavailable: list[str],
    attendees: str,
    now: datetime,
) -> EventRegistration:
    """Register the principal's organisation (or change its registration) while
    registration is open."""
    org = registering_org(session, principal)
    assert principal is not None and org.id is not None
    if reason := registration_closed_reason(event, now):
        raise Conflict(_("{reason}，不能再报名或修改报名").format(reason=reason))
    existing = session.exec(
        select(EventRegistration).where(
            EventRegistration.event_id == event.id, EventRegistration.org_id == org.id
        )
    ).first()
    if existing is None and registration_count(session, event) >= event.capacity:
        raise Conflict(_("报名机构已达上限（{capacity} 家）").format(capacity=event.capacity))
    errors: dict[str, str] = {}
    today = local_today(now)
    own = bringable(session, org, today=today)
    demand_ids, solution_ids = list(dict.fromkeys(demand_ids)), list(dict.fromkeys(solution_ids))
    chosen = (("demand_ids", demand_ids, DEMAND), ("solution_ids", solution_ids, SOLUTION))
    for name, ids, kind in chosen:
        allowed = {r.id for r in own[kind.name]}
        if any(i not in allowed for i in ids):
            errors[name] = _("只能选择贵机构已发布的{label}").format(label=kind.label)
    if not demand_ids and not solution_ids and not errors:
        errors["listings"] = _("请至少选择一项带到对接会的需求或解决方案")
    slot_ids = [s.id for s in slots_of(event)]
    unavailable = list(dict.fromkeys(unavailable))
    if any(s not in slot_ids for s in unavailable):
        errors["unavailable"] = _("所选时段不在本对接会的洽谈时段中")
    elif len(unavailable) >= len(slot_ids):
        errors["unavailable"] = _("不能所有时段都无法参加")
    people = _line(errors, "attendees", attendees, low=2, high=500)
    if errors:
        raise FieldErrors(errors)
    row = existing or EventRegistration(event_id=event.id or 0, org_id=org.id, created_at=now)
    row.demand_ids, row.solution_ids = demand_ids, solution_ids
    row.unavailable = [s for s in slot_ids if s in unavailable]
    row.attendees, row.registered_by, row.updated_at = people, principal.user_id, now
    try:
        with session.begin_nested():  # a colleague may have just registered the same org
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(_("贵机构已报名该对接会，请刷新后修改报名")) from None
    _audit(session, principal, "event.registered", event, now, org=org.id)
    return row


# --- suggested meetings ------------------------------------------------------------------


@dataclass
class Suggestion:
    demand: Demand
    solution: Solution
    mine: Literal["demand", "solution"]  # which listing is the viewer's
    other_org: str  # the other organisation's name as the viewer may see it
    score: float
    verdict: str
    explanation: list[str]
    fit: str | None
    introduction: Introduction | None  # an open introduction of the pair, if any


def listings_at(
    session: Session, registrations_: list[EventRegistration], today: date
) -> tuple[list[tuple[Demand, EventRegistration]], list[tuple[Solution, EventRegistration]]]:
    """The public listings the registrations brought (each still their organisation's), in
    registration order: two queries, whatever the number of participants."""
    found: dict[str, list[Any]] = {}
    for kind, attr in ((DEMAND, "demand_ids"), (SOLUTION, "solution_ids")):
        ids = {i for reg in registrations_ for i in getattr(reg, attr)}
        rows: list[Any] = (
            list(session.exec(select(kind.model).where(col(kind.model.id).in_(ids)))) if ids else []
        )
        by_id = {r.id: r for r in rows if listings.is_public(kind, r, today)}
        found[kind.name] = [
            (by_id[i], reg)
            for reg in registrations_
            for i in getattr(reg, attr)
            if i in by_id and by_id[i].org_id == reg.org_id
        ]
    return found["demand"], found["solution"]


def org_names(session: Session, org_ids: Iterable[int]) -> dict[int, str]:
    ids = set(org_ids)
    if not ids:
        return {}
    rows = session.exec(select(Organization).where(col(Organization.id).in_(ids)))
    return {o.id: o.name for o in rows if o.id is not None}


class PairScorer:
    """Pairs scored by the matching engine (the same score and reasons as the match lists;
    the score is symmetric: both sides' views combined)."""

    def __init__(self, session: Session, gateway: SearchGateway, today: date) -> None:
        self.session, self.gateway, self.today = session, gateway, today
        self.engine = matching.make_engine(gateway)
        self._prepared: dict[int, Any] = {}
        self._solutions: dict[int, Any] = {}

    def __call__(self, demand: Demand, solution: Solution, *, explain: bool = True) -> Any:
        assert demand.id is not None and solution.id is not None
        if demand.id not in self._prepared:
            org = self.session.get(Organization, demand.org_id)
            assert org is not None
            doc = matching.demand_doc(self.gateway, demand, org)
            self._prepared[demand.id] = self.engine.prepare(doc)
        if solution.id not in self._solutions:
            org = self.session.get(Organization, solution.org_id)
            assert org is not None
            self._solutions[solution.id] = matching.solution_doc(
                self.session, self.gateway, solution, org
            )
        return self.engine.score(
            self._prepared[demand.id], self._solutions[solution.id], self.today, explain=explain
        )


def _require_registration(
    session: Session, principal: Principal | None, event: Event
) -> EventRegistration:
    if principal is None:
        authorize(session, principal, Action.LISTING_VIEW_PRIVATE)
    mine = my_registration(session, principal, event)
    if mine is None:
        raise Forbidden(_("贵机构尚未报名该对接会"))
    return mine


def suggestions(
    session: Session,
    gateway: SearchGateway,
    *,
    principal: Principal | None,
    event: Event,
    now: datetime,
    limit: int = 50,
) -> list[Suggestion]:
    """For the principal's registration: its demands against the other participants'
    solutions and its solutions against their demands, ranked by the engine's score."""
    mine = _require_registration(session, principal, event)
    today = local_today(now)
    demands, solutions = listings_at(session, registrations(session, event), today)
    my_demands = [d for d, reg in demands if reg.id == mine.id]
    my_solutions = [s for s, reg in solutions if reg.id == mine.id]
    their_demands = [(d, reg) for d, reg in demands if reg.id != mine.id]
    their_solutions = [(s, reg) for s, reg in solutions if reg.id != mine.id]
    pairs: list[tuple[Demand, Solution, Literal["demand", "solution"], EventRegistration]] = [
        (d, s, "demand", reg) for d in my_demands for s, reg in their_solutions
    ] + [(d, s, "solution", reg) for s in my_solutions for d, reg in their_demands]
    score = PairScorer(session, gateway, today)
    ranked = sorted(
        ((score(d, s, explain=False).score, d, s, side, reg) for d, s, side, reg in pairs),
        key=lambda x: (-x[0], x[1].id, x[2].id),
    )[:limit]
    open_ = introductions.open_pairs(session, [mine.org_id])
    names = org_names(session, (reg.org_id for *_, reg in ranked))
    out = []
    for _score, d, s, side, reg in ranked:
        match = score(d, s)
        other = _("匿名企业") if side == "solution" and d.anonymous else names[reg.org_id]
        out.append(
            Suggestion(
                demand=d,
                solution=s,
                mine=side,
                other_org=other,
                score=match.score,
                verdict=match.verdict,
                explanation=match.explanation,
                fit=match.fit,
                introduction=open_.get((d.id or 0, s.id or 0)),
            )
        )
    return out


def request_meeting(
    session: Session,
    gateway: SearchGateway,
    *,
    principal: Principal | None,
    event: Event,
    demand_id: int,
    solution_id: int,
    now: datetime,
    limits: introductions.Limits = introductions.Limits(),
) -> EventMeeting:
    """One click: an introduction request for the pair, carried by the event, and its
    meeting. Both listings must have been brought to the event, one of them by the
    principal's organisation."""
    mine = _require_registration(session, principal, event)
    today = local_today(now)
    if today > event.ends_on:
        raise Conflict(_("对接会已结束，不能再申请洽谈"))
    demands, solutions = listings_at(session, registrations(session, event), today)
    demand = next(((d, r) for d, r in demands if d.id == demand_id), None)
    solution = next(((s, r) for s, r in solutions if s.id == solution_id), None)
    if demand is None or solution is None:
        raise FieldErrors({"listing": _("该需求或方案不在本对接会的参会发布中")})
    if mine.id not in (demand[1].id, solution[1].id) or demand[1].id == solution[1].id:
        raise Forbidden(_("只能为贵机构带到对接会的发布申请洽谈"))
    score = PairScorer(session, gateway, today)(demand[0], solution[0], explain=False).score
    intro = introductions.request(
        session,
        principal=principal,
        demand_id=demand_id,
        solution_id=solution_id,
        message=_("在“{title}”上申请一场 {slot_minutes} 分钟的一对一洽谈。").format(
            title=event.title, slot_minutes=event.slot_minutes
        ),
        next_step=MEETING_NEXT_STEP,
        now=now,
        limits=limits,
        event_id=event.id,
        score=score,
    )
    assert intro.id is not None and event.id is not None
    meeting = EventMeeting(
        event_id=event.id, introduction_id=intro.id, score=score, created_at=now, updated_at=now
    )
    session.add(meeting)
    session.flush()  # the receiver hears of it as an introduction request (introductions.request)
    return meeting


# --- meetings and the agenda -------------------------------------------------------------


@dataclass
class MeetingView:
    """A meeting as a page or the API shows it."""

    meeting: EventMeeting
    intro: Introduction
    stage: str
    demand: Demand
    solution: Solution
    demand_org: str
    solution_org: str
    slot: Slot | None
    mine: Literal["demand", "solution"] | None  # the viewer's side, if a party

    @property
    def placed(self) -> bool:
        return self.slot is not None and self.meeting.table_no is not None


def meetings(session: Session, event: Event) -> list[tuple[EventMeeting, Introduction]]:
    rows = session.exec(
        select(EventMeeting, Introduction)
        .join(Introduction, col(Introduction.id) == col(EventMeeting.introduction_id))
        .where(EventMeeting.event_id == event.id)
        .order_by(col(EventMeeting.id))
    )
    return [(m, i) for m, i in rows]


def schedulable(intro: Introduction) -> bool:
    """An accepted introduction still open: its meeting goes into the agenda."""
    return introductions.is_accepted(intro) and intro.is_open


def build_problem(
    session: Session, event: Event, *, time_limit_s: float = AGENDA_TIME_LIMIT_S
) -> tuple[scheduling.Problem, scheduling.Schedule]:
    """The scheduler's problem for the event (participants are the registrations, by id;
    meetings the accepted ones, weighted by their match score) and the current agenda as
    the previous schedule."""
    regs = registrations(session, event)
    reg_of_org = {r.org_id: r for r in regs}
    slots = [s.id for s in slots_of(event)]
    chosen = [
        (m, i)
        for m, i in meetings(session, event)
        if schedulable(i) and i.requester_org_id in reg_of_org and i.receiver_org_id in reg_of_org
    ]
    problem = scheduling.Problem(
        slots=tuple(slots),
        tables=event.tables,
        participants=tuple(
            scheduling.Participant(f"r{r.id}", tuple(s for s in r.unavailable if s in slots))
            for r in regs
        ),
        meetings=tuple(
            scheduling.Meeting(
                f"m{m.id}",
                f"r{reg_of_org[i.requester_org_id].id}",
                f"r{reg_of_org[i.receiver_org_id].id}",
                max(0.0, m.score),
            )
            for m, i in chosen
        ),
        time_limit_s=time_limit_s,
    )
    previous = scheduling.Schedule(
        placements=tuple(
            scheduling.Placement(f"m{m.id}", m.slot, m.table_no)
            for m, _slot in chosen
            if m.slot is not None and m.table_no is not None
        ),
        unscheduled=(),
        objective=0.0,
    )
    return problem, previous


def agenda_problem(
    session: Session,
    *,
    principal: Principal | None,
    event: Event,
    time_limit_s: float = AGENDA_TIME_LIMIT_S,
) -> tuple[scheduling.Problem, scheduling.Schedule]:
    """The event's agenda problem and its current agenda (:func:`build_problem`), for an
    official, refused with the reason when there is nothing to place."""
    authorize(session, principal, Action.EVENT_MANAGE)
    try:
        problem, previous = build_problem(session, event, time_limit_s=time_limit_s)
    except scheduling.ProblemError as exc:
        raise Conflict(_("无法生成日程：{exc}").format(exc=exc)) from None
    if not problem.meetings:
        raise Conflict(_("还没有双方都已接受的洽谈，无法生成日程"))
    return problem, previous


def solve_agenda(problem: scheduling.Problem, previous: scheduling.Schedule) -> scheduling.Schedule:
    """Place the meetings (up to the problem's time limit); a regeneration starts from the
    current agenda and moves as few meetings as it can. No database: call it outside any
    transaction."""
    return scheduling.solve(problem, previous=previous if previous.placements else None)


def save_agenda(
    session: Session,
    *,
    principal: Principal,
    event: Event,
    problem: scheduling.Problem,
    previous: scheduling.Schedule,
    result: scheduling.Schedule,
    now: datetime,
) -> scheduling.Schedule | None:
    """Write ``result``, solved for ``problem`` and ``previous``, onto the event; None
    (nothing written) when the registrations, meetings or agenda changed since they were
    read, so that a schedule is never saved for inputs it did not see."""
    session.refresh(event)
    if agenda_problem(
        session, principal=principal, event=event, time_limit_s=problem.time_limit_s
    ) != (problem, previous):
        return None
    changed = place(session, event, result, now=now)
    _audit(session, principal, "event.agenda_generated", event, now, **event.agenda_summary)
    session.flush()
    notifications.agenda_changed(
        session, event=event, org_ids=changed, first=not previous.placements, now=now
    )
    return result


def generate_agenda(
    session: Session,
    *,
    principal: Principal | None,
    event: Event,
    now: datetime,
    time_limit_s: float = AGENDA_TIME_LIMIT_S,
) -> scheduling.Schedule:
    """Read, solve and save in the caller's transaction (the page solves outside one)."""
    problem, previous = agenda_problem(
        session, principal=principal, event=event, time_limit_s=time_limit_s
    )
    assert principal is not None
    saved = save_agenda(
        session,
        principal=principal,
        event=event,
        problem=problem,
        previous=previous,
        result=solve_agenda(problem, previous),
        now=now,
    )
    if saved is None:  # another transaction committed between the two reads
        raise Conflict(_(AGENDA_INPUTS_MOVED))
    return saved


def place(
    session: Session, event: Event, result: scheduling.Schedule, *, now: datetime
) -> set[int]:
    """Write a schedule onto the event's meetings (slot and table, or none) and its figures
    onto the event; the organisations whose agenda changed (a meeting placed, moved or
    dropped)."""
    placed = {x.meeting: x for x in result.placements}
    changed: set[int] = set()
    for m, intro in meetings(session, event):
        x = placed.get(f"m{m.id}")
        slot, table = (x.slot, x.table) if x else (None, None)
        if (m.slot, m.table_no) != (slot, table):
            m.slot, m.table_no, m.updated_at = slot, table, now
            session.add(m)
            changed |= {intro.requester_org_id, intro.receiver_org_id}
    event.agenda_at, event.updated_at = now, now
    event.agenda_summary = {
        "scheduled": result.count,
        "unscheduled": len(result.unscheduled),
        "objective": result.objective,
        "optimal": result.optimal,
        "baseline_scheduled": result.baseline_scheduled,
        "moved": len(result.moved),
        "seconds": round(result.seconds, 2),
        "method": result.method,
    }
    session.add(event)
    return changed


def _view(
    session: Session,
    event: Event,
    meeting: EventMeeting,
    intro: Introduction,
    *,
    slots: dict[str, Slot],
    principal: Principal | None,
    now: datetime,
) -> MeetingView:
    demand = session.get(Demand, intro.demand_id)
    solution = session.get(Solution, intro.solution_id)
    assert demand is not None and solution is not None
    return MeetingView(
        meeting=meeting,
        intro=intro,
        stage=introductions.stage_of(intro, now),
        demand=demand,
        solution=solution,
        demand_org=introductions.org_name_for(
            session, principal, intro, introductions.demand_org(intro)
        ),
        solution_org=introductions.org_name_for(
            session, principal, intro, introductions.solution_org(intro)
        ),
        slot=slots.get(meeting.slot) if meeting.slot else None,
        mine=introductions.side_of(session, principal, intro),
    )


def agenda(
    session: Session, *, principal: Principal | None, event: Event, now: datetime
) -> tuple[list[MeetingView], bool]:
    """The meetings the principal may see, placed ones in slot and table order first:
    a participant's own (requests included), or every one for officials. Anybody else is
    refused. Returns (meetings, whether the reader sees all as an official)."""
    official = is_official(session, principal)
    mine = None if official else _require_registration(session, principal, event)
    slots = {s.id: s for s in slots_of(event)}
    order = {s: n for n, s in enumerate(slots)}
    views = [
        _view(session, event, m, i, slots=slots, principal=principal, now=now)
        for m, i in meetings(session, event)
        if official or (mine and mine.org_id in (i.requester_org_id, i.receiver_org_id))
    ]
    views.sort(
        key=lambda v: (
            not v.placed,
            order.get(v.meeting.slot or "", 0),
            v.meeting.table_no or 0,
            v.meeting.id or 0,
        )
    )
    return views, official


def meeting_of(
    session: Session, event: Event, meeting_id: int
) -> tuple[EventMeeting, Introduction]:
    meeting = session.get(EventMeeting, meeting_id)
    if meeting is None or meeting.event_id != event.id:
        raise NotFound(_("找不到该洽谈"))
    intro = session.get(Introduction, meeting.introduction_id)
    assert intro is not None
    return meeting, intro


# --- on the day and after ------------------------------------------------------------------


def _started(event: Event, now: datetime) -> None:
    if local_today(now) < event.starts_on:
        raise Conflict(
            _("对接会 {value} 开始，当天起才能签到和登记洽谈情况").format(
                value=event.starts_on.isoformat()
            )
        )


def check_in(
    session: Session,
    *,
    principal: Principal | None,
    event: Event,
    registration_id: int,
    now: datetime,
) -> EventRegistration:
    authorize(session, principal, Action.EVENT_MANAGE)
    assert principal is not None
    reg = session.get(EventRegistration, registration_id)
    if reg is None or reg.event_id != event.id:
        raise NotFound(_("找不到该报名"))
    _started(event, now)
    if reg.checked_in_at is None:
        reg.checked_in_at = now
        session.add(reg)
        _audit(session, principal, "event.checked_in", event, now, org=reg.org_id)
        session.flush()
    return reg


def mark_attendance(
    session: Session,
    *,
    principal: Principal | None,
    event: Event,
    meeting_id: int,
    attendance: str,
    now: datetime,
) -> EventMeeting:
    """Officials, who run the day, mark a placed meeting held or no-show."""
    authorize(session, principal, Action.EVENT_MANAGE)
    meeting, _event = meeting_of(session, event, meeting_id)
    if attendance not in ATTENDANCE:
        raise FieldErrors({"attendance": _("请选择：已举行 或 未到场")})
    if meeting.slot is None:
        raise Conflict(_("该洽谈未排入日程"))
    _started(event, now)
    meeting.attendance, meeting.updated_at = attendance, now
    session.add(meeting)
    session.flush()
    return meeting


def follow_up(
    session: Session,
    *,
    principal: Principal | None,
    event: Event,
    meeting_id: int,
    answer: bool,
    now: datetime,
) -> EventMeeting:
    """A side answers 继续对接？ after its meeting; yes moves an accepted introduction on to
    negotiating (as the introduction's own pipeline would, with its audit)."""
    meeting, intro = meeting_of(session, event, meeting_id)
    side = introductions.side_of(session, principal, intro)
    if side is None:
        raise Forbidden(_("只有洽谈双方可以回答是否继续对接"))
    if meeting.slot is None:
        raise Conflict(_("该洽谈未排入日程"))
    if meeting.attendance == "no_show":
        raise Conflict(_("该洽谈登记为未到场，可在“我的对接”中继续联系"))
    _started(event, now)
    if side == "demand":
        meeting.follow_up_demand = answer
    else:
        meeting.follow_up_solution = answer
    meeting.updated_at = now
    session.add(meeting)
    if answer and introductions.stage_of(intro, now) == "accepted":
        introductions.move_stage(
            session,
            principal=principal,
            intro=intro,
            stage="negotiating",
            now=now,
            note=_("“{title}”洽谈后决定继续对接").format(title=event.title),
        )
    session.flush()
    return meeting


# --- the report --------------------------------------------------------------------------

LATER_STAGES = ("negotiating", "poc", "contract", "network_live")


def report(
    session: Session, *, principal: Principal | None, event: Event, now: datetime
) -> list[tuple[str, int]]:
    """The event's figures for officials: registrations, requests and their answers,
    meetings scheduled and held, follow-ups, and the introductions' later stages."""
    authorize(session, principal, Action.EVENT_MANAGE)
    return figures(session, event, now)


def figures(session: Session, event: Event, now: datetime) -> list[tuple[str, int]]:
    """:func:`report`'s figures without the check (the plan report reads them too)."""
    regs = registrations(session, event)
    rows = meetings(session, event)
    stages = [introductions.stage_of(i, now) for _row, i in rows]
    reached = {s: 0 for s in LATER_STAGES}
    for _row, intro in rows:
        for step in introductions.steps(session, intro):
            if step.stage in reached:
                reached[step.stage] += 1
    answers = [(m.follow_up_demand, m.follow_up_solution) for m, _ in rows]
    return [
        (_("报名机构"), len(regs)),
        (_("签到机构"), sum(1 for r in regs if r.checked_in_at is not None)),
        (_("洽谈请求"), len(rows)),
        (_("已接受"), sum(1 for _, i in rows if introductions.is_accepted(i))),
        (_("已婉拒"), stages.count("declined")),
        (_("待回复"), stages.count("requested")),
        (_("已排入日程"), sum(1 for m, _ in rows if m.slot is not None)),
        (_("已举行"), sum(1 for m, _ in rows if m.attendance == "held")),
        (_("未到场"), sum(1 for m, _ in rows if m.attendance == "no_show")),
        (_("至少一方愿意继续对接"), sum(1 for a, b in answers if a or b)),
        (_("双方都愿意继续对接"), sum(1 for a, b in answers if a and b)),
        *(
            (_("进入“{value}”").format(value=introductions.STAGE_LABELS[s]), reached[s])
            for s in LATER_STAGES
        ),
    ]


def to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)
