"""The FastAPI application."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import NoMatchFound
from starlette.types import ASGIApp

from portal import dbloop, labels
from portal.audit import routes as audit_routes
from portal.auth import api as auth_api
from portal.auth import oidc
from portal.auth import routes as auth_routes
from portal.auth.context import SignInRequired, sign_in_required_handler
from portal.auth.middleware import BodyLimit, NulGuard, SecurityMiddleware
from portal.cases import api as cases_api
from portal.cases import routes as cases_routes
from portal.clusters import api as clusters_api
from portal.clusters import routes as clusters_routes
from portal.dashboards import routes as dashboards_routes
from portal.demands import api as demands_api
from portal.demands import routes as demands_routes
from portal.deps import check_path_ids, load_request_auth
from portal.events import api as events_api
from portal.events import routes as events_routes
from portal.funding import api as funding_api
from portal.funding import routes as funding_routes
from portal.health import api as health_api
from portal.home import routes as home_routes
from portal.incubation import api as incubation_api
from portal.incubation import routes as incubation_routes
from portal.indicators import api as indicators_api
from portal.indicators import routes as indicators_routes
from portal.introductions import api as introductions_api
from portal.introductions import routes as introductions_routes
from portal.kit import errors
from portal.kit.i18n import LocaleMiddleware
from portal.kit.templating import STATIC_DIR
from portal.listings import routes as listings_routes
from portal.matching import api as matching_api
from portal.moderation import routes as moderation_routes
from portal.networks import api as networks_api
from portal.networks import routes as networks_routes
from portal.notifications import api as notifications_api
from portal.notifications import routes as notifications_routes
from portal.observability import metrics, middleware
from portal.observability import routes as observability_routes
from portal.organizations import api as organizations_api
from portal.organizations import routes as organizations_routes
from portal.platforms import api as platforms_api
from portal.platforms import routes as platforms_routes
from portal.reports import routes as reports_routes
from portal.saved_searches import api as saved_searches_api
from portal.saved_searches import routes as saved_searches_routes
from portal.search import api as search_api
from portal.settings import Settings, get_settings
from portal.solutions import api as solutions_api
from portal.solutions import routes as solutions_routes
from portal.zones import api as zones_api
from portal.zones import routes as zones_routes

log = logging.getLogger("portal")

# FastAPI tries the routers in this order, and every route of each router before the one
# that answers (issue 19: a tenth of a page's time went to looking up its route). The
# busiest first: the public pages, a demand's page, the search and matching APIs. No two
# routers share a path (tests/test_routers.py), so the order never changes which answers.
ROUTERS = (
    home_routes.router,
    solutions_routes.router,
    demands_routes.router,
    dashboards_routes.router,  # /progress, /dashboard
    search_api.router,
    matching_api.router,
    health_api.router,
    cases_routes.router,
    networks_routes.router,
    zones_routes.router,
    clusters_routes.router,
    indicators_routes.router,
    listings_routes.router,  # /my/listings, /opportunities
    # Accounts and security (issue 3): pages, then the JSON API.
    auth_routes.router,
    organizations_routes.router,
    notifications_routes.router,  # the bell, on every signed-in page (issue 14)
    audit_routes.router,
    moderation_routes.router,
    # Introductions (issue 13), events (issue 15), the evaluation report (issue 17), saved
    # searches (issue 14), funding, shared platforms and incubation (issue 16).
    introductions_routes.router,
    events_routes.router,
    reports_routes.router,
    saved_searches_routes.router,
    funding_routes.router,
    funding_routes.actions,
    platforms_routes.router,
    incubation_routes.router,
    # The JSON API (every JSON route is in OpenAPI).
    cases_api.router,
    indicators_api.router,
    auth_api.router,
    organizations_api.router,
    solutions_api.router,
    demands_api.router,
    networks_api.router,
    zones_api.router,
    clusters_api.router,
    introductions_api.router,
    events_api.router,
    notifications_api.router,
    saved_searches_api.router,
    funding_api.router,
    funding_api.matches,
    platforms_api.router,
    incubation_api.router,
    incubation_api.fit,
    observability_routes.router,  # /metrics (issue 19), outside OpenAPI
)


@asynccontextmanager
async def _background(app: FastAPI) -> AsyncIterator[None]:
    """Set the indexes up (a missing one is rebuilt from the database) and start the outbox
    runner, which applies index changes and sends queued mail; a search backend that is down
    does not stop the portal. Each worker process runs this; the outbox leases make them
    build, drain and deliver one at a time."""
    from sqlmodel import Session

    from matching.search import SearchBackendError
    from portal import outbox
    from portal.db import get_engine
    from portal.mail import MailDrain, get_mailer
    from portal.search.gateway import get_gateway
    from portal.search.sync import OutboxDrainer, ensure_search_ready

    engine, gateway = get_engine(), get_gateway()
    ready = True
    try:
        ensure_search_ready(engine, gateway)
    except SearchBackendError as exc:
        ready = False  # the drainer tries again
        log.warning("search backend not ready at start-up: %s", exc)
    drainer = OutboxDrainer(lambda: Session(engine), gateway, ready=ready)
    app.state.drainer = drainer  # /healthz reads its last error
    runner = outbox.OutboxRunner([drainer, MailDrain(lambda: Session(engine), get_mailer())])
    runner.start()
    stop_waking = outbox.on_commit(runner.wake)  # a commit's index changes and mail go at once
    try:
        yield
    finally:
        stop_waking()
        runner.stop()


def _settle(app: FastAPI) -> None:
    """Load what requests share (the segmentation dictionary, the vocabularies, the match
    lexicon, the templates, the routes), then leave it out of the garbage collector's full
    passes (``gc.freeze``): under load a full pass came every few seconds and traversed those
    ~220,000 objects for ~120 ms, a pause that every request in flight waited out (the p99
    of every route)."""
    from portal.kit.templating import templates
    from portal.matching.service import lexicon
    from portal.reference.vocab import get_vocabularies
    from portal.search.gateway import get_gateway

    get_vocabularies()
    lexicon()
    get_gateway().pipeline.query_tokens("5G 陶瓷 glaze")
    # Every template compiled now rather than by its first request (issue 19): the memory
    # a worker has at start is what it serves with, and no first request waits for it.
    for name in templates.env.list_templates():
        templates.env.get_template(name)
    # FastAPI builds an included router's routes when a request first looks through them
    # (~5 MB, ~1 s); looking up a name no route has makes it build them all.
    with suppress(NoMatchFound):
        app.url_path_for("no route has this name")
    gc.collect()
    gc.freeze()


def _lifespan(background_sync: bool) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The OIDC issuer is pinned: a provider whose discovery names another issuer stops us.
        await oidc.check_at_startup(get_settings())
        try:
            if background_sync:
                await run_in_threadpool(_settle, app)
                async with _background(app):
                    yield
            else:
                yield
        finally:
            await dbloop.close_loop_reader()
        metrics.process_ended()

    return lifespan


class PortalApp(FastAPI):
    """FastAPI with the security headers, the body limit and the NUL guard outside
    everything: Starlette's error middleware is always the outermost layer of the stack it
    builds, so a middleware added the usual way never sees the 500 it sends."""

    production = False  # HSTS too; set from the settings by create_app
    max_body_bytes = Settings.model_fields["portal_max_body_bytes"].default  # likewise

    def build_middleware_stack(self) -> ASGIApp:
        inner = NulGuard(super().build_middleware_stack())
        # Outside the NUL guard, which reads form and JSON bodies to look into them.
        limited = BodyLimit(inner, max_bytes=self.max_body_bytes)
        # The language is chosen before anything renders, error pages included (issue 18).
        # Request ids, per-route metrics and access lines outside all (issue 19).
        return middleware.observed(
            LocaleMiddleware(SecurityMiddleware(limited, production=self.production))
        )


def create_app(*, background_sync: bool = True) -> FastAPI:
    """The application; ``background_sync=False`` leaves the outboxes (index changes and
    mail) to the caller (tests)."""
    app = PortalApp(
        lifespan=_lifespan(background_sync),
        title="湖南5G应用产业生态对接平台 (Hunan 5G application ecosystem portal)",
        version="0.1.0",
        description=(
            "Hunan 5G application ecosystem matchmaking portal: demands, solutions, "
            "benchmark cases, the plan's indicators and 5G industry private networks."
        ),
        docs_url="/api/docs",
        redoc_url=None,
        # Who is asking (session cookie or Bearer token), and the CSRF check, for every route.
        # Ids in paths beyond the database's integer range are a 404 for every route.
        dependencies=[
            Depends(load_request_auth),
            Depends(check_path_ids),
            Depends(notifications_routes.load_unread),  # the bell's count (issue 14)
        ],
    )
    labels.register()
    app.production = not get_settings().is_development
    app.max_body_bytes = get_settings().portal_max_body_bytes
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(errors.PortalError, errors.portal_error_handler)
    app.add_exception_handler(SignInRequired, sign_in_required_handler)
    app.add_exception_handler(StarletteHTTPException, errors.http_error_handler)
    app.add_exception_handler(RequestValidationError, errors.validation_error_handler)
    app.add_exception_handler(Exception, errors.server_error_handler)
    for router in ROUTERS:
        app.include_router(router)
    return app
