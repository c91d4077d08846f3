"""Introductions in the JSON API (session + CSRF header, or Bearer token)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from portal.auth.permissions import Action, Principal, authorize
from portal.clock import aware, local_today
from portal.deps import ApiPrincipal, ClockDep, SessionDep, SettingsDep
from portal.introductions import funnel as funnels
from portal.introductions import service
from portal.introductions.schemas import (
    ContactPublic,
    Contacts,
    DeclineBody,
    FunnelPublic,
    IntroductionCreate,
    IntroductionList,
    IntroductionPublic,
    MessageBody,
    MessagePublic,
    StageBody,
    StepPublic,
)
from portal.models import Demand, Introduction, Solution

router = APIRouter(prefix="/api/v1", tags=["introductions"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid Bearer token or session"},
    403: {"description": "not a party allowed to do this, or a read-only token"},
    404: {"description": "no such introduction (or not one of yours)"},
    409: {"description": "the introduction is not in a stage that allows this"},
    422: {"description": "a field is invalid: `errors` lists each field with its reason"},
}


def public(
    session: SessionDep, principal: Principal | None, intro: Introduction, now: Any
) -> IntroductionPublic:
    demand, solution = (
        session.get(Demand, intro.demand_id),
        session.get(Solution, intro.solution_id),
    )
    assert demand is not None and solution is not None and intro.id is not None
    stage = service.stage_of(intro, now)
    found = service.contacts(session, principal, intro)
    return IntroductionPublic(
        id=intro.id,
        status=service.status_of(stage),
        stage=stage,
        demand_id=intro.demand_id,
        solution_id=intro.solution_id,
        demand_title=demand.title,
        solution_title=solution.title,
        initiator=intro.initiator,
        requester_org=service.org_name_for(session, principal, intro, intro.requester_org_id),
        receiver_org=service.org_name_for(session, principal, intro, intro.receiver_org_id),
        message=intro.message,
        next_step=intro.next_step,
        decline_reason=intro.decline_reason,
        decline_note=intro.decline_note,
        close_reason=intro.close_reason,
        amount=intro.amount,
        network_id=intro.network_id,
        created_at=aware(intro.created_at),
        expires_at=aware(intro.expires_at),
        answered_at=aware(intro.answered_at) if intro.answered_at else None,
        contacts=(
            Contacts(**{k: ContactPublic(**vars(v)) for k, v in found.items()})
            if found is not None
            else None
        ),
        timeline=[
            StepPublic(stage=step.stage, at=aware(step.at), note=step.note)
            for step in service.steps(session, intro)
        ],
    )


@router.post(
    "/introductions",
    response_model=IntroductionPublic,
    status_code=201,
    summary="Ask for an introduction to the other side of a demand–solution pair",
    responses={
        **{k: v for k, v in PROBLEMS.items() if k != 404},
        409: {"description": "an open introduction of this pair exists"},
        429: {"description": "the organisation's daily number of requests is reached"},
    },
)
def create_introduction(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    principal: ApiPrincipal,
    body: IntroductionCreate,
) -> IntroductionPublic:
    now = clock.now()
    intro = service.request(
        session,
        principal=principal,
        demand_id=body.demand_id,
        solution_id=body.solution_id,
        message=body.message,
        next_step=body.next_step,
        now=now,
        limits=service.Limits.from_settings(settings),
    )
    return public(session, principal, intro, now)


@router.get(
    "/introductions",
    response_model=IntroductionList,
    summary="The introductions of my organisations: sent or received, by stage",
    responses={401: PROBLEMS[401]},
)
def list_introductions(
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    box: Literal["sent", "received"] | None = None,
    stage: Annotated[str | None, Query(max_length=16)] = None,
) -> IntroductionList:
    now = clock.now()
    rows = service.list_for(session, principal, box=box, stage=stage, now=now)
    return IntroductionList(
        total=len(rows), items=[public(session, principal, r, now) for r in rows]
    )


@router.get(
    "/introductions/funnel",
    response_model=FunnelPublic,
    summary="The funnel of introductions (officials): counts, conversion, median days",
    responses={401: PROBLEMS[401], 403: PROBLEMS[403]},
)
def introductions_funnel(
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    industry: Annotated[str | None, Query(max_length=64)] = None,
    city: Annotated[str | None, Query(max_length=32)] = None,
    zone: Annotated[str | None, Query(max_length=32)] = None,
) -> FunnelPublic:
    authorize(session, principal, Action.DASHBOARD_VIEW)
    now = clock.now()
    dimension, value = next(
        ((d, v) for d, v in (("industry", industry), ("city", city), ("zone", zone)) if v),
        (None, None),
    )
    result = funnels.compute(session, now=now, dimension=dimension, value=value)  # type: ignore[arg-type]
    return FunnelPublic(
        stages=result.reached,
        current=result.current,
        conversion=result.conversion,
        median_days=result.median_days,
        total=result.total,
        networks_born=result.networks_born,
        source=funnels.SOURCE,
        as_of=local_today(now).isoformat(),
    )


@router.get(
    "/introductions/{introduction_id}",
    response_model=IntroductionPublic,
    summary="One introduction (its two organisations; officials without contacts)",
    responses={401: PROBLEMS[401], 404: PROBLEMS[404]},
)
def read_introduction(
    session: SessionDep, clock: ClockDep, principal: ApiPrincipal, introduction_id: int
) -> IntroductionPublic:
    intro, _ = service.readable(session, principal, introduction_id)
    return public(session, principal, intro, clock.now())


@router.post(
    "/introductions/{introduction_id}/accept",
    response_model=IntroductionPublic,
    summary="Accept a request (the receiving side): both sides then see the contacts",
    responses=PROBLEMS,
)
def accept_introduction(
    session: SessionDep, clock: ClockDep, principal: ApiPrincipal, introduction_id: int
) -> IntroductionPublic:
    intro, _ = service.readable(session, principal, introduction_id)
    now = clock.now()
    service.accept(session, principal=principal, intro=intro, now=now)
    return public(session, principal, intro, now)


@router.post(
    "/introductions/{introduction_id}/decline",
    response_model=IntroductionPublic,
    summary="Decline a request with a reason (the receiving side)",
    responses=PROBLEMS,
)
def decline_introduction(
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    introduction_id: int,
    body: DeclineBody,
) -> IntroductionPublic:
    intro, _ = service.readable(session, principal, introduction_id)
    now = clock.now()
    service.decline(
        session, principal=principal, intro=intro, reason=body.reason, note=body.note, now=now
    )
    return public(session, principal, intro, now)


@router.get(
    "/introductions/{introduction_id}/messages",
    response_model=list[MessagePublic],
    summary="The thread of an introduction (its two organisations only)",
    responses=PROBLEMS,
)
def list_messages(
    session: SessionDep, principal: ApiPrincipal, introduction_id: int
) -> list[MessagePublic]:
    intro, _ = service.readable(session, principal, introduction_id)
    return [
        _message(session, principal, intro, m) for m in service.thread(session, principal, intro)
    ]


def _message(
    session: SessionDep, principal: Principal, intro: Introduction, m: Any
) -> MessagePublic:
    return MessagePublic(
        id=m.id,
        author_org=service.org_name_for(session, principal, intro, m.author_org_id),
        body=m.body,
        flagged_contact=m.flagged_contact,
        created_at=aware(m.created_at),
    )


@router.post(
    "/introductions/{introduction_id}/messages",
    response_model=MessagePublic,
    status_code=201,
    summary="Write to the other side (plain text)",
    responses=PROBLEMS,
)
def post_message(
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    introduction_id: int,
    body: MessageBody,
) -> MessagePublic:
    intro, _ = service.readable(session, principal, introduction_id)
    message = service.post_message(
        session, principal=principal, intro=intro, body=body.body, now=clock.now()
    )
    return _message(session, principal, intro, message)


@router.post(
    "/introductions/{introduction_id}/stage",
    response_model=IntroductionPublic,
    summary="Move an accepted introduction along the pipeline, or close it",
    responses=PROBLEMS,
)
def move_stage(
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    introduction_id: int,
    body: StageBody,
) -> IntroductionPublic:
    intro, _ = service.readable(session, principal, introduction_id)
    now = clock.now()
    service.move_stage(
        session,
        principal=principal,
        intro=intro,
        stage=body.stage,
        now=now,
        note=body.note,
        amount=body.amount,
        network_id=body.network_id,
    )
    return public(session, principal, intro, now)
