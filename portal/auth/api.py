"""The account API: who am I, and personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from portal.auth import accounts
from portal.auth import tokens as api_tokens
from portal.auth.permissions import Action, authorize
from portal.auth.schemas import Me, MembershipPublic, TokenCreate, TokenCreated, TokenPublic
from portal.deps import ApiPrincipal, ClockDep, SessionDep, client_ip

router = APIRouter(prefix="/api/v1", tags=["accounts"])

AUTH_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "no valid Bearer token or session"},
    403: {"description": "not allowed, or a missing CSRF header with a session"},
}


@router.get("/me", response_model=Me, summary="The signed-in user", responses=AUTH_RESPONSES)
def me(session: SessionDep, principal: ApiPrincipal) -> Me:
    user = principal.user
    assert user.id is not None
    return Me(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        memberships=[
            MembershipPublic(
                org_id=org.id or 0,
                org_external_id=org.external_id,
                org_name=org.name,
                role=m.role,
            )
            for m, org in accounts.memberships_of(session, user)
        ],
    )


def _public(row: object) -> TokenPublic:
    return TokenPublic.model_validate(row, from_attributes=True)


@router.get(
    "/tokens",
    response_model=list[TokenPublic],
    summary="My personal API tokens (never the tokens themselves)",
    responses=AUTH_RESPONSES,
)
def tokens(session: SessionDep, principal: ApiPrincipal) -> list[TokenPublic]:
    authorize(session, principal, Action.TOKEN_MANAGE, owner_id=principal.user_id)
    return [_public(t) for t in api_tokens.list_tokens(session, user=principal.user)]


@router.post(
    "/tokens",
    response_model=TokenCreated,
    status_code=201,
    summary="Create a personal API token; the token is in this response only",
    responses=AUTH_RESPONSES,
)
def create_token(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    principal: ApiPrincipal,
    body: TokenCreate,
) -> TokenCreated:
    authorize(session, principal, Action.TOKEN_MANAGE, owner_id=principal.user_id)
    raw, row = api_tokens.create_token(
        session,
        user=principal.user,
        name=body.name,
        scope=body.scope,
        now=clock.now(),
        ip=client_ip(request),
    )
    return TokenCreated(**_public(row).model_dump(), token=raw)


@router.delete(
    "/tokens/{token_id}",
    status_code=204,
    summary="Revoke a personal API token",
    responses={**AUTH_RESPONSES, 404: {"description": "no such token"}},
)
def revoke_token(
    request: Request, session: SessionDep, clock: ClockDep, principal: ApiPrincipal, token_id: int
) -> Response:
    api_tokens.revoke_token(
        session, principal=principal, token_id=token_id, now=clock.now(), ip=client_ip(request)
    )
    return Response(status_code=204)
