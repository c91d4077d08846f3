"""Funding eligibility and shared-platform fit: pure functions, each verdict explained.

A funding call (资金扶持) is matched to a project (a demand) by hard gates — industry,
place, kind of organisation, project stage, deadline, the project's size against the
call's smallest amount — then ranked among the eligible. A call the project fails only by
its stage (it has not reached the stage the call asks for) is "not yet eligible": shown with
what is missing, because the project can still get there. Any other failed gate hides it.

A shared technology platform (共性技术平台) fits a project that needs one of its
capabilities (positioning, AI, ultra-HD video, AR/VR) and serves the project's city.

Nothing here imports the web application: the portal turns rows into these documents and
gives the Chinese labels (:class:`matching.features.Labels`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from matching.features import Labels
from matching.messages import _

# The stages of a project after an accepted introduction, in order (the introductions'
# pipeline); a project with none has not started.
STAGES = ("poc", "contract", "network_live")
WIDE_REGIONS = ("hunan", "national")


@dataclass(frozen=True)
class Project:
    """A demand as funding and platforms see it."""

    industry: str
    city: str
    zone: str | None = None
    org_kind: str = "enterprise"
    stage: str | None = None  # the furthest stage reached: poc, contract, network_live
    budget: float | None = None  # 万元: the demand's budget (its upper bound when given)
    needs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # capability → why
    words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FundingCall:
    id: int
    external_id: str
    title: str
    industries: tuple[str, ...] = ()  # empty: any industry
    regions: tuple[str, ...] = ()  # cities, pilot zones, hunan, national
    org_kinds: tuple[str, ...] = ()  # empty: any kind
    stages: tuple[str, ...] = ()  # empty: any stage
    amount_min: float | None = None
    amount_max: float | None = None
    cost_share: float | None = None  # %, the largest share of the project's cost
    deadline: date | None = None  # the last day one may apply
    words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SharedPlatform:
    id: int
    external_id: str
    title: str
    capabilities: tuple[str, ...]
    regions: tuple[str, ...]
    verified: bool = False


@dataclass
class Verdict:
    """``shown`` False: a gate the project cannot pass (not listed). ``eligible`` False
    with ``shown``: not yet, ``missing`` says what it lacks."""

    id: int
    external_id: str
    title: str
    shown: bool
    eligible: bool
    score: float
    explanation: list[str]
    missing: list[str]


def place_fit(
    city: str, zone: str | None, regions: Iterable[str], labels: Labels
) -> tuple[float, str] | None:
    """How specifically ``regions`` hold the project's place: (specificity, sentence), or
    None when they do not hold it. A pilot zone counts only for a project inside it."""
    regions = tuple(regions)
    if zone and zone in regions and zone != city:
        return 1.0, _("面向{value}，需求位于该园区").format(value=labels("pilot_zone", zone))
    if city in regions:
        return 1.0, _("面向{value}").format(value=labels("city", city))
    if "hunan" in regions:
        return 0.7, _("面向湖南全省")
    if "national" in regions:
        return 0.4, _("面向全国")
    return None


def _stage_index(stage: str | None) -> int:
    return STAGES.index(stage) if stage in STAGES else -1


def _days(n: int) -> str:
    return _("今天截止") if n == 0 else _("还有 {n} 天").format(n=n)


def _blocked(project: Project, call: FundingCall, today: date, labels: Labels) -> bool:
    """Whether a gate hides the call from ``project``: the industry, the place, the kind of
    organisation, the deadline (the deadline day itself is still open), the budget under
    the smallest amount, or a stage the project is already past. Checked before any
    sentence is written: most calls are hidden from most demands."""
    if call.industries and project.industry not in call.industries:
        return True
    if call.org_kinds and project.org_kind not in call.org_kinds:
        return True
    if call.deadline is not None and call.deadline < today:
        return True
    if (
        call.amount_min is not None
        and project.budget is not None
        and project.budget < call.amount_min
    ):
        return True
    if call.stages and project.stage not in call.stages:
        first = min(_stage_index(s) for s in call.stages)
        if _stage_index(project.stage) >= first:
            return True
    return place_fit(project.city, project.zone, call.regions, labels) is None


def _stage_reached(project: Project, call: FundingCall) -> bool:
    return not call.stages or project.stage in call.stages


def is_eligible(project: Project, call: FundingCall, *, today: date, labels: Labels) -> bool:
    """Whether ``project`` may apply to ``call`` now: its verdict's ``eligible``, without
    the sentences (counts over every demand and call)."""
    return not _blocked(project, call, today, labels) and _stage_reached(project, call)


def funding_verdict(project: Project, call: FundingCall, *, today: date, labels: Labels) -> Verdict:
    """The call's gates for ``project`` and, when it is shown, its reasons, what is
    missing and its rank among the eligible."""
    if _blocked(project, call, today, labels):
        return Verdict(call.id, call.external_id, call.title, False, False, 0.0, [], [])
    reasons: list[str] = []
    missing: list[str] = []
    if not call.industries:
        industry_fit = 0.5
        reasons.append(_("不限行业"))
    else:
        industry_fit = 1.0
        reasons.append(_("支持{value}行业").format(value=labels("industry", project.industry)))
    place = place_fit(project.city, project.zone, call.regions, labels)
    assert place is not None
    place_score, place_note = place
    reasons.append(place_note)
    if call.org_kinds:
        reasons.append(_("{value}可申请").format(value=labels("org_kind", project.org_kind)))
    if call.deadline is not None:
        left = (call.deadline - today).days
        reasons.append(
            _("申请截止 {value}（{days}）").format(
                value=call.deadline.isoformat(), days=_days(left)
            )
        )
    else:
        reasons.append(_("长期受理"))
    support_fit = 0.5
    if call.amount_min is not None:
        if project.budget is None:
            missing.append(
                _("需求未填写预算，请核对申请门槛（{amount_min:g} 万元起）").format(
                    amount_min=call.amount_min
                )
            )
        else:
            reasons.append(
                _("项目预算 {budget:g} 万元，达到 {amount_min:g} 万元的申请门槛").format(
                    budget=project.budget, amount_min=call.amount_min
                )
            )
    if project.budget:
        cap = call.amount_max
        if call.cost_share is not None:
            share = project.budget * call.cost_share / 100
            cap = share if cap is None else min(cap, share)
        if cap is not None:
            support_fit = min(1.0, cap / project.budget)
            reasons.append(
                _("预计最多可获支持 {cap:g} 万元（约占预算 {support_fit:.0%}）").format(
                    cap=cap, support_fit=support_fit
                )
            )
    # Stage: a project that has not yet reached the call's first stage may get there.
    eligible = _stage_reached(project, call)
    stage_fit = 0.6
    if call.stages:
        if eligible:
            stage_fit = 1.0
            reasons.append(
                _("项目已进入{value}阶段").format(
                    value=labels("funding_stage", project.stage or "")
                )
            )
        else:
            first = min(call.stages, key=_stage_index)
            missing.insert(
                0, _("需进入{value}阶段后可申请").format(value=labels("funding_stage", first))
            )
    else:
        reasons.append(_("不限项目阶段"))
    overlap = len(project.words & call.words) / len(call.words) if call.words else 0.0
    text_fit = min(1.0, overlap * 2)
    score = (
        0.3 * industry_fit
        + 0.25 * place_score
        + 0.2 * support_fit
        + 0.1 * stage_fit
        + 0.15 * text_fit
    )
    if not eligible:
        score *= 0.5
    return Verdict(
        call.id, call.external_id, call.title, True, eligible, round(score, 4), reasons, missing
    )


def rank_funding(
    project: Project, calls: Iterable[FundingCall], *, today: date, labels: Labels
) -> list[Verdict]:
    """The calls shown for ``project``: the eligible first, then the not-yet-eligible, each
    by score."""
    verdicts = [funding_verdict(project, c, today=today, labels=labels) for c in calls]
    shown = [v for v in verdicts if v.shown]
    return sorted(shown, key=lambda v: (not v.eligible, -v.score, v.id))


def platform_verdict(
    project: Project, platform: SharedPlatform, *, labels: Labels
) -> Verdict | None:
    """The platform as a component for ``project``: None when it offers nothing the project
    needs or does not serve its city (the province and the nation count)."""
    offered = [c for c in project.needs if c in platform.capabilities]
    if not offered:
        return None
    regions = tuple(r for r in platform.regions if r == project.city or r in WIDE_REGIONS)
    place = place_fit(project.city, None, regions, labels)
    if place is None:
        return None
    place_score, place_note = place
    reasons = [
        _("提供{value}").format(value=labels("platform_capability", c))
        + _why(project.needs[c], labels)
        for c in offered
    ]
    reasons.append(_("服务区域：{value}").format(value=place_note.removeprefix("面向")))
    lacking = [c for c in project.needs if c not in platform.capabilities]
    missing = (
        [_("不提供：{value}").format(value=labels.join("platform_capability", lacking))]
        if lacking
        else []
    )
    coverage = len(offered) / len(project.needs)
    score = 0.6 * coverage + 0.3 * place_score + 0.1 * (1.0 if platform.verified else 0.0)
    if platform.verified:
        reasons.append(_("运营机构已认证"))
    return Verdict(
        platform.id,
        platform.external_id,
        platform.title,
        True,
        True,
        round(score, 4),
        reasons,
        missing,
    )


def _why(sources: tuple[str, ...], labels: Labels) -> str:
    return _("（需求涉及{value}）").format(value=labels.join("need", sources)) if sources else ""


def rank_platforms(
    project: Project, platforms: Iterable[SharedPlatform], *, labels: Labels
) -> list[Verdict]:
    verdicts = [platform_verdict(project, p, labels=labels) for p in platforms]
    return sorted((v for v in verdicts if v), key=lambda v: (-v.score, v.id))


def platform_needs(
    scenarios: Iterable[str],
    capabilities: Iterable[str],
    needs_of: Mapping[str, Iterable[str]],
) -> dict[str, tuple[str, ...]]:
    """The shared capabilities a project needs, each with the scenarios and 5G capabilities
    that call for it (``needs_of``: a scenario or capability code → platform capabilities)."""
    out: dict[str, list[str]] = {}
    for code in (*scenarios, *capabilities):
        for need in needs_of.get(code, ()):
            out.setdefault(need, [])
            if code not in out[need]:
                out[need].append(code)
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class Vendor:
    """A vendor as incubation sees it: where it is, what its solutions address, its record."""

    city: str
    industries: frozenset[str] = frozenset()  # of its published solutions
    cases: int = 0  # benchmark cases naming it
    networks: int = 0  # networks born of its introductions


@dataclass(frozen=True)
class Programme:
    id: int
    external_id: str
    title: str
    industries: tuple[str, ...] = ()  # empty: any industry
    regions: tuple[str, ...] = ()  # cities, parks, hunan, national
    support: tuple[str, ...] = ()
    starts_on: date | None = None
    ends_on: date | None = None


YOUNG_CASES = 3  # fewer benchmark cases than this, and no network yet: a young vendor


def is_young(vendor: Vendor) -> bool:
    return vendor.cases < YOUNG_CASES and vendor.networks == 0


def incubation_verdict(
    vendor: Vendor, programme: Programme, *, today: date, parks: Mapping[str, str], labels: Labels
) -> Verdict | None:
    """The programme for a vendor: None when it has ended, or is not open to the vendor's
    city (``parks``: a park code → its city; a park's programme is open to its city's
    vendors) or to any industry the vendor works in."""
    if programme.ends_on is not None and programme.ends_on < today:
        return None
    regions = programme.regions
    in_park = [p for p in regions if parks.get(p) == vendor.city]
    if vendor.city in regions:
        place_score, place_note = 1.0, _("面向{value}").format(value=labels("city", vendor.city))
    elif in_park:
        place_score, place_note = (
            1.0,
            _("位于{value}（本市）").format(value=labels("pilot_zone", in_park[0])),
        )
    elif "hunan" in regions:
        place_score, place_note = 0.7, _("面向湖南全省")
    elif "national" in regions:
        place_score, place_note = 0.4, _("面向全国")
    else:
        return None
    reasons = [place_note]
    missing: list[str] = []
    if not programme.industries:
        industry_score = 0.5
        reasons.append(_("不限行业"))
    elif not vendor.industries:
        industry_score = 0.3
        missing.append(_("尚未发布解决方案，无法核对行业方向"))
    else:
        shared = [c for c in programme.industries if c in vendor.industries]
        if not shared:
            return None
        industry_score = 1.0
        reasons.append(
            _("与您的方案行业相同：{value}").format(value=labels.join("industry", shared))
        )
    if programme.support:
        reasons.append(
            _("提供：{value}").format(value=labels.join("incubation_support", programme.support))
        )
    if programme.starts_on is not None:
        started = programme.starts_on <= today
        reasons.append(f"{programme.starts_on.isoformat()} {_('已开营') if started else _('开营')}")
    score = round(
        0.5 * industry_score + 0.4 * place_score + 0.1 * min(1, len(programme.support) / 4), 4
    )
    return Verdict(
        programme.id, programme.external_id, programme.title, True, True, score, reasons, missing
    )


def rank_incubation(
    vendor: Vendor,
    programmes: Iterable[Programme],
    *,
    today: date,
    parks: Mapping[str, str],
    labels: Labels,
) -> list[Verdict]:
    verdicts = [
        incubation_verdict(vendor, p, today=today, parks=parks, labels=labels) for p in programmes
    ]
    return sorted((v for v in verdicts if v), key=lambda v: (-v.score, v.id))
