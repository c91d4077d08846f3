"""Event pages: the list and the public page, the officials' form, registration, suggested
meetings, the agenda (a participant's, or the officials' with check-in and attendance),
the printable table plan, the .ics file and the report. Every action is a form POST
followed by a 303."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import col, select

from portal.auth.permissions import Action, authorize
from portal.clock import HUNAN, aware, local_today
from portal.dashboards.exports import CONTENT_TYPES, to_csv, to_xlsx
from portal.dashboards.service import Table
from portal.db import begin_write
from portal.deps import (
    ClockDep,
    FormDataDep,
    PagePrincipal,
    SearchDep,
    SessionDep,
    SettingsDep,
    SignedIn,
)
from portal.events import service
from portal.events.calendar import agenda_ics
from portal.introductions import service as introductions
from portal.kit import forms
from portal.kit.errors import Conflict, FieldErrors, NotFound
from portal.kit.i18n import _
from portal.kit.redirects import see_other
from portal.kit.templating import render
from portal.models import Event, PilotZone
from portal.reference.vocab import get_vocabularies

router = APIRouter(tags=["pages"], include_in_schema=False)
AGENDA_ATTEMPTS = 3  # solves of one request whose inputs others keep changing
FormId = Annotated[int, Form(ge=1, le=2_147_483_647)]


def _labels(session: SessionDep) -> dict[str, Any]:
    vocab = get_vocabularies()
    zones = session.exec(select(PilotZone).order_by(col(PilotZone.sort))).all()
    return {
        "industry_labels": {c: t.name_zh for c, t in vocab.terms["industry"].items()},
        "featured": [c for c, t in vocab.terms["industry"].items() if t.featured],
        "zone_labels": {z.code: z.name_zh for z in zones},
        "stage_labels": introductions.STAGE_LABELS,
        "attendance_labels": service.ATTENDANCE,
    }


def _url(request: Request, name: str, event: Event, flag: str | None = None) -> str:
    url = str(request.app.url_path_for(name, event_id=event.id))
    return f"{url}?{flag}=1" if flag else url


# --- the list, the public page, the officials' form ----------------------------------------


@router.get("/events", name="events")
def list_page(
    request: Request, session: SessionDep, clock: ClockDep, principal: PagePrincipal
) -> Response:
    now = clock.now()
    today = local_today(now)
    rows = service.listed(session)
    context = {
        "upcoming": [e for e in rows if e.ends_on >= today],
        "past": [e for e in rows if e.ends_on < today],
        "counts": {e.id: service.registration_count(session, e) for e in rows},
        "official": service.is_official(session, principal),
        **_labels(session),
    }
    return render(request, "events/list.html", context)


def _form_page(
    request: Request,
    session: SessionDep,
    *,
    values: dict[str, Any],
    event: Event | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "event": event,
        "values": values,
        "errors": errors or {},
        "slot_options": service.SLOT_MINUTES,
        **_labels(session),
    }
    return render(request, "events/form.html", context, status_code=status_code)


def _form_values(data: service.EventData) -> dict[str, Any]:
    return {
        **{k: "" if v is None else str(v) for k, v in vars(data).items()},
        "breaks": ", ".join(data.breaks),
        "industries": data.industries,
        "zones": data.zones,
    }


def _read_form(form: Any, errors: dict[str, str]) -> service.EventData:
    return service.EventData(
        title=forms.text(form, "title"),
        description=forms.text(form, "description"),
        starts_on=forms.day(form, "starts_on", errors),
        ends_on=forms.day(form, "ends_on", errors),
        day_start=forms.text(form, "day_start"),
        day_end=forms.text(form, "day_end"),
        slot_minutes=forms.integer(form, "slot_minutes", errors),
        breaks=[b for b in forms.text(form, "breaks").replace("，", ",").split(",") if b.strip()],
        venue=forms.text(form, "venue"),
        online_url=forms.text(form, "online_url"),
        tables=forms.integer(form, "tables", errors),
        industries=forms.codes(form, "industries"),
        zones=forms.codes(form, "zones"),
        registration_deadline=forms.day(form, "registration_deadline", errors),
        capacity=forms.integer(form, "capacity", errors),
    )


def _typed(form: Any, data: service.EventData) -> dict[str, Any]:
    """What was typed, to show again beside the errors."""
    values: dict[str, Any] = {k: forms.text(form, k) for k in form.keys()}  # noqa: SIM118
    values["industries"], values["zones"] = data.industries, data.zones
    return values


@router.get("/events/new", name="event_new")
def new_page(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn
) -> Response:
    authorize(session, principal, Action.EVENT_MANAGE)
    today = clock.today()
    data = service.EventData(registration_deadline=today)
    return _form_page(request, session, values=_form_values(data))


@router.post("/events/new", name="event_create")
def create_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    form: FormDataDep,
) -> Response:
    authorize(session, principal, Action.EVENT_MANAGE)
    errors: dict[str, str] = {}
    data = _read_form(form, errors)
    if not errors:
        try:
            event = service.create(session, principal=principal, data=data, now=clock.now())
        except FieldErrors as refused:
            errors = refused.errors
        else:
            return see_other(_url(request, "event", event, "created"))
    values = _typed(form, data)
    return _form_page(request, session, values=values, errors=errors, status_code=400)


@router.get("/events/{event_id}/edit", name="event_edit")
def edit_page(
    request: Request, session: SessionDep, principal: SignedIn, event_id: int
) -> Response:
    authorize(session, principal, Action.EVENT_MANAGE)
    event = service.get(session, event_id)
    return _form_page(request, session, values=_form_values(service.data_of(event)), event=event)


@router.post("/events/{event_id}/edit", name="event_update")
def edit_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    form: FormDataDep,
    event_id: int,
) -> Response:
    authorize(session, principal, Action.EVENT_MANAGE)
    event = service.get(session, event_id)
    errors: dict[str, str] = {}
    data = _read_form(form, errors)
    if not errors:
        try:
            service.update(session, principal=principal, event=event, data=data, now=clock.now())
        except FieldErrors as refused:
            errors = refused.errors
        else:
            return see_other(_url(request, "event", event, "updated"))
    values = _typed(form, data)
    return _form_page(request, session, values=values, event=event, errors=errors, status_code=400)


@router.get("/events/{event_id}", name="event")
def detail_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: PagePrincipal,
    event_id: int,
) -> Response:
    event = service.get(session, event_id)
    now = clock.now()
    context = {
        "event": event,
        "slots": service.slots_of(event),
        "registered": service.registration_count(session, event),
        "closed_reason": service.registration_closed_reason(event, now),
        "mine": service.my_registration(session, principal, event),
        "official": service.is_official(session, principal),
        "signed_in": principal is not None,
        **_labels(session),
    }
    return render(request, "events/detail.html", context)


@router.post("/events/{event_id}/close", name="event_close")
def close_submit(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn, event_id: int
) -> Response:
    event = service.get(session, event_id)
    service.close_registration(session, principal=principal, event=event, now=clock.now())
    return see_other(_url(request, "event_agenda", event, "closed"))


# --- registration --------------------------------------------------------------------------


def _register_page(
    request: Request,
    session: SessionDep,
    principal: SignedIn,
    event: Event,
    now: Any,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    org = service.registering_org(session, principal)
    mine = service.my_registration(session, principal, event)
    if values is None:
        values = {
            "demand_ids": list(mine.demand_ids) if mine else [],
            "solution_ids": list(mine.solution_ids) if mine else [],
            "unavailable": list(mine.unavailable) if mine else [],
            "attendees": mine.attendees if mine else "",
        }
    context = {
        "event": event,
        "org": org,
        "mine": mine,
        "own": service.bringable(session, org, today=local_today(now)),
        "slots": service.slots_of(event),
        "closed_reason": service.registration_closed_reason(event, now),
        "values": values,
        "errors": errors or {},
    }
    return render(request, "events/register.html", context, status_code=status_code)


@router.get("/events/{event_id}/register", name="event_register")
def register_page(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn, event_id: int
) -> Response:
    event = service.get(session, event_id)
    return _register_page(request, session, principal, event, clock.now())


def _ids(form: Any, name: str) -> list[int]:
    return [int(v) for v in forms.codes(form, name) if v.isascii() and v.isdigit() and len(v) < 11]


@router.post("/events/{event_id}/register", name="event_register_submit")
def register_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    form: FormDataDep,
    event_id: int,
) -> Response:
    event = service.get(session, event_id)
    now = clock.now()
    values: dict[str, Any] = {
        "demand_ids": _ids(form, "demand_ids"),
        "solution_ids": _ids(form, "solution_ids"),
        "unavailable": forms.codes(form, "unavailable"),
        "attendees": forms.text(form, "attendees"),
    }
    try:
        service.register(session, principal=principal, event=event, now=now, **values)
    except FieldErrors as refused:
        return _register_page(
            request, session, principal, event, now,
            values=values, errors=refused.errors, status_code=400,
        )  # fmt: skip
    return see_other(_url(request, "event", event, "registered"))


# --- suggested meetings ------------------------------------------------------------------


@router.get("/events/{event_id}/suggestions", name="event_suggestions")
def suggestions_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    gateway: SearchDep,
    principal: SignedIn,
    event_id: int,
) -> Response:
    event = service.get(session, event_id)
    now = clock.now()
    items = service.suggestions(session, gateway, principal=principal, event=event, now=now)
    context = {
        "event": event,
        "items": items,
        "open": local_today(now) <= event.ends_on,
        **_labels(session),
    }
    return render(request, "events/suggestions.html", context)


@router.post("/events/{event_id}/meetings", name="event_meeting_request")
def meeting_request_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    gateway: SearchDep,
    principal: SignedIn,
    event_id: int,
    demand_id: FormId,
    solution_id: FormId,
) -> Response:
    event = service.get(session, event_id)
    service.request_meeting(
        session,
        gateway,
        principal=principal,
        event=event,
        demand_id=demand_id,
        solution_id=solution_id,
        now=clock.now(),
        limits=introductions.Limits.from_settings(settings),
    )
    return see_other(_url(request, "event_agenda", event, "requested"))


# --- the agenda ----------------------------------------------------------------------------


@router.get("/events/{event_id}/agenda", name="event_agenda")
def agenda_page(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn, event_id: int
) -> Response:
    event = service.get(session, event_id)
    now = clock.now()
    views, official = service.agenda(session, principal=principal, event=event, now=now)
    regs = service.registrations(session, event) if official else []
    names = service.org_names(session, (r.org_id for r in regs))
    context = {
        "event": event,
        "views": views,
        "official": official,
        "registrations": regs,
        "org_names": names,
        "mine": None if official else service.my_registration(session, principal, event),
        "closed_reason": service.registration_closed_reason(event, now),
        "started": local_today(now) >= event.starts_on,
        "slot_count": len(service.slots_of(event)),
        "generated_at": (aware(event.agenda_at).astimezone(HUNAN) if event.agenda_at else None),
        **_labels(session),
    }
    return render(request, "events/agenda.html", context)


@router.get("/events/{event_id}/agenda.ics", name="event_agenda_ics")
def agenda_ics_download(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn, event_id: int
) -> Response:
    event = service.get(session, event_id)
    now = clock.now()
    views, _ = service.agenda(session, principal=principal, event=event, now=now)
    host = request.url.hostname or "portal"
    body = agenda_ics(event, views, host=host, now=now)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}-agenda.ics"'},
    )


@router.post("/events/{event_id}/agenda/generate", name="event_agenda_generate")
def generate_submit(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn, event_id: int
) -> Response:
    """Solving takes up to ``AGENDA_TIME_LIMIT_S``: it happens outside any transaction (on
    SQLite the POST's write transaction holds the one write lock, and every other write
    would wait for the solver), then the agenda is saved if its inputs did not change
    meanwhile, else solved again."""
    event = service.get(session, event_id)
    for _attempt in range(AGENDA_ATTEMPTS):
        session.commit()  # end the transaction open so far: nothing is written before the save
        problem, previous = service.agenda_problem(session, principal=principal, event=event)
        session.commit()  # end the read: the solver holds no transaction
        result = service.solve_agenda(problem, previous)
        begin_write(session)
        saved = service.save_agenda(
            session,
            principal=principal,
            event=event,
            problem=problem,
            previous=previous,
            result=result,
            now=clock.now(),
        )
        if saved is not None:
            return see_other(_url(request, "event_agenda", event, "generated"))
    raise Conflict(_(service.AGENDA_INPUTS_MOVED))


@router.get("/events/{event_id}/plan", name="event_plan")
def plan_page(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn, event_id: int
) -> Response:
    """The printable table plan: one row per slot, one column per table."""
    authorize(session, principal, Action.EVENT_MANAGE)
    event = service.get(session, event_id)
    views, _ = service.agenda(session, principal=principal, event=event, now=clock.now())
    grid: dict[tuple[str, int], service.MeetingView] = {
        (v.slot.id, v.meeting.table_no): v for v in views if v.slot and v.meeting.table_no
    }
    used = sorted({t for _, t in grid})
    context = {"event": event, "slots": service.slots_of(event), "tables": used, "grid": grid}
    return render(request, "events/plan.html", context)


# --- on the day and after ------------------------------------------------------------------


@router.post("/events/{event_id}/registrations/{registration_id}/check-in", name="event_check_in")
def check_in_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    event_id: int,
    registration_id: int,
) -> Response:
    event = service.get(session, event_id)
    service.check_in(
        session, principal=principal, event=event, registration_id=registration_id, now=clock.now()
    )
    return see_other(_url(request, "event_agenda", event, "checked_in"))


@router.post("/events/{event_id}/meetings/{meeting_id}/attendance", name="event_attendance")
def attendance_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    event_id: int,
    meeting_id: int,
    attendance: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    event = service.get(session, event_id)
    service.mark_attendance(
        session,
        principal=principal,
        event=event,
        meeting_id=meeting_id,
        attendance=attendance,
        now=clock.now(),
    )
    return see_other(_url(request, "event_agenda", event, "marked"))


@router.post("/events/{event_id}/meetings/{meeting_id}/follow-up", name="event_follow_up")
def follow_up_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    event_id: int,
    meeting_id: int,
    answer: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    event = service.get(session, event_id)
    if answer not in ("yes", "no"):
        raise FieldErrors({"answer": _("请选择是否继续对接")})
    service.follow_up(
        session,
        principal=principal,
        event=event,
        meeting_id=meeting_id,
        answer=answer == "yes",
        now=clock.now(),
    )
    return see_other(_url(request, "event_agenda", event, "followed"))


def _report_table(session: SessionDep, principal: Any, event: Event, now: Any) -> Table:
    rows = service.report(session, principal=principal, event=event, now=now)
    return Table(
        key=f"event-{event.id}-report",
        title=_("{title} · 对接会报告").format(title=event.title),
        columns=[_("指标"), _("数量")],
        rows=[[label, value] for label, value in rows],
        source=_("湖南5G应用产业生态对接平台 · 对接会"),
        as_of=local_today(now).isoformat(),
        public=False,
        note=_("“进入某阶段”计本次对接会产生的对接中曾到达该阶段的数量；不含联系方式或消息内容。"),
    )


@router.get("/events/{event_id}/report", name="event_report")
def report_page(
    request: Request, session: SessionDep, clock: ClockDep, principal: SignedIn, event_id: int
) -> Response:
    event = service.get(session, event_id)
    table = _report_table(session, principal, event, clock.now())
    return render(request, "events/report.html", {"event": event, "table": table})


@router.get("/events/{event_id}/report.{fmt}", name="event_report_export")
def report_export(
    session: SessionDep, clock: ClockDep, principal: SignedIn, event_id: int, fmt: str
) -> Response:
    event = service.get(session, event_id)
    if fmt not in CONTENT_TYPES:
        raise NotFound(_("只提供 CSV 和 XLSX 格式"))
    table = _report_table(session, principal, event, clock.now())
    body = to_csv(table) if fmt == "csv" else to_xlsx(table)
    return Response(
        body,
        media_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{table.key}-{table.as_of}.{fmt}"'},
    )
