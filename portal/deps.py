"""Dependencies as ``Annotated`` aliases, in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Generator
from functools import partial
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from portal.auth import context as auth_context
from portal.auth import language
from portal.auth.permissions import Principal
from portal.auth.sessions import SessionPolicy
from portal.clock import Clock, get_clock
from portal.db import autocommits, become_write, get_engine, read_engine, unit_of_work
from portal.inputs import MAX_INT
from portal.kit import i18n
from portal.kit.errors import NotFound
from portal.kit.i18n import _
from portal.models import User, WebSession
from portal.search.gateway import SearchGateway, get_gateway
from portal.settings import Settings, get_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work (:func:`portal.db.unit_of_work`). Its database work (a
    write's BEGIN, the commit or the rollback, giving the connection back) runs in worker
    threads; a session that never reached the database is opened and closed here, on the
    event loop: two worker-thread hops saved for every request that needs none."""
    write = request.method not in SAFE_METHODS
    engine = get_engine() if write else read_engine(get_engine())
    session = Session(engine, expire_on_commit=False)
    work = unit_of_work(session, write=write)
    try:
        # A write's unit of work begins with the database (BEGIN IMMEDIATE on SQLite).
        await _off_the_loop(session, partial(next, work), always=write)
        try:
            yield session
        except BaseException as exc:
            await _off_the_loop(session, partial(_abandon, work, exc))
            raise
        if _ends_without_io(session):
            _complete(work)
        else:
            await _off_the_loop(session, partial(_complete, work))
    finally:
        await _off_the_loop(session, session.close)


async def _off_the_loop(
    session: Session, step: Callable[[], object], *, always: bool = False
) -> None:
    touched = session.in_transaction() or session.new or session.dirty or session.deleted
    if always or touched:
        await run_in_threadpool(step)
    else:
        step()


def _ends_without_io(session: Session) -> bool:
    """A read on PostgreSQL's autocommitting engine with nothing pending: its commit and
    the connection's return send nothing (psycopg has no transaction to end), so they run
    here rather than cost a worker-thread hop."""
    return autocommits(session) and not (session.new or session.dirty or session.deleted)


def _complete(work: Generator[Session, None, None]) -> None:
    for _session in work:  # the commit
        pass


def _abandon(work: Generator[Session, None, None], exc: BaseException) -> None:
    try:
        work.throw(exc)  # the rollback, then exc again
    except BaseException as again:
        if again is not exc:
            raise


MAX_ID = MAX_INT  # PostgreSQL's integer; no row has a larger id


async def check_path_ids(request: Request) -> None:
    """App-wide: an id in the path beyond the database's integer range names no row, so it
    is a 404 here rather than a driver's overflow error further on. Async: no worker
    thread for a few string checks."""
    for name, value in request.path_params.items():
        if name.endswith("_id") and isinstance(value, str):
            digits = value[1:] if value.startswith(("-", "+")) else value
            if digits.isascii() and digits.isdigit() and int(digits) > MAX_ID:
                raise NotFound()


# The dependencies below do no I/O: async, so that none costs a worker-thread hop.


async def get_search() -> SearchGateway:
    return get_gateway()


async def request_clock() -> Clock:
    """The clock of a request (tests override this dependency to move time)."""
    return get_clock()


# Function scope: the commit runs when the handler returns, before the response is sent
# (FastAPI runs a request-scoped dependency's exit only after the response went out).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _write_transaction(session: SessionDep) -> None:
    become_write(session)


# For the few GET routes that change state by design (``dependencies=[WRITES_ON_GET]``).
WRITES_ON_GET = Depends(_write_transaction)
SearchDep = Annotated[SearchGateway, Depends(get_search)]
ClockDep = Annotated[Clock, Depends(request_clock)]


# --- who is asking (issue 3) ------------------------------------------------------------


async def get_session_policy() -> SessionPolicy:
    return _policy_of(get_settings())


_last_policy: tuple[Settings, SessionPolicy] | None = None


def _policy_of(settings: Settings) -> SessionPolicy:
    """The policy of ``settings``, made once for as long as the settings stay the same
    object (every request asks; tests that change the settings make a new one)."""
    global _last_policy
    if _last_policy is None or _last_policy[0] is not settings:
        _last_policy = (settings, SessionPolicy.from_settings(settings))
    return _last_policy[1]


