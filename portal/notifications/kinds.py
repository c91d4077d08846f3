"""The kinds of notification: what each is called, who gets it, and the mail default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from portal.kit.i18n import N_

Mode = Literal["immediate", "digest", "off"]
MODES: dict[str, str] = {"immediate": N_("即时"), "digest": N_("每日摘要"), "off": N_("不发邮件")}


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    # Why a person gets it, said in every mail ("您收到此邮件，是因为…").
    reason: str
    default: Mode = "immediate"
    officials: bool = False  # only officials get it (their settings page lists it)


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("listing_approved", N_("发布审核通过"), N_("您所在机构的发布通过了审核")),
        Kind("listing_rejected", N_("发布被驳回"), N_("您所在机构的发布被驳回")),
        Kind("introduction_requested", N_("收到对接请求"), N_("有机构向您所在机构请求对接")),
        Kind("introduction_accepted", N_("对接请求被接受"), N_("您所在机构发出的对接请求被接受")),
        Kind("introduction_declined", N_("对接请求被婉拒"), N_("您所在机构发出的对接请求被婉拒")),
        Kind(
            "introduction_expired",
            N_("对接请求已过期"),
            N_("您所在机构参与的对接请求无人回复已过期"),
        ),
        Kind("introduction_message", N_("对接新消息"), N_("对接的另一方发来了新消息")),
        Kind("introduction_stage", N_("对接进展更新"), N_("对接的另一方更新了进展")),
        Kind(
            "agenda_changed", N_("对接会日程"), N_("您所在机构在对接会上的洽谈日程已生成或有变动")
        ),
        Kind("funding_call", N_("新的资金扶持"), N_("新发布的资金扶持适用于您所在机构的需求")),
        Kind(
            "funding_deadline",
            N_("收藏的资金扶持即将截止"),
            N_("您所在机构收藏的资金扶持将在 7 天内截止申请"),
        ),
        Kind("new_match", N_("新的匹配"), N_("新发布的条目与您所在机构的发布高度匹配")),
        Kind("saved_search_match", N_("保存的搜索有新结果"), N_("新发布的条目符合您保存的搜索")),
        Kind("listing_expiring", N_("发布即将到期"), N_("您所在机构的发布将在 14 天内到期")),
        Kind(
            "freshness_check",
            N_("请确认信息仍然有效"),
            N_("您所在机构的发布已 90 天未确认，请确认它仍然有效"),
        ),
        Kind(
            "review_pending",
            N_("待审核发布"),
            N_("您是主管部门用户，每天早上收到待审核发布的摘要"),
            officials=True,
        ),
        Kind(
            "declaration_pending",
            N_("待确认专网申报"),
            N_("您是主管部门用户，每天早上收到企业专网申报待确认的摘要"),
            officials=True,
        ),
    )
}


def label(code: str) -> str:
    kind = KINDS.get(code)
    return kind.label if kind else code
