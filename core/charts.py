"""Charts rendered on the server as accessible, deterministic SVG.

One code path for every chart in the system: the pages inline the SVG
(`{{ chart }}`); a PDF may embed the same chart as PNG (`bar_chart_png`),
which WeasyPrint only has to embed instead of drawing it node by node. There is no
JavaScript charting library: the users' networks are closed, and a chart must
also work in a PDF.

    from core.charts import bar_chart_svg

    svg = bar_chart_svg(
        ["jan", "feb", "mar"],
        {"Genomförda": [12, 9, 14], "Avbokade": [3, 4, 1]},
        title="Besök 2026", y_label="Antal besök",
        description="Genomförda och avbokade besök per månad.",
    )

What every chart here does:

- Accessible: the root <svg> has role="img" and an aria-label, and starts
  with a <title> and a <desc>. A chart is never the only way to the
  figures: put the same numbers in a table next to it.
- Meaning never rests on colour alone: colours from the Okabe–Ito palette
  (distinguishable with the common colour-vision deficiencies), each series
  after the first with its own hatching, a legend, and (by default) the
  value written on each bar.
- Swedish number formats on the value axis and the bar labels: "1 234",
  "12,5" (core.formatting).
- Deterministic: the same input gives byte-identical output, in any
  process: a fixed `svg.hashsalt` (matplotlib otherwise salts the clip-path
  and hatch ids with a random UUID), no creation date in the metadata, and
  ids derived from the content.
- Safe in threaded servers: no pyplot, so no global "current figure" and no
  figure manager keeping figures alive (pyplot's figures are only freed by
  plt.close, a leak in a long-running process); each call builds its own
  Figure and nothing is cached between calls. Matplotlib does not promise
  thread safety even for separate figures (its font and text-layout caches
  are shared), so the rendering itself is serialised by a lock.
- Remembered: drawing a chart costs 0.1–0.35 s of CPU, far more than the
  queries behind it, while the figures of a past month or year rarely
  change. As the output depends on nothing but the arguments, the finished
  SVG (or PNG) of the last CACHE_SIZE distinct charts is kept per process,
  and in the shared cache for CHART_CACHE_SECONDS under a hash of every
  argument, and given again for the same arguments; new figures are new
  arguments, so a stale chart cannot be served.
"""

import hashlib
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

import matplotlib
from django.conf import settings
from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.formatting import number

# Set once for the process, before any figure exists, and never changed
# afterwards (rcParams is global state: changing it per call, e.g. with
# rc_context, would race between threads).
matplotlib.use("Agg")  # headless, also for anyone who imports pyplot later
matplotlib.rcParams.update({
    # Deterministic clip-path and hatch ids (see the module docstring).
    "svg.hashsalt": "bolots-charts",
    # Text stays text: readable by search, tests and copy-paste, and a
    # fraction of the size of glyph paths.
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "hatch.linewidth": 0.8,
})

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402  (after the settings above)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402
from PIL import Image  # noqa: E402  (matplotlib's own dependency)

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the
# common colour-vision deficiencies. Dark outlines keep even the light
# colours at 3:1 against the white background (WCAG 1.4.11).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# The first series plain, the others hatched, so that the series differ in
# print, in greyscale and for those who do not see the colours.
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "+++", "ooo", "---")
OUTLINE = "#1d1d1b"
TEXT = "#1d1d1b"
GRID = "#c8c8c8"

_RENDER_LOCK = threading.Lock()
CACHE_SIZE = 256
_CACHE: OrderedDict = OrderedDict()
_ID = re.compile(r'\sid="([^"]+)"')


def bar_chart_svg(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    y_label: str = "",
    x_label: str = "",
    description: str = "",
    stacked: bool = False,
    value_labels: bool = True,
    decimals: int = 0,
    size: tuple[float, float] = (8.0, 3.6),
    chart_id: str | None = None,
) -> SafeString:
    """A bar chart as an inline SVG string (marked safe for templates).

    `categories` label the x axis (e.g. month names); `series` maps each
    legend label to one value per category, in the order given. Bars are
    grouped side by side, or stacked with `stacked=True`. `decimals` is used
    for the value labels and the axis. `size` is in inches at 72 points per
    inch; the SVG scales to the width of its container. `chart_id` prefixes
    the ids inside the SVG so that several charts can share a page; by
    default it is derived from the content.
    """
    categories = [str(category) for category in categories]
    series = {str(label): [float(v or 0) for v in values] for label, values in series.items()}
    _check(categories, series)
    if chart_id is None:
        fingerprint = repr((categories, sorted(series.items()), title, y_label, x_label, stacked, decimals, size))
        chart_id = "chart-" + hashlib.sha256(fingerprint.encode()).hexdigest()[:8]
    # Every argument is part of the key (the series in their given order,
    # which sets the colours).
    key = repr((categories, list(series.items()), title, y_label, x_label, description, stacked, value_labels,
                decimals, size, chart_id))

    def draw():
        raw = _render(categories, series, title=title, y_label=y_label, x_label=x_label, stacked=stacked,
                      value_labels=value_labels, decimals=decimals, size=size)
        return _accessible(raw, chart_id=chart_id, title=title, description=description)

    return mark_safe(_cached(key, draw))