SessionPolicyDep = Annotated[SessionPolicy, Depends(get_session_policy)]


async def load_request_auth(
    request: Request, session: SessionDep, clock: ClockDep, policy: SessionPolicyDep
) -> None:
    """App-wide: the session or Bearer token of this request (in a worker thread: no
    database call blocks the event loop), then the CSRF check of every state-changing
    request. Runs once per request (FastAPI caches it); a request with neither a cookie
    nor a token (most visitors) needs no database, nor a worker thread. A browser's read
    with a live session reads it on the event loop (:mod:`portal.dbloop`), without a
    worker thread either, unless something is to be written."""
    locale: str = getattr(request.state, "locale", i18n.SOURCE)
    safe = request.method in SAFE_METHODS
    now = clock.now()
    if safe and await auth_context.load_read_on_loop(request, session, now=now, policy=policy):
        locale = language.apply_profile(request, session)  # nothing to save: no database
    elif auth_context.carries_credentials(request):

        def load() -> str:
            auth_context.load(request, session, now=now, policy=policy)
            if not safe:
                return locale
            # A read needs no CSRF check: the profile's language in the same worker-thread
            # hop (it may save a ?lang= choice, which a write does only once checked).
            return language.apply_profile(request, session)

        locale = await run_in_threadpool(load)
    else:
        auth_context.load_anonymous(request)
    await auth_context.check_csrf(request)
    if not safe and getattr(request.state, "user", None) is not None:
        locale = await run_in_threadpool(language.apply_profile, request, session)
    # Set here, on the request's own context, so that the route and its template see it.
    request.state.locale = locale
    i18n.set_locale(locale)


async def submitted_form(request: Request) -> FormData:
    """The request's form, read on the event loop so that the handler can be a plain ``def``
    (run in a worker thread, where its database calls belong)."""
    return await request.form()


FormDataDep = Annotated[FormData, Depends(submitted_form)]


RequestAuth = Annotated[None, Depends(load_request_auth)]


async def get_optional_user(request: Request, _: RequestAuth) -> User | None:
    user: User | None = getattr(request.state, "user", None)
    return user


async def get_current_user(request: Request, _: RequestAuth) -> User:
    user: User | None = getattr(request.state, "user", None)
    if user is None:
        raise auth_context.SignInRequired()
    return user


async def get_page_principal(request: Request, _: RequestAuth) -> Principal | None:
    return auth_context.page_principal(request)


async def get_signed_in_principal(request: Request, _: RequestAuth) -> Principal:
    """The signed-in user of a page, as the principal services authorise; browsers without
    a session are sent to the sign-in page."""
    principal = auth_context.page_principal(request)
    if principal is None:
        raise auth_context.SignInRequired()
    return principal


async def get_api_principal(request: Request, _auth: RequestAuth) -> Principal:
    """A Bearer token's principal, or the session's (the CSRF header was checked)."""
    principal = auth_context.api_principal(request)
    if principal is None:
        raise auth_context.Unauthorized(_("请提供有效的 API 令牌（Authorization: Bearer）或先登录"))
    return principal


async def get_optional_api_principal(request: Request, _auth: RequestAuth) -> Principal | None:
    if getattr(request.state, "bearer_used", False) and request.state.bearer_principal is None:
        raise auth_context.Unauthorized(_("API 令牌无效或已撤销"))
    return auth_context.api_principal(request)


def get_web_session(
    request: Request, session: SessionDep, clock: ClockDep, policy: SessionPolicyDep, _: RequestAuth
) -> WebSession:
    return auth_context.ensure_web_session(request, session, now=clock.now(), policy=policy)


OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]
PagePrincipal = Annotated[Principal | None, Depends(get_page_principal)]
SignedIn = Annotated[Principal, Depends(get_signed_in_principal)]
ApiPrincipal = Annotated[Principal, Depends(get_api_principal)]
OptionalApiPrincipal = Annotated[Principal | None, Depends(get_optional_api_principal)]
WebSessionDep = Annotated[WebSession, Depends(get_web_session)]


def client_ip(request: Request) -> str | None:
    return auth_context.client_ip(request)
