"""Matchmaking events in the JSON API: the public list and page, and an agenda (a
participant's own meetings, or every meeting for officials)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from portal.clock import aware
from portal.deps import ApiPrincipal, ClockDep, SessionDep
from portal.events import service
from portal.events.schemas import AgendaItem, AgendaPublic, EventList, EventPublic, SlotPublic
from portal.models import Event

router = APIRouter(prefix="/api/v1", tags=["events"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid Bearer token or session"},
    403: {"description": "neither an official nor an organisation registered at the event"},
    404: {"description": "no such event"},
}


def public(session: SessionDep, event: Event, now: Any) -> EventPublic:
    assert event.id is not None
    return EventPublic(
        id=event.id,
        title=event.title,
        description=event.description,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        venue=event.venue,
        online_url=event.online_url,
        slot_minutes=event.slot_minutes,
        slots=[SlotPublic(id=s.id, starts=s.starts, ends=s.ends) for s in service.slots_of(event)],
        tables=event.tables,
        industries=event.industries,
        zones=event.zones,
        registration_deadline=event.registration_deadline,
        capacity=event.capacity,
        registered=service.registration_count(session, event),
        registration_open=service.registration_closed_reason(event, now) is None,
        agenda_generated_at=aware(event.agenda_at) if event.agenda_at else None,
    )


@router.get("/events", response_model=EventList, summary="Matchmaking events (对接会), public")
def list_events(session: SessionDep, clock: ClockDep) -> EventList:
    now = clock.now()
    rows = service.listed(session)
    return EventList(total=len(rows), items=[public(session, e, now) for e in rows])


@router.get(
    "/events/{event_id}",
    response_model=EventPublic,
    summary="One event: dates, venue, slots, tables, targets, registration (public)",
    responses={404: PROBLEMS[404]},
)
def read_event(session: SessionDep, clock: ClockDep, event_id: int) -> EventPublic:
    return public(session, service.get(session, event_id), clock.now())


@router.get(
    "/events/{event_id}/agenda",
    response_model=AgendaPublic,
    summary="The agenda: a participant's own meetings, or all of them for officials",
    responses=PROBLEMS,
)
def read_agenda(
    session: SessionDep, clock: ClockDep, principal: ApiPrincipal, event_id: int
) -> AgendaPublic:
    event = service.get(session, event_id)
    views, official = service.agenda(session, principal=principal, event=event, now=clock.now())
    return agenda_public(event, views, official)


def agenda_public(event: Event, views: list[service.MeetingView], official: bool) -> AgendaPublic:
    assert event.id is not None
    return AgendaPublic(
        event_id=event.id,
        scope="all" if official else "own",
        generated_at=aware(event.agenda_at) if event.agenda_at else None,
        summary=event.agenda_summary if official and event.agenda_at else None,
        items=[
            AgendaItem(
                meeting_id=v.meeting.id or 0,
                introduction_id=v.intro.id or 0,
                stage=v.stage,
                slot=v.slot.id if v.slot else None,
                starts=v.slot.starts if v.slot else None,
                ends=v.slot.ends if v.slot else None,
                table=v.meeting.table_no,
                demand_id=v.demand.id or 0,
                demand_title=v.demand.title,
                demand_org=v.demand_org,
                solution_id=v.solution.id or 0,
                solution_title=v.solution.title,
                solution_org=v.solution_org,
                attendance=v.meeting.attendance,
            )
            for v in views
        ],
    )
