"""A serving process loads what requests share at start and leaves it out of the garbage
collector's full passes (their pauses were the p99 of every route under load)."""

from __future__ import annotations

import gc

from portal.app import _settle


def test_what_requests_share_is_loaded_and_frozen_at_start() -> None:
    gc.unfreeze()
    try:
        _settle()
        assert gc.get_freeze_count() > 100_000  # the dictionaries and vocabularies
    finally:
        gc.unfreeze()
