"""The JSON API of a kind of listing (:func:`routes`): owners create and change listings,
anyone reads the public ones, in the import format's fields with strict types."""

from typing import Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel

from portal.clock import local_today
from portal.deps import ApiPrincipal, ClockDep, OptionalApiPrincipal, SessionDep, client_ip
from portal.listings import service
from portal.listings.kinds import ListingKind


def routes(kind: ListingKind) -> APIRouter:
    """``POST /api/v1/<plural>``, ``GET`` and ``PATCH /api/v1/<plural>/{<name>_id}``."""
    router = APIRouter(prefix="/api/v1", tags=[kind.plural])
    create_schema, update_schema = kind.create_schema, kind.update_schema
    problems: dict[int | str, dict[str, Any]] = {
        401: {"description": "no valid Bearer token or session"},
        403: {"description": kind.text("api_forbidden")},
        404: {"description": f"no such {kind.name} (or not public)"},
        422: {"description": "a field is invalid: `errors` lists each field with its reason"},
    }
    item = f"/{kind.plural}/{{{kind.id_param}}}"
    listing_id_param = Path(alias=kind.id_param)

    @router.post(
        f"/{kind.plural}",
        name=f"create_{kind.name}",
        response_model=kind.public_schema,
        status_code=201,
        summary=kind.text("api_create"),
        responses={k: v for k, v in problems.items() if k != 404},
    )
    def create(
        request: Request,
        session: SessionDep,
        clock: ClockDep,
        principal: ApiPrincipal,
        body: create_schema,  # type: ignore[valid-type]
    ) -> BaseModel:
        data: Any = body  # the kind's create schema
        org = service.resolve_org(session, principal, kind, org_external_id=data.org)
        now = clock.now()
        row = service.create(
            session,
            kind,
            principal=principal,
            org=org,
            values=data.model_dump(include=set(kind.field_names)),
            submit=data.status == "pending",
            now=now,
            external_id=data.external_id,
            ip=client_ip(request),
        )
        return service.public_model(kind, row, org, private=True, today=local_today(now))

    @router.get(
        item,
        name=f"read_{kind.name}",
        response_model=kind.public_schema,
        summary=kind.text("api_read"),
        responses={404: problems[404]},
    )
    def read(
        session: SessionDep,
        clock: ClockDep,
        principal: OptionalApiPrincipal,
        listing_id: int = listing_id_param,
    ) -> BaseModel:
        today = clock.today()
        row, org, private = service.readable(session, kind, principal, listing_id, today=today)
        return service.public_model(kind, row, org, private=private, today=today)

    @router.patch(
        item,
        name=f"update_{kind.name}",
        response_model=kind.public_schema,
        summary=kind.text("api_update"),
        responses=problems,
    )
    def update(
        request: Request,
        session: SessionDep,
        clock: ClockDep,
        principal: ApiPrincipal,
        body: update_schema,  # type: ignore[valid-type]
        listing_id: int = listing_id_param,
    ) -> BaseModel:
        data: Any = body  # the kind's update schema
        row = service.get(session, kind, listing_id)
        org = service.owner_org(session, principal, kind, row)
        now = clock.now()
        service.patch(
            session,
            kind,
            principal=principal,
            row=row,
            changes=data.model_dump(exclude_unset=True),
            now=now,
            ip=client_ip(request),
        )
        return service.public_model(kind, row, org, private=True, today=local_today(now))

    return router
