"""Hand-written inline SVG charts: horizontal bars, columns and a heat map.

Each chart is one ``<svg class="chart" data-chart="NAME">`` with explicit width and
height, so it renders without scripts, stylesheets or fonts from elsewhere. Every piece
of text is escaped: names come from the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "'IPAGothic','IPAexGothic','Noto Sans CJK JP','Hiragino Sans','Meiryo',sans-serif"
BLUE, GREY, INK = "#2f6db5", "#c8ccd2", "#222"
WIDTH = 760
ROW = 22


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: ``muted`` bars (reference values) are drawn grey and dashed."""

    label: str
    value: float
    text: str
    muted: bool = False


def _text_width(text: str, size: int) -> float:
    """A rough width: full-width characters count as one em, others as half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def _open(name: str, title: str, width: int, height: int) -> str:
    return (
        f'<svg class="chart" data-chart="{escape(name)}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{escape(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{escape(FONT)}" font-size="12">'
        f"<title>{escape(title)}</title>"
    )


def hbars(name: str, title: str, bars: Sequence[Bar], *, max_value: float | None = None) -> str:
    """Horizontal bars, one row per item, the value written after each bar."""
    label_width = int(min(300, max([_text_width(b.label, 12) for b in bars] + [40]) + 12))
    top = max((b.value for b in bars), default=0.0)
    scale_max = max_value if max_value is not None else (top or 1.0)
    plot = WIDTH - label_width - 170  # room for the value written after the bar
    height = ROW * len(bars) + 10
    parts = [_open(name, title, WIDTH, height)]
    for i, bar in enumerate(bars):
        y = 5 + i * ROW
        length = max(0.0, bar.value) / scale_max * plot if scale_max else 0.0
        fill = GREY if bar.muted else BLUE
        dash = ' stroke="#7a8089" stroke-dasharray="3 2"' if bar.muted else ""
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" fill="{INK}">'
            f"{escape(bar.label)}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{ROW - 6}" '
            f'fill="{fill}"{dash}/>'
            f'<text x="{label_width + length + 5:.1f}" y="{y + 15}" fill="{INK}">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def columns(name: str, title: str, bars: Sequence[Bar]) -> str:
    """Vertical columns (one per month), labels underneath, values on top."""
    height, base, left = 240, 200, 30
    step = max(18.0, min(60.0, (WIDTH - left - 10) / max(1, len(bars))))
    width = int(max(WIDTH, left + step * len(bars) + 10))
    top = max((b.value for b in bars), default=0.0) or 1.0
    parts = [_open(name, title, width, height)]
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 5}" y2="{base}" stroke="#888"/>')
    for i, bar in enumerate(bars):
        x = left + i * step
        size = bar.value / top * (base - 30)
        parts.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{base - size:.1f}" width="{step * 0.7:.1f}" '
            f'height="{size:.1f}" fill="{BLUE}"/>'
            f'<text x="{x + step / 2:.1f}" y="{base - size - 4:.1f}" text-anchor="middle" '
            f'fill="{INK}">{escape(bar.text)}</text>'
            f'<text x="{x + step / 2:.1f}" y="{base + 16}" text-anchor="middle" font-size="10" '
            f'fill="{INK}">{escape(bar.label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def heatmap(name: str, title: str, names: Sequence[str], matrix: Sequence[Sequence[int]]) -> str:
    """A square matrix (rows: truth, columns: prediction) with counts in the cells."""
    cell, left, head = 44, 190, 120
    size = len(names)
    width, height = left + cell * size + 110, head + cell * size + 10  # rotated labels lean right
    peak = max((v for row in matrix for v in row), default=0) or 1
    parts = [_open(name, title, width, height)]
    for j, label in enumerate(names):
        x = left + j * cell + cell / 2
        parts.append(
            f'<text transform="translate({x:.1f},{head - 6}) rotate(-55)" fill="{INK}" font-size="11">'
            f"{escape(label)}</text>"
        )
    for i, (label, row) in enumerate(zip(names, matrix, strict=True)):
        y = head + i * cell
        parts.append(f'<text x="{left - 6}" y="{y + cell / 2 + 4:.1f}" text-anchor="end" '
                     f'fill="{INK}" font-size="11">{escape(label)}</text>')
        for j, value in enumerate(row):
            share = value / peak
            light = int(245 - share * 170)
            fill = f"rgb({light},{int(248 - share * 120)},255)" if value else "#f6f7f9"
            ink = "#fff" if share > 0.55 else INK
            x = left + j * cell
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}"/>'
                f'<text x="{x + cell / 2 - 1:.1f}" y="{y + cell / 2 + 4:.1f}" text-anchor="middle" '
                f'fill="{ink}" font-size="11">{value}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
