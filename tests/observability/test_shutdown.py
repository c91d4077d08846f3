"""A stop (SIGTERM, as ``docker compose stop`` sends it) of ``portal serve --workers 2``:
requests in flight are answered, open connections are closed, the processes exit. A client
stalled halfway through a request used to keep the server up for as long as it stayed
connected (issue 19: 11 minutes after a load test, until a second signal).

The waits are hang guards (:data:`HANG_GUARD_S`), not speed goals."""

from __future__ import annotations

import http.client
import signal
import socket
import threading
from pathlib import Path

from portal.bootstrap import ensure_ready
from tests.observability.serving import HANG_GUARD_S, serving, wait_for

BODY = b'{"padding": "' + b"x" * 64 + b'"}'


def _partial_request(port: int) -> socket.socket:
    """A request whose body has not all arrived yet: the server is reading it (the NUL
    guard reads JSON bodies before any route), so it is in flight."""
    connection = socket.create_connection(("127.0.0.1", port))
    head = (
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(BODY)}\r\n\r\n"
    )
    connection.sendall(head.encode() + BODY[:10])
    return connection


def _idle_keep_alive(port: int) -> http.client.HTTPConnection:
    """A connection kept open after one full answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_GUARD_S)
    connection.request("GET", "/healthz")
    answer = connection.getresponse()
    answer.read()
    assert answer.status == 200
    return connection


def test_a_request_in_flight_is_answered_then_the_server_exits(data_dir: Path) -> None:
    ensure_ready()
    with serving(data_dir, PORTAL_SHUTDOWN_GRACE="60") as served:
        in_flight = _partial_request(served.port)
        served.process.send_signal(signal.SIGTERM)
        # Both workers have begun to stop before the rest of the body arrives.
        wait_for(lambda: served.log_text().count("Shutting down") >= 2, "the workers to stop")
        in_flight.sendall(BODY[10:])
        answer = in_flight.makefile("rb").read()  # answered, then closed by the server
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert served.process.wait(timeout=HANG_GUARD_S) == 0


def _keep_asking(port: int, stop: threading.Event, answered: list[int]) -> None:
    """Requests one after another on one keep-alive connection, until the server closes it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_GUARD_S)
    try:
        while not stop.is_set():
            connection.request("GET", "/solutions")
            answer = connection.getresponse()
            answer.read()
            answered.append(answer.status)
    except (OSError, http.client.HTTPException):
        pass  # closed by the stopping server
    finally:
        connection.close()


def test_a_loaded_server_with_open_connections_exits(data_dir: Path) -> None:
    ensure_ready()
    with serving(data_dir, PORTAL_SHUTDOWN_GRACE="1") as served:
        stop, answered = threading.Event(), list[int]()
        load = [
            threading.Thread(target=_keep_asking, args=(served.port, stop, answered))
            for _ in range(8)
        ]
        for thread in load:
            thread.start()
        idle = [_idle_keep_alive(served.port) for _ in range(16)]
        stalled = [_partial_request(served.port) for _ in range(4)]  # never finished
        wait_for(lambda: len(answered) >= 8, "the load to be under way")
        try:
            assert served.stop() == 0  # the hang guard raises while it runs
        finally:
            stop.set()
            for thread in load:
                thread.join(HANG_GUARD_S)
        assert set(answered) == {200}  # whatever was answered was answered in full
        for connection in idle:
            assert connection.sock is not None
            assert connection.sock.recv(1) == b""  # closed by the server
            connection.close()
        for stalled_connection in stalled:
            stalled_connection.close()
