"""A serving process loads what requests share at start and leaves it out of the garbage
collector's full passes (their pauses were the p99 of every route under load)."""

from __future__ import annotations

import gc

from portal import labels
from portal.app import _settle


def test_what_requests_share_is_loaded_and_frozen_at_start() -> None:
    labels.register()  # as create_app does, before the start
    gc.unfreeze()
    try:
        _settle()
        assert gc.get_freeze_count() > 100_000  # the dictionaries and vocabularies
    finally:
        gc.unfreeze()


def test_every_template_is_compiled_at_start() -> None:
    """Compiled at start, not by the first request of each page: the memory a worker
    reports at start is what it serves with (issue 19), and first requests are not slow."""
    from portal.kit.templating import templates

    labels.register()
    cache = templates.env.cache
    assert cache is not None
    cache.clear()
    gc.unfreeze()
    try:
        _settle()
    finally:
        gc.unfreeze()
    compiled = {name for _loader, name in cache}
    assert compiled == set(templates.env.list_templates())
