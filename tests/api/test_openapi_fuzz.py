"""Schemathesis against /openapi.json, through the ASGI app (no server), a few examples per
operation: no 5xx, and every response that its operation documents matches its schema.

Requests carry an administrator's Bearer token, so the write operations get past
authentication and their validation is exercised too. Everything runs inside the test's
rolled-back transaction, like the rest of the suite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import Request
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlmodel import Session

from portal.app import create_app
from portal.clock import FrozenClock
from portal.db import unit_of_work
from portal.deps import SAFE_METHODS, get_search, get_session, request_clock
from portal.search.gateway import SearchGateway
from tests.factories import make_demand, make_org, make_solution, make_token, make_user

# A few per operation in the suite; PORTAL_FUZZ_EXAMPLES=200 for a deeper hunt by hand.
MAX_EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "8"))


APP = create_app(background_sync=False)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(autouse=True)
def _test_dependencies(
    session: Session, gateway: SearchGateway, clock: FrozenClock
) -> Iterator[None]:
    """The test's session (its transaction is rolled back), search index and clock."""

    def _session_override(request: Request) -> Iterator[Session]:
        # The real unit of work (reads stay read-only), on the test's session.
        yield from unit_of_work(session, write=request.method not in SAFE_METHODS)

    APP.dependency_overrides[get_session] = _session_override
    APP.dependency_overrides[get_search] = lambda: gateway
    APP.dependency_overrides[request_clock] = lambda: clock
    yield
    APP.dependency_overrides.clear()


@pytest.fixture
def bearer(session: Session) -> dict[str, str]:
    admin = make_user(session, role="admin")
    # A few rows, so that reads of ids 1.. sometimes find something.
    vendor = make_org(session, kind="integrator")
    make_solution(session, org=vendor, status="published")
    make_demand(session, status="published")
    token = make_token(session, admin)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=[not_a_server_error, response_schema_conformance])
