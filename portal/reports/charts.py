"""The report's charts, drawn on the server with matplotlib (PNG) from the same figures as
the pages' ECharts: the progress of indicator 16, the networks by city, and the Hunan map."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from portal.kit.templating import STATIC_DIR
from portal.reports.fonts import font_path

HUNAN_MAP = STATIC_DIR / "vendor" / "hunan.json"  # ECharts' map, copied from npm at install
_lock = threading.Lock()  # pyplot's state is global: one figure at a time


@lru_cache(maxsize=1)
def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    path = str(font_path())
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    plt.rcParams["font.family"] = [name]
    plt.rcParams["axes.unicode_minus"] = False  # the font has no U+2212
    return plt


def _png(fig: Any) -> bytes:
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def line_chart(
    title: str,
    categories: Sequence[int | str],
    series: Sequence[tuple[str, Sequence[float | None], bool]],
    unit: str,
) -> bytes:
    """Lines over years; each series is (name, values, dashed)."""
    with _lock:
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(8, 3.6))
        x = [str(c) for c in categories]
        for name, values, dashed in series:
            points = [(xi, v) for xi, v in zip(x, values, strict=True) if v is not None]
            if not points:
                continue
            ax.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                linestyle="--" if dashed else "-",
                marker=None if dashed else "o",
                label=name,
            )
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
        return _png(fig)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], unit: str) -> bytes:
    with _lock:
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(8, 3.6))
        ax.bar(list(labels), list(values), color="#2f6fb0")
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
        for i, v in enumerate(values):
            ax.annotate(f"{v:g}", (i, v), ha="center", va="bottom", fontsize=7)
        return _png(fig)


def _decode_ring(encoded: str, offset: Sequence[int]) -> list[tuple[float, float]]:
    """ECharts' compressed coordinates (UTF8Encoding): zigzag deltas, scale 1024."""
    x, y = offset
    points = []
    for i in range(0, len(encoded) - 1, 2):
        dx, dy = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        points.append((x / 1024, y / 1024))
    return points


@lru_cache(maxsize=1)
def hunan_shapes() -> dict[str, list[list[tuple[float, float]]]]:
    """City name as on the map (长沙市) → its outer rings; empty when the map is absent."""
    if not HUNAN_MAP.exists():
        return {}
    data = json.loads(Path(HUNAN_MAP).read_text(encoding="utf-8"))
    encoded = bool(data.get("UTF8Encoding"))
    shapes: dict[str, list[list[tuple[float, float]]]] = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        offsets = (
            [geometry.get("encodeOffsets")]
            if geometry["type"] == "Polygon"
            else geometry.get("encodeOffsets")
        )
        rings = []
        for index, polygon in enumerate(polygons):
            outer = polygon[0]
            if encoded:
                rings.append(_decode_ring(outer, offsets[index][0]))
            else:
                rings.append([(float(a), float(b)) for a, b in outer])
        shapes[feature["properties"]["name"]] = rings
    return shapes


def hunan_map(title: str, counts: dict[str, int]) -> bytes | None:
    """The 14 cities shaded by ``counts`` (map name → networks); None without the map."""
    shapes = hunan_shapes()
    if not shapes:
        return None
    with _lock:
        plt = _pyplot()
        from matplotlib import colormaps
        from matplotlib.patches import Polygon

        fig, ax = plt.subplots(figsize=(6.5, 7))
        top = max(counts.values(), default=0) or 1
        palette = colormaps["Blues"]
        for name, rings in shapes.items():
            n = counts.get(name, 0)
            for ring in rings:
                shade = palette(0.15 + 0.8 * n / top)
                ax.add_patch(
                    Polygon(ring, closed=True, facecolor=shade, edgecolor="#555555", linewidth=0.6)
                )
            ring = max(rings, key=len)
            cx = sum(p[0] for p in ring) / len(ring)
            cy = sum(p[1] for p in ring) / len(ring)
            ax.annotate(f"{name}\n{n}", (cx, cy), ha="center", va="center", fontsize=7)
        ax.autoscale_view()
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title)
        return _png(fig)