def bar_chart_png(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    y_label: str = "",
    x_label: str = "",
    stacked: bool = False,
    value_labels: bool = True,
    decimals: int = 0,
    size: tuple[float, float] = (8.0, 3.6),
    dpi: int = 150,
) -> bytes:
    """The same chart as `bar_chart_svg`, as PNG bytes at `dpi`, for PDFs.

    WeasyPrint lays an SVG image out node by node (each text through Pango),
    which costs more than drawing the chart; a PNG it only embeds. The image
    has no title or description of its own: give the <img> an `alt` naming
    the chart, and the figures in a table beside it, as for the SVG.
    Deterministic (no software or date metadata) and remembered like the SVG.
    """
    categories = [str(category) for category in categories]
    series = {str(label): [float(v or 0) for v in values] for label, values in series.items()}
    _check(categories, series)
    key = repr(("png", dpi, categories, list(series.items()), title, y_label, x_label, stacked, value_labels,
                decimals, size))
    return _cached(key, lambda: _render(categories, series, title=title, y_label=y_label, x_label=x_label,
                                        stacked=stacked, value_labels=value_labels, decimals=decimals, size=size,
                                        image_format="png", dpi=dpi))


def _check(categories, series):
    for label, values in series.items():
        if len(values) != len(categories):
            raise ValueError(f"Series {label!r} has {len(values)} values for {len(categories)} categories.")


def _cached(key, draw):
    """The finished chart for `key`: from this process's memory, else from
    the shared cache (Redis in production: every gunicorn worker draws a
    chart once between them, not once each), else drawn by `draw()`. The
    lock serialises the drawing too (see the module docstring)."""
    with _RENDER_LOCK:
        chart = _CACHE.get(key)
        if chart is not None:
            _CACHE.move_to_end(key)
            return chart
    shared_key = "chart:v1:" + hashlib.sha256(key.encode()).hexdigest()
    chart = cache.get(shared_key)
    if chart is None:
        with _RENDER_LOCK:
            chart = _CACHE.get(key)
            if chart is None:
                chart = draw()
        cache.set(shared_key, chart, settings.CHART_CACHE_SECONDS)
    with _RENDER_LOCK:
        _CACHE[key] = chart
        _CACHE.move_to_end(key)
        if len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return chart


def format_number(value, decimals=0):
    """An axis or bar value the Swedish way: 1 234 or 12,5."""
    return number(value, decimals)


