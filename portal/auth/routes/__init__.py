"""Account pages (HTML), one module per concern: sign-in and sign-out, OpenID Connect,
registration and password reset, my account, invitations, and the admins' user list.

Every form works without JavaScript: POST, then a 303 redirect; a refused form is shown
again with the message next to each field and what was typed (never a password).
"""

from __future__ import annotations

from fastapi import APIRouter

from portal.auth.routes import account, invitations, oidc, registration, signin

router = APIRouter()
for _module in (signin, oidc, registration, account, invitations):
    router.include_router(_module.router)
