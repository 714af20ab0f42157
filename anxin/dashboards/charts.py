"""Charts as images for the .docx report, drawn with Pillow and the CJK font the PDFs use
(core.pdffonts finds it): bars for counts, a grid of shades for heat maps."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from anxin.core import pdffonts
from anxin.dashboards.figures import Figure

PALETTE = [(31, 95, 191), (232, 131, 58), (46, 158, 107), (192, 57, 43)]
INK, MUTED, LINE = (33, 37, 41), (110, 118, 129), (220, 224, 230)
SCALE = 2  # drawn at twice the size for a sharp print


@lru_cache(maxsize=8)
def font(size: int):
    for path in pdffonts.font_paths():
        try:
            return ImageFont.truetype(path, size * SCALE, index=pdffonts.collection_index(path))
        except OSError:
            continue
    return ImageFont.load_default(size * SCALE)


def _text_w(draw, text, f) -> int:
    return int(draw.textlength(text, font=f))


def png(fig: Figure, width: int = 640) -> bytes | None:
    if not fig.chart or not fig.rows:
        return None
    if fig.chart == "heat":
        return _heat(fig, width)
    return _bars(fig, width)


def _bars(fig: Figure, width: int) -> bytes:
    series = list(range(min(fig.chart_columns, len(fig.columns))))
    rows = fig.rows[:30]
    f, small = font(11), font(10)
    bar_h, gap = 12 * SCALE, 6 * SCALE
    row_h = bar_h * len(series) + gap
    legend_h = 18 * SCALE if len(series) > 1 else 0
    h = legend_h + row_h * len(rows) + 10 * SCALE
    W = width * SCALE
    img = Image.new("RGB", (W, h), "white")
    d = ImageDraw.Draw(img)
    label_w = min(max((_text_w(d, r.label, f) for r in rows), default=0) + 10 * SCALE, W // 3)
    values = [r.cells[i].chart_value or 0 for r in rows for i in series]
    top = max(values + [1])
    plot_w = W - label_w - 40 * SCALE
    if legend_h:
        x = label_w
        for i in series:
            d.rectangle([x, 4 * SCALE, x + 10 * SCALE, 14 * SCALE], fill=PALETTE[i % 4])
            d.text((x + 14 * SCALE, 2 * SCALE), fig.columns[i], font=small, fill=INK)
            x += _text_w(d, fig.columns[i], small) + 30 * SCALE
    y = legend_h
    for r in rows:
        label = r.label
        while _text_w(d, label, f) > label_w - 8 * SCALE and len(label) > 2:
            label = label[:-2] + "…"
        d.text(
            (label_w - 6 * SCALE - _text_w(d, label, f), y + (row_h - gap) // 2 - 7 * SCALE),
            label,
            font=f,
            fill=INK,
        )
        for j, i in enumerate(series):
            cell = r.cells[i]
            v = cell.chart_value or 0
            x0, y0 = label_w, y + j * bar_h
            d.rectangle(
                [x0, y0 + SCALE, x0 + max(1, int(plot_w * v / top)), y0 + bar_h - SCALE], fill=PALETTE[i % 4]
            )
            d.text((x0 + int(plot_w * v / top) + 4 * SCALE, y0 - SCALE), cell.display, font=small, fill=MUTED)
        y += row_h
    d.line([label_w, legend_h, label_w, y], fill=LINE, width=SCALE)
    return _save(img)


def _heat(fig: Figure, width: int) -> bytes:
    f = font(10)
    W = width * SCALE
    label_w, head_h, cell_h = 50 * SCALE, 22 * SCALE, 22 * SCALE
    cw = (W - label_w) // max(1, len(fig.columns))
    img = Image.new("RGB", (W, head_h + cell_h * len(fig.rows) + 4), "white")
    d = ImageDraw.Draw(img)
    top = max([c.chart_value or 0 for r in fig.rows for c in r.cells] + [1])
    for j, col in enumerate(fig.columns):
        d.text((label_w + j * cw + 4 * SCALE, 4 * SCALE), col[:6], font=f, fill=INK)
    for i, r in enumerate(fig.rows):
        y = head_h + i * cell_h
        d.text((4 * SCALE, y + 4 * SCALE), r.label, font=f, fill=INK)
        for j, c in enumerate(r.cells):
            v = (c.chart_value or 0) / top
            shade = (int(242 - 50 * v), int(246 - 189 * v), int(252 - 209 * v))
            d.rectangle([label_w + j * cw, y, label_w + (j + 1) * cw - 2, y + cell_h - 2], fill=shade)
            d.text((label_w + j * cw + cw // 2 - 4 * SCALE, y + 4 * SCALE), c.display, font=f, fill=INK)
    return _save(img)


def _save(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()
