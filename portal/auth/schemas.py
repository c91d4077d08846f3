"""Forms of the account pages (checked field by field, messages in Chinese) and the JSON
models of the account API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, Field

from portal.auth.passwords import password_error
from portal.auth.permissions import VENDOR_KINDS
from portal.kit.i18n import _
from portal.organizations.credit_code import credit_code_error
from portal.reference.vocab import get_vocabularies


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_error(email: str) -> str | None:
    if not email.strip():
        return _("请填写邮箱")
    try:
        validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        return _("邮箱格式不正确")
    return None


@dataclass
class RegistrationForm:
    account_type: str = ""  # enterprise | vendor
    org_kind: str = ""  # for vendors: one of VENDOR_KINDS
    org_name: str = ""
    city: str = ""
    credit_code: str = ""
    display_name: str = ""
    email: str = ""
    password: str = field(default="", repr=False)
    password_confirm: str = field(default="", repr=False)

    @property
    def kind(self) -> str:
        return "enterprise" if self.account_type == "enterprise" else self.org_kind

    def errors(self, *, min_length: int) -> dict[str, str]:
        vocab = get_vocabularies()
        errors: dict[str, str] = {}
        if self.account_type not in ("enterprise", "vendor"):
            errors["account_type"] = _("请选择注册为需求方企业还是供给方")
        elif self.account_type == "vendor" and self.org_kind not in VENDOR_KINDS:
            errors["org_kind"] = _("请选择机构类型")
        name = self.org_name.strip()
        if not name:
            errors["org_name"] = _("请填写机构名称")
        elif len(name) > 200:
            errors["org_name"] = _("机构名称不能超过 200 个字符")
        if self.city not in vocab.terms["city"]:
            errors["city"] = _("请选择所在城市")
        code = self.credit_code.strip().upper()
        if not code:
            errors["credit_code"] = _("请填写统一社会信用代码")
        elif reason := credit_code_error(code):
            errors["credit_code"] = reason
        if len(self.display_name.strip()) > 100:
            errors["display_name"] = _("姓名不能超过 100 个字符")
        if reason := email_error(self.email):
            errors["email"] = reason
        if reason := password_error(self.password, min_length=min_length, email=self.email):
            errors["password"] = reason
        elif self.password != self.password_confirm:
            errors["password_confirm"] = _("两次输入的密码不一致")
        return errors


# --- JSON -----------------------------------------------------------------------------


class MembershipPublic(BaseModel):
    org_id: int
    org_external_id: str
    org_name: str
    role: Literal["owner", "member"]


class Me(BaseModel):
    id: int
    email: str
    display_name: str
    role: Literal["enterprise", "vendor", "official", "admin"]
    memberships: list[MembershipPublic]


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scope: Literal["read", "write"] = "read"


class TokenPublic(BaseModel):
    id: int
    name: str
    prefix: str
    scope: Literal["read", "write"]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="The Bearer token. It is shown only this once.")
