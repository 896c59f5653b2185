"""The dashboard's charts (reports.charts) as images for WeasyPrint."""

import base64

from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.charts import bar_chart_png

from ..charts import ChartData

# Resolution of the charts in the PDF: sharp in print at the width they
# have on the page (at most 17 cm), a few tens of kB each.
CHART_DPI = 150


def pdf_image(png: bytes, alt: str) -> SafeString | str:
    """A chart as an <img> with a PNG data URI, for WeasyPrint.

    The charts are those of accounts.charts, drawn as PNG rather than SVG:
    WeasyPrint lays an SVG image out node by node, every text through Pango
    (a second per evaluation), while a PNG it only embeds. `alt` names the
    chart; its figures are in the tables beside it.
    """
    if not png:
        return ""
    data = base64.b64encode(png).decode("ascii")
    return format_html('<img class="chart-image" src="data:image/png;base64,{}" alt="{}">', data, alt)


def dashboard_chart(data: ChartData) -> SafeString | str:
    """One of the dashboard's charts (reports.charts), the same data and
    drawing as there (reports.charts.render), as PNG."""
    return pdf_image(bar_chart_png(
        data.categories, data.series, title=data.title, y_label=data.y_label, stacked=data.stacked,
        size=data.size, dpi=CHART_DPI,
    ), data.title)
