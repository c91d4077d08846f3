"""Introduction pages: the request form, my introductions, one introduction (answer,
contacts, thread, pipeline), the officials' funnel; and the shortlist/dismiss buttons of
the match lists. Every action is a form POST followed by a 303."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import or_
from sqlmodel import col, select

from portal.auth.permissions import Action, authorize
from portal.clock import local_today
from portal.dashboards.exports import CONTENT_TYPES, to_csv, to_xlsx
from portal.deps import ClockDep, SessionDep, SettingsDep, SignedIn
from portal.funding import service as funding
from portal.introductions import funnel as funnels
from portal.introductions import marks, service
from portal.kit.errors import FieldErrors, NotFound
from portal.kit.i18n import _
from portal.kit.redirects import safe_next, see_other
from portal.kit.templating import render
from portal.listings import service as listings
from portal.listings.registry import DEMAND, SOLUTION
from portal.models import Demand, Introduction, PrivateNetwork, Solution
from portal.reference.vocab import get_vocabularies
from portal.search.gateway import get_pipeline

router = APIRouter(tags=["pages"], include_in_schema=False)
FormText = Annotated[str, Form(max_length=2000)]
FormId = Annotated[int, Form(ge=1, le=2_147_483_647)]


def _labels() -> dict[str, Any]:
    return {
        "stage_labels": service.STAGE_LABELS,
        "next_steps": service.NEXT_STEPS,
        "decline_reasons": service.DECLINE_REASONS,
    }


# --- asking ------------------------------------------------------------------------------


def _pair(session: SessionDep, demand_id: int, solution_id: int) -> tuple[Demand, Solution]:
    demand, solution = session.get(Demand, demand_id), session.get(Solution, solution_id)
    if demand is None or solution is None:
        raise NotFound(_("找不到该需求或解决方案"))
    return demand, solution


def _request_page(
    request: Request,
    session: SessionDep,
    demand: Demand,
    solution: Solution,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "demand": demand,
        "solution": solution,
        "values": values or {"next_step": "call"},
        "errors": errors or {},
        **_labels(),
    }
    return render(request, "introductions/new.html", context, status_code=status_code)


@router.get("/introductions/new", name="introduction_new")
def new_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    demand_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    solution_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    """The request form for a pair; from a listing's own page (one side only), the viewer
    first chooses which of its own published listings it brings."""
    if demand_id is not None and solution_id is not None:
        demand, solution = _pair(session, demand_id, solution_id)
        return _request_page(request, session, demand, solution)
    if (demand_id is None) == (solution_id is None):
        raise NotFound(_("请从需求或解决方案页面发起对接"))
    today = clock.today()
    kind = SOLUTION if demand_id is not None else DEMAND
    other_kind = DEMAND if kind is SOLUTION else SOLUTION
    other = session.get(other_kind.model, demand_id or solution_id)
    if other is None or not listings.is_public(other_kind, other, today):
        raise NotFound(_("找不到该{label}").format(label=other_kind.label))
    orgs = listings.listing_orgs(session, principal.user, kind)
    mine = [
        r
        for r in listings.of_orgs(session, kind, [o.id for o in orgs if o.id is not None])
        if listings.status_of(kind, r, today) == "published"
    ]
    context = {"other": other, "other_kind": other_kind, "kind": kind, "mine": mine}
    return render(request, "introductions/choose.html", context)


@router.post("/introductions/new", name="introduction_create")
def create_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    principal: SignedIn,
    demand_id: FormId,
    solution_id: FormId,
    message: FormText = "",
    next_step: Annotated[str, Form(max_length=16)] = "call",
) -> Response:
    demand, solution = _pair(session, demand_id, solution_id)
    try:
        intro = service.request(
            session,
            principal=principal,
            demand_id=demand_id,
            solution_id=solution_id,
            message=message,
            next_step=next_step,
            now=clock.now(),
            limits=service.Limits.from_settings(settings),
        )
    except FieldErrors as refused:
        values = {"message": message, "next_step": next_step}
        return _request_page(
            request,
            session,
            demand,
            solution,
            values=values,
            errors=refused.errors,
            status_code=400,
        )
    return _back(request, intro, "sent")


# --- my introductions and one introduction ----------------------------------------------


@router.get("/introductions", name="introductions")
def list_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    box: Annotated[str | None, Query(max_length=16)] = None,
    stage: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    now = clock.now()
    chosen = box if box in ("sent", "received") else None
    rows = service.list_for(session, principal, box=chosen, stage=stage or None, now=now)  # type: ignore[arg-type]
    items = [_summary(session, principal, r, now) for r in rows]
    context = {"items": items, "box": chosen, "stage": stage, **_labels()}
    return render(request, "introductions/list.html", context)


def _summary(session: SessionDep, principal: Any, intro: Introduction, now: Any) -> dict[str, Any]:
    demand, solution = (
        session.get(Demand, intro.demand_id),
        session.get(Solution, intro.solution_id),
    )
    side = service.side_of(session, principal, intro)
    stage = service.stage_of(intro, now)
    mine = intro.requester_org_id if side == intro.initiator else intro.receiver_org_id
    other = intro.receiver_org_id if mine == intro.requester_org_id else intro.requester_org_id
    return {
        "intro": intro,
        "stage": stage,
        "demand": demand,
        "solution": solution,
        "sent": side == intro.initiator,
        "other": service.org_name_for(session, principal, intro, other),
        "waiting": stage == "requested" and side is not None and side != intro.initiator,
    }


@router.get("/introductions/funnel", name="introductions_funnel")
def funnel_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    by: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    authorize(session, principal, Action.DASHBOARD_VIEW)
    now = clock.now()
    overall = funnels.compute(session, now=now)
    dimension = by if by in ("industry", "city", "zone", "cluster") else "industry"
    featured = frozenset(c for c, t in get_vocabularies().terms["industry"].items() if t.featured)
    split = funnels.compute(session, now=now, dimension=dimension, featured=featured)  # type: ignore[arg-type]
    context = {
        "funnel": overall,
        "rows": funnels.rows(overall),
        "by": dimension,
        "split": split.by,
        "stages": funnels.FUNNEL,
        "source": funnels.SOURCE,
        "as_of": local_today(now).isoformat(),
        **_labels(),
    }
    return render(request, "introductions/funnel.html", context)


@router.get("/introductions/funnel.{fmt}", name="introductions_funnel_export")
def funnel_export(session: SessionDep, clock: ClockDep, principal: SignedIn, fmt: str) -> Response:
    authorize(session, principal, Action.DASHBOARD_VIEW)
    if fmt not in CONTENT_TYPES:
        raise NotFound(_("只提供 CSV 和 XLSX 格式"))
    now = clock.now()
    result = funnels.compute(session, now=now)
    table = funnels.table(result, as_of=local_today(now))
    body = to_csv(table) if fmt == "csv" else to_xlsx(table)
    return Response(
        body,
        media_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{table.key}-{table.as_of}.{fmt}"'},
    )


def _detail(
    request: Request,
    session: SessionDep,
    principal: Any,
    intro: Introduction,
    now: Any,
    *,
    errors: dict[str, str] | None = None,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    side = service.side_of(session, principal, intro)
    stage = service.stage_of(intro, now)
    networks: list[PrivateNetwork] = []
    if side is not None and stage in service.PIPELINE:
        of_demand = col(PrivateNetwork.demand_id) == intro.demand_id
        of_enterprise = col(PrivateNetwork.org_id) == service.demand_org(intro)
        networks = list(
            session.exec(
                select(PrivateNetwork)
                .where(or_(of_demand, of_enterprise))
                .order_by(col(PrivateNetwork.id))
            )
        )
    context = {
        **_summary(session, principal, intro, now),
        "side": side,
        "official": side is None,
        "receiver": side is not None and side == service.receiving_side(intro),
        "contacts": service.contacts(session, principal, intro),
        "messages": service.thread(session, principal, intro) if side is not None else [],
        "steps": service.steps(session, intro),
        "networks": networks,
        "next_stages": _next_stages(stage),
        "requester": service.org_name_for(session, principal, intro, intro.requester_org_id),
        "receiver_name": service.org_name_for(session, principal, intro, intro.receiver_org_id),
        "errors": errors or {},
        "form": form,
        "values": values or {},
        **_labels(),
    }
    if side == "demand" and stage in ("poc", "contract"):
        # The stage reached opens funding calls that ask for it (issue 16).
        context["funding"] = funding.funding_for_introduction(
            session, get_pipeline(), intro, today=local_today(now)
        )
    return render(request, "introductions/detail.html", context, status_code=status_code)


def _next_stages(stage: str) -> list[str]:
    if stage not in service.PIPELINE or stage == "network_live":
        return []
    later = list(service.PIPELINE[service.PIPELINE.index(stage) + 1 :])
    return [*later, "closed"]


@router.get("/introductions/{introduction_id}", name="introduction")
def detail_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    introduction_id: int,
) -> Response:
    intro, _ = service.readable(session, principal, introduction_id)
    return _detail(request, session, principal, intro, clock.now())


def _back(request: Request, intro: Introduction, flag: str) -> Response:
    url = request.app.url_path_for("introduction", introduction_id=intro.id)
    return see_other(f"{url}?{flag}=1")


@router.post("/introductions/{introduction_id}/accept", name="introduction_accept")
def accept_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    introduction_id: int,
) -> Response:
    intro, _ = service.readable(session, principal, introduction_id)
    service.accept(session, principal=principal, intro=intro, now=clock.now())
    return _back(request, intro, "accepted")


@router.post("/introductions/{introduction_id}/decline", name="introduction_decline")
def decline_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    introduction_id: int,
    reason: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    intro, _ = service.readable(session, principal, introduction_id)
    now = clock.now()
    try:
        service.decline(
            session, principal=principal, intro=intro, reason=reason, note=note, now=now
        )
    except FieldErrors as refused:
        values = {"reason": reason, "note": note}
        return _detail(
            request, session, principal, intro, now,
            errors=refused.errors, form="decline", values=values, status_code=400,
        )  # fmt: skip
    return _back(request, intro, "declined")


@router.post("/introductions/{introduction_id}/messages", name="introduction_message")
def message_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    introduction_id: int,
    body: FormText = "",
) -> Response:
    intro, _ = service.readable(session, principal, introduction_id)
    now = clock.now()
    try:
        message = service.post_message(
            session, principal=principal, intro=intro, body=body, now=now
        )
    except FieldErrors as refused:
        return _detail(
            request, session, principal, intro, now,
            errors=refused.errors, form="message", values={"body": body}, status_code=400,
        )  # fmt: skip
    return _back(request, intro, "flagged" if message.flagged_contact else "posted")


@router.post("/introductions/{introduction_id}/stage", name="introduction_stage")
def stage_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    introduction_id: int,
    stage: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
    amount: Annotated[str, Form(max_length=20)] = "",
    network_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    intro, _ = service.readable(session, principal, introduction_id)
    now = clock.now()
    errors: dict[str, str] = {}
    money = _number(amount, errors, "amount")
    network = _number(network_id, errors, "network_id")
    if not errors:
        try:
            service.move_stage(
                session,
                principal=principal,
                intro=intro,
                stage=stage,
                now=now,
                note=note,
                amount=money,
                network_id=int(network) if network is not None else None,
            )
        except FieldErrors as refused:
            errors = refused.errors
        else:
            return _back(request, intro, "moved")
    values = {"stage": stage, "note": note, "amount": amount, "network_id": network_id}
    return _detail(
        request, session, principal, intro, now,
        errors=errors, form="stage", values=values, status_code=400,
    )  # fmt: skip


def _number(raw: str, errors: dict[str, str], name: str) -> float | None:
    from portal.kit import forms

    value = raw.strip().replace(",", "")
    if not value:
        return None
    found: dict[str, str] = {}
    number = forms.number({name: value}, name, found)  # type: ignore[arg-type]
    if found:
        errors[name] = _("请输入数字")
    return number


# --- shortlist and dismiss -----------------------------------------------------------------


@router.post("/matches/mark", name="match_mark")
def mark_submit(
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    demand_id: FormId,
    solution_id: FormId,
    action: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    marks.mark(
        session,
        principal=principal,
        demand_id=demand_id,
        solution_id=solution_id,
        action=action,
        reason=reason or None,
        now=clock.now(),
    )
    return see_other(safe_next(next, default="/my/listings"))
