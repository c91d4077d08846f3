"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from portal import errors
from portal.cases import api as cases_api
from portal.cases import routes as cases_routes
from portal.health import api as health_api
from portal.home import routes as home_routes
from portal.indicators import api as indicators_api
from portal.indicators import routes as indicators_routes
from portal.templating import STATIC_DIR

# HTML pages first, then the JSON API (every JSON route is in OpenAPI).
ROUTERS = (
    home_routes.router,
    cases_routes.router,
    indicators_routes.router,
    cases_api.router,
    indicators_api.router,
    health_api.router,
)


def create_app() -> FastAPI:
    app = FastAPI(
        title="湖南5G应用产业生态对接平台",
        version="0.1.0",
        description=(
            "Hunan 5G application ecosystem matchmaking portal: demands, solutions, "
            "benchmark cases, the plan's indicators and 5G industry private networks."
        ),
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(errors.PortalError, errors.portal_error_handler)
    app.add_exception_handler(StarletteHTTPException, errors.http_error_handler)
    app.add_exception_handler(RequestValidationError, errors.validation_error_handler)
    for router in ROUTERS:
        app.include_router(router)
    return app
