"""What the account pages share: safe redirect targets and the sign-in pages' context."""

from __future__ import annotations

from typing import Any

from portal.auth import oidc
from portal.auth.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal.auth.permissions import ROLE_LABELS
from portal.settings import Settings


def sign_in_context(settings: Settings) -> dict[str, Any]:
    """What the sign-in and registration pages show around their forms."""
    return {
        "oidc_enabled": oidc.enabled(settings),
        "demo_accounts": DEMO_ACCOUNTS if settings.is_development else (),
        "demo_password": DEMO_PASSWORD if settings.is_development else None,
        "role_labels": ROLE_LABELS,
    }
