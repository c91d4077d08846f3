"""The organisation profile: what its members may change, and the JSON models."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from portal.auth.schemas import email_error
from portal.inputs import text_error
from portal.kit.i18n import _
from portal.models import OrganizationPublic
from portal.reference.vocab import get_vocabularies

# Fields a member edits; kind, credit code and the verified badge are not among them.
PROFILE_FIELDS = (
    "name",
    "city",
    "website",
    "description",
    "contact_name",
    "contact_phone",
    "contact_email",
)
_PHONE = re.compile(r"^[0-9+\-() ]{5,32}$")


class OrganizationUpdate(BaseModel):
    """``PATCH /api/v1/organizations/{id}``: only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str | None = Field(default=None, max_length=200)
    city: str | None = None
    website: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    contact_name: str | None = Field(default=None, max_length=64)
    contact_phone: str | None = Field(default=None, max_length=32)
    contact_email: str | None = Field(default=None, max_length=254)


class OrganizationPrivate(OrganizationPublic):
    """What members of the organisation and officials see: with the contact details."""

    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None


class MemberPublic(BaseModel):
    user_id: int
    email: str
    display_name: str
    role: Literal["owner", "member"]


def clean_profile(changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Trimmed values and the errors, per field, in Chinese."""
    vocab = get_vocabularies()
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in changes.items():
        if name not in PROFILE_FIELDS:
            continue
        text = (value or "").strip() if isinstance(value, str) or value is None else value
        if name == "name" and not text:
            errors[name] = _("请填写机构名称")
        elif isinstance(text, str) and (
            reason := text_error(text, multiline=name == "description", required=name == "name")
        ):
            errors[name] = reason
        elif name == "name":
            if len(text) > 200:
                errors[name] = _("机构名称不能超过 200 个字符")
        elif name == "city":
            if text not in vocab.terms["city"]:
                errors[name] = _("请选择所在城市")
        elif name == "website":
            if text and (not re.match(r"^https?://[^\s/]+", text) or len(text) > 300):
                errors[name] = _("网址应以 http:// 或 https:// 开头")
        elif name == "description":
            if len(text) > 5000:
                errors[name] = _("简介不能超过 5000 个字符")
        elif name == "contact_name":
            if len(text) > 64:
                errors[name] = _("联系人不能超过 64 个字符")
        elif name == "contact_phone":
            if text and not _PHONE.match(text):
                errors[name] = _("电话号码格式不正确")
        elif name == "contact_email" and text and email_error(text):
            errors[name] = _("邮箱格式不正确")
        if name in ("website", "contact_name", "contact_phone", "contact_email"):
            clean[name] = text or None
        else:
            clean[name] = text
    return clean, errors
