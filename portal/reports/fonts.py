"""The Chinese font of the evaluation report and its server-drawn charts.

WenQuanYi Micro Hei, from Debian's package ``fonts-wqy-microhei`` (Apache-2.0 / GPLv3 with
the font exception), installed by ``scripts/ensure-system-deps.sh`` (``make run`` and
``make test``). It is a TrueType collection with TrueType outlines, which ReportLab can
subset and embed in the PDF (CJK OpenType/CFF fonts such as Noto CJK it cannot), so the PDF
renders on a machine without the font.
"""

from __future__ import annotations

from pathlib import Path

from portal.kit.errors import PortalError
from portal.kit.i18n import N_, _

FONT_PATHS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # Debian, Ubuntu
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),  # Fedora, Arch
)
FONT_NAME = "WenQuanYi Micro Hei"
DOCX_EAST_ASIAN_FONT = "宋体"  # what Word and WPS show Chinese in by default


class FontMissing(PortalError):
    status_code = 503
    title = N_("缺少中文字体，无法生成报告")


def font_path() -> Path:
    for path in FONT_PATHS:
        if path.exists():
            return path
    raise FontMissing(
        _(
            "缺少中文字体（文泉驿微米黑），无法生成报告：请运行 make run 或 "
            "bash scripts/ensure-system-deps.sh runtime（安装 Debian 的 fonts-wqy-microhei）"
        )
    )
