"""The portal under a real uvicorn server on 127.0.0.1, for tests that need real HTTP:
the response really leaves before or after the commit, requests really run side by side."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from portal.auth.sessions import SESSION_COOKIE
from tests.factories import PASSWORD
from tests.support.web import csrf_of


@contextmanager
def live_server(app: FastAPI, **options: Any) -> Iterator[str]:
    """Serve ``app`` on a free port in a thread; yields its base URL. ``options`` go to
    ``uvicorn.Config`` (e.g. what ``portal serve`` passes, :func:`portal.cli.server_options`)."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="on", **options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def session_cookie(response: httpx.Response) -> str | None:
    """The ``Cookie`` header value for the session a response sets. Kept by hand: the cookie
    is Secure, and cookie jars do not send a Secure cookie to http://127.0.0.1 as browsers do."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{SESSION_COOKIE}="):
            return header.split(";")[0]
    return None


def sign_in_over_http(http: httpx.Client, email: str, password: str = PASSWORD) -> tuple[str, str]:
    """Sign in through the form of a live server; the session's ``Cookie`` header value and
    its CSRF token."""
    page = http.get("/login")
    anonymous = session_cookie(page)
    assert anonymous, page.text
    form = {"email": email, "password": password, "csrf_token": csrf_of(page.text)}
    signed = http.post("/login", data=form, headers={"cookie": anonymous})
    assert signed.status_code == 303, signed.text
    cookie = session_cookie(signed)
    assert cookie
    account = http.get("/account", headers={"cookie": cookie})
    assert account.status_code == 200 and email in account.text, account.status_code
    return cookie, csrf_of(account.text)
