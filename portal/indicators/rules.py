"""Which values each indicator of 表1 can take: one place, so the form and ``portal import``
refuse the same values with the same words.

Every row of 表1 measures a level — an amount (亿元), a count (万个, 个, 万户, 亿个), a
bandwidth (T), traffic (GB), a share or a rate (%), an index — and none of them can be
negative. The exceptions are decided row by row from what the row measures.
"""

from __future__ import annotations

from datetime import date

from portal.kit.i18n import _
from portal.models import Indicator

# code: (lowest, highest); None for no bound.
BOUNDS: dict[str, tuple[float | None, float | None]] = {
    # 下降幅度 (a fall, in %): negative when consumption rose; it cannot fall by more than all.
    "energy_per_business_drop": (None, 100),
    # PUE is total energy over IT energy: 1 at best.
    "pue_operating_dc": (1, None),
    "pue_new_large_dc": (1, None),
    # Shares of a whole (占比, 覆盖率, 通达率). 普及率 is per hundred people and may pass 100.
    "mobile_ipv6_traffic_share": (0, 100),
    "village_5g_coverage": (0, 100),
    "village_gigabit_fiber": (0, 100),
}
_LEVEL = (0, None)


def value_error(indicator: Indicator, value: float) -> str | None:
    """Why ``value`` (an actual or a target) cannot be a value of ``indicator``, or None."""
    low, high = BOUNDS.get(indicator.code, _LEVEL)
    unit = "" if indicator.unit in ("", "-") else _("（单位：{unit}）").format(unit=indicator.unit)
    if low is not None and value < low:
        return (
            _("{name}不能为负数{unit}").format(name=indicator.name, unit=unit)
            if low == 0
            else _("{name}不能小于 {low:g}").format(name=indicator.name, low=low)
        )
    if high is not None and value > high:
        return _("{name}不能大于 {high:g}{unit}").format(name=indicator.name, high=high, unit=unit)
    return None


def update_error(as_of: date | None, next_update: date | None) -> str | None:
    """Why a figure's next expected update cannot be ``next_update``, or None."""
    if as_of is not None and next_update is not None and next_update <= as_of:
        return _("下次更新日期应晚于发布日期")
    return None