def _render(categories, series, *, title, y_label, x_label, stacked, value_labels, decimals, size,
            image_format="svg", dpi=72):
    # Fixed margins (in inches) instead of a layout engine: constrained
    # layout measures every text twice and tripled the rendering time.
    width_in, height_in = size
    top = 0.75 if series else 0.45  # the title, and the legend under it
    bottom = 0.35 + (0.25 if x_label else 0)
    left = 0.55 + (0.25 if y_label else 0)
    figure = Figure(figsize=size)
    figure.subplots_adjust(left=left / width_in, right=1 - 0.1 / width_in,
                           bottom=bottom / height_in, top=1 - top / height_in)
    axes = figure.add_subplot()
    count = max(len(series), 1)
    positions = list(range(len(categories)))
    width = 0.8 if stacked else 0.8 / count
    bottoms = [0.0] * len(categories)
    crowded = len(categories) * (1 if stacked else count) > 16
    for index, (label, values) in enumerate(series.items()):
        if stacked:
            xs = positions
        else:
            offset = (index - (count - 1) / 2) * width
            xs = [x + offset for x in positions]
        bars = axes.bar(
            xs, values, width, bottom=bottoms if stacked else None, label=label,
            color=PALETTE[index % len(PALETTE)], edgecolor=OUTLINE, linewidth=0.8,
            hatch=HATCHES[index % len(HATCHES)],
        )
        if value_labels:
            axes.bar_label(
                bars, labels=[format_number(v, decimals) for v in values],
                label_type="center" if stacked else "edge", padding=0 if stacked else 2,
                fontsize=7 if crowded else 8, color=TEXT,
                rotation=90 if crowded and not stacked else 0,
                # On a stacked bar the label sits on the colour: a white box keeps it legible.
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"} if stacked else None,
            )
        if stacked:
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    axes.set_xticks(positions, categories)
    axes.tick_params(colors=TEXT, labelsize=9)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_number(value, decimals)))
    axes.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=decimals == 0, min_n_ticks=1))
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    highest = max(bottoms) if stacked else max((max(v) for v in series.values() if v), default=0)
    # Room above the tallest bar for its label; an empty chart still gets an axis 0–1.
    axes.set_ylim(0, highest * (1.18 if value_labels else 1.05) if highest > 0 else 1)
    figure.text(0.1 / width_in, 1 - 0.08 / height_in, title, color=TEXT, fontsize=11, fontweight="bold",
                ha="left", va="top")
    if y_label:
        axes.set_ylabel(y_label, color=TEXT)
    if x_label:
        axes.set_xlabel(x_label, color=TEXT)
    if series:
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1.02), ncols=len(series), frameon=False, fontsize=9,
                    labelcolor=TEXT, handlelength=2.5, handleheight=1.2, borderaxespad=0)
    if image_format == "png":
        return _png(figure, dpi)
    buffer = io.StringIO()
    # Date None: no creation time in the metadata (deterministic output).
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _png(figure, dpi):
    """The figure as an RGB PNG. The background is opaque white, so the
    alpha channel matplotlib writes carries nothing; without it WeasyPrint
    re-encodes one image per chart instead of two (colour and mask). No
    metadata (deterministic output)."""
    figure.set_dpi(dpi)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    # The fastest compression: WeasyPrint decodes and compresses the
    # pixels again anyway.
    image.convert("RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _accessible(raw, *, chart_id, title, description):
    """Make matplotlib's SVG document an inline, accessible element: no XML
    prolog or metadata, a <title> and <desc>, role="img" with a label, ids
    prefixed so that two charts on one page cannot collide, and a size that
    follows the container."""
    svg = raw[raw.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    # The <style> block is `*{stroke-linejoin: round; stroke-linecap: butt}`:
    # inline in a page it would apply to every SVG there (and the
    # Content-Security-Policy refuses it). The same as presentation
    # attributes on the root element is inherited by the chart only.
    svg = re.sub(r"\s*<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>", "", svg)
    # Drop the ids nothing refers to (one per group) and prefix the others.
    referenced = {name for name in _ID.findall(svg) if f"#{name})" in svg or f'#{name}"' in svg}

    def rename(match):
        name = match.group(1)
        return f' id="{chart_id}-{name}"' if name in referenced else ""

    svg = _ID.sub(rename, svg)
    for name in referenced:
        svg = svg.replace(f"url(#{name})", f"url(#{chart_id}-{name})").replace(
            f'href="#{name}"', f'href="#{chart_id}-{name}"')
    head_end = svg.index(">")
    head = svg[:head_end]
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    label = escape(title)
    head += (f' class="chart" width="100%" stroke-linejoin="round" stroke-linecap="butt"'
             f' role="img" aria-label="{label}"'
             f' aria-describedby="{chart_id}-desc" focusable="false" id="{chart_id}"')
    accessible = (f'<title id="{chart_id}-title">{label}</title>'
                  f'<desc id="{chart_id}-desc">{escape(description or title)}</desc>')
    return head + ">" + accessible + _presentation_attributes(svg[head_end + 1:]).rstrip() + "\n"


_STYLE = re.compile(r'\sstyle="([^"]*)"')


def _presentation_attributes(svg):
    """matplotlib writes `style="fill: #1f77b4; stroke: none"` on every
    element; the Content-Security-Policy (style-src 'self') ignores style
    attributes, so the chart would lose its colours. Every property it writes
    (fill, stroke, stroke-*, font-*, text-anchor) is also an SVG
    presentation attribute, which the policy does not touch."""

    def attributes(match):
        pairs = []
        for declaration in match.group(1).split(";"):
            name, _sep, value = declaration.partition(":")
            if name.strip() and value.strip():
                pairs.append(f' {name.strip()}="{value.strip()}"')  # already attribute text
        return "".join(pairs)

    return _STYLE.sub(attributes, svg)
