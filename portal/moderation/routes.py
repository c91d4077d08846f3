"""The officials' moderation queue: approve or reject pending listings, in bulk."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from portal.auth.permissions import Action, authorize
from portal.deps import ClockDep, FormDataDep, SessionDep, SignedIn, client_ip
from portal.kit.errors import FieldErrors
from portal.kit.i18n import _
from portal.kit.templating import render
from portal.moderation import service

router = APIRouter(tags=["pages"], include_in_schema=False)


def _page(
    request: Request,
    session: SessionDep,
    *,
    errors: dict[str, str] | None = None,
    reason: str = "",
    chosen: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "moderation/queue.html",
        {
            "items": service.queue(session),
            "errors": errors or {},
            "reason": reason,
            "chosen": chosen or [],
        },
        status_code=status_code,
    )


@router.get("/moderation", name="moderation")
def queue_page(request: Request, session: SessionDep, principal: SignedIn) -> Response:
    authorize(session, principal, Action.LISTING_APPROVE)
    return _page(request, session)


@router.post("/moderation", name="moderation_decide")
def decide_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: SignedIn,
    form: FormDataDep,
) -> Response:
    authorize(session, principal, Action.LISTING_APPROVE)
    keys = [k for k in form.getlist("items") if isinstance(k, str)]
    decision = form.get("decision")
    reason = form.get("reason")
    reason = reason if isinstance(reason, str) else ""
    if decision not in ("approve", "reject"):
        return _page(
            request,
            session,
            errors={"decision": _("请选择通过或驳回")},
            reason=reason,
            chosen=keys,
            status_code=400,
        )
    try:
        outcome = service.decide(
            session,
            principal=principal,
            items=service.parse_keys(keys),
            decision=decision,  # type: ignore[arg-type]
            reason=reason,
            now=clock.now(),
            ip=client_ip(request),
        )
    except FieldErrors as refused:
        return _page(
            request, session, errors=refused.errors, reason=reason, chosen=keys, status_code=400
        )
    url = request.app.url_path_for("moderation")
    done = "approved" if decision == "approve" else "rejected"
    return RedirectResponse(
        f"{url}?{done}={outcome.decided}&skipped={outcome.skipped}", status_code=303
    )
