"""The audit log: who did what, when (UTC) and from where. Never a secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal.kit.i18n import N_
from portal.models import AuditLog, User

# Actions written by the portal, with what an admin reads for each.
ACTIONS = {
    "sign_in.success": N_("登录成功"),
    "sign_in.failure": N_("登录失败"),
    "sign_in.throttled": N_("登录被限流"),
    "sign_out": N_("退出登录"),
    "sign_out.everywhere": N_("退出所有设备"),
    "account.registered": N_("注册账号"),
    "account.verified": N_("确认注册邮箱"),
    "account.register_attempt_existing": N_("用已注册邮箱尝试注册"),
    "account.registration_released": N_("释放逾期未确认的注册"),
    "account.created": N_("创建账号（命令行）"),
    "account.oidc_linked": N_("关联统一身份认证"),
    "password.reset_requested": N_("申请重置密码"),
    "password.reset": N_("重置密码"),
    "user.role_changed": N_("角色变更"),
    "user.disabled": N_("停用账号"),
    "user.enabled": N_("启用账号"),
    "membership.invited": N_("邀请成员"),
    "membership.added": N_("加入机构"),
    "membership.removed": N_("移除成员"),
    "organization.updated": N_("修改机构资料"),
    "organization.verified": N_("认证机构"),
    "listing.approved": N_("审核通过"),
    "listing.rejected": N_("审核驳回"),
    "listing.created": N_("创建发布"),
    "listing.updated": N_("修改发布"),
    "listing.archived": N_("下架解决方案"),
    "listing.closed": N_("关闭需求"),
    "listing.confirmed": N_("确认发布仍然有效"),
    "funding.shortlisted": N_("收藏资金扶持"),
    "funding.unshortlisted": N_("取消收藏资金扶持"),
    "case.created": N_("新增标杆案例"),
    "case.updated": N_("修改标杆案例"),
    "indicator.edited": N_("修改指标"),
    "indicator.target_set": N_("设定指标目标"),
    "indicator.sheet_imported": N_("导入指标统计表"),
    "network.created": N_("登记专网"),
    "network.updated": N_("修改专网"),
    "network.declared": N_("企业申报专网"),
    "network.confirmed": N_("确认专网"),
    "network.imported": N_("导入专网"),
    "contact.disclosed": N_("披露联系方式"),
    "introduction.requested": N_("请求对接"),
    "introduction.accepted": N_("接受对接"),
    "introduction.declined": N_("婉拒对接"),
    "introduction.stage": N_("对接进展"),
    "token.created": N_("创建 API 令牌"),
    "token.revoked": N_("撤销 API 令牌"),
}

_SECRET_WORDS = ("password", "secret", "token", "csrf", "hash", "code_verifier", "nonce")


def _scrub(detail: dict[str, Any]) -> dict[str, Any]:
    """Drop anything that looks like a secret, whatever a caller passes."""
    clean: dict[str, Any] = {}
    for key, value in detail.items():
        if any(word in key.lower() for word in _SECRET_WORDS):
            continue
        clean[key] = _scrub(value) if isinstance(value, dict) else value
    return clean


def record(
    session: Session,
    *,
    action: str,
    now: datetime,
    actor: User | None = None,
    actor_label: str | None = None,
    entity: str | None = None,
    entity_id: str | int | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditLog:
    entry = AuditLog(
        at=now,
        actor_user_id=actor.id if actor is not None else None,
        actor=(actor.email if actor is not None else actor_label or "system")[:254],
        action=action,
        entity=entity,
        entity_id=str(entity_id) if entity_id is not None else None,
        detail=_scrub(detail or {}),
        ip=(ip or None) and ip[:64],
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass
class AuditPage:
    items: list[AuditLog]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def search(
    session: Session,
    *,
    action: str | None = None,
    actor: str | None = None,
    entity: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    statement = select(AuditLog)
    if action:
        # "sign_in" finds sign_in.success, sign_in.failure …
        statement = statement.where(
            (col(AuditLog.action) == action) | col(AuditLog.action).startswith(action + ".")
        )
    if actor:
        statement = statement.where(col(AuditLog.actor).contains(actor.strip().lower()))
    if entity:
        statement = statement.where(AuditLog.entity == entity)
    if since:
        statement = statement.where(col(AuditLog.at) >= since)
    if until:
        statement = statement.where(col(AuditLog.at) < until)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(
        statement.order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return AuditPage(items=list(rows), total=int(total), page=page, per_page=per_page)
