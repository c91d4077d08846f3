"""A serving process bounds glibc's allocator (issue 19). With its default, each of the
thread pool's threads got an arena of its own (up to 8 per core) and each arena kept the
peak of what its thread had once held: under the mixed load a worker grew from 230 MB to
500 MB while what it really held grew by 20 MB."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from portal.bootstrap import ensure_ready
from tests.observability.serving import serving

pytestmark = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="the bound is glibc's (Debian's, the image's)"
)

# Six threads hold a block from malloc at once, then the process counts glibc's arenas
# (malloc_info writes one <heap nr=…> element per arena).
COUNT_ARENAS = """
import ctypes, sys, threading
{bound}
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
barrier = threading.Barrier(7)
def hold():
    libc.malloc(64 * 1024)
    barrier.wait()
    barrier.wait()
threads = [threading.Thread(target=hold) for _ in range(6)]
for thread in threads:
    thread.start()
barrier.wait()
libc.fdopen.restype = ctypes.c_void_p
out = libc.fdopen(1, b"w")
libc.malloc_info(0, ctypes.c_void_p(out))
libc.fflush(ctypes.c_void_p(out))
barrier.wait()
"""


def _python(code: str, **env: str) -> str:
    """What ``code`` prints, run by a new interpreter with none of glibc's MALLOC_ variables
    but ``env``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _arenas(bound: str) -> int:
    return _python(COUNT_ARENAS.format(bound=bound)).count("<heap nr=")


def test_the_serving_process_itself_keeps_to_two_arenas() -> None:
    assert _arenas("") > 2  # what the test tells apart: glibc's default
    assert _arenas("from portal.allocator import bound_allocator; bound_allocator()") <= 2


def test_the_workers_start_with_the_bound(data_dir: Path) -> None:
    ensure_ready()
    with serving(data_dir, workers=2) as served:
        children = Path(f"/proc/{served.process.pid}/task/{served.process.pid}/children")
        workers = [
            int(pid)
            for pid in children.read_text().split()
            if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert len(workers) == 2
        for worker in workers:
            variables = Path(f"/proc/{worker}/environ").read_bytes().split(b"\0")
            assert b"MALLOC_ARENA_MAX=2" in variables
            assert b"MALLOC_MMAP_THRESHOLD_=131072" in variables
        assert served.stop() == 0


def test_an_operator_s_own_setting_is_kept() -> None:
    code = (
        "import os; from portal.allocator import bound_allocator; bound_allocator(); "
        "print(os.environ['MALLOC_ARENA_MAX'], os.environ['MALLOC_MMAP_THRESHOLD_'])"
    )
    assert _python(code, MALLOC_ARENA_MAX="4").split() == ["4", "131072"]
