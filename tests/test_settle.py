"""A serving process loads what requests share at start and leaves it out of the garbage
collector's full passes (their pauses were the p99 of every route under load)."""

from __future__ import annotations

import gc

from portal.app import _settle, create_app


def test_what_requests_share_is_loaded_and_frozen_at_start() -> None:
    gc.unfreeze()
    try:
        _settle(create_app(background_sync=False))
        assert gc.get_freeze_count() > 100_000  # the dictionaries and vocabularies
    finally:
        gc.unfreeze()


def test_every_template_is_compiled_at_start() -> None:
    """Compiled at start, not by the first request of each page: the memory a worker
    reports at start is what it serves with (issue 19), and first requests are not slow."""
    from portal.kit.templating import templates

    app = create_app(background_sync=False)
    cache = templates.env.cache
    assert cache is not None
    cache.clear()
    gc.unfreeze()
    try:
        _settle(app)
    finally:
        gc.unfreeze()
    compiled = {name for _loader, name in cache}
    assert compiled == set(templates.env.list_templates())


def test_the_routes_are_built_at_start() -> None:
    """FastAPI builds an included router's routes (their dependants, their validators) when
    a request first looks through them: at start instead, for the same reasons."""
    app = create_app(background_sync=False)
    included = [r for r in app.router.routes if hasattr(r, "_effective_candidates_version")]
    assert included  # FastAPI's included routers, whose routes are built when first needed
    gc.unfreeze()
    try:
        _settle(app)
    finally:
        gc.unfreeze()
    assert all(r._effective_candidates_version is not None for r in included)
