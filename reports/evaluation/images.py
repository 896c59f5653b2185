"""The dashboard's charts (reports.charts) as images for WeasyPrint."""

from django.utils.safestring import SafeString

from core.charts import bar_chart_png
from core.pdf import pdf_image

from ..charts import ChartData

# Resolution of the charts in the PDF: sharp in print at the width they
# have on the page (at most 17 cm), a few tens of kB each.
CHART_DPI = 150


def dashboard_chart(data: ChartData) -> SafeString | str:
    """One of the dashboard's charts (reports.charts), the same data and
    drawing as there (reports.charts.render), as PNG."""
    return pdf_image(bar_chart_png(
        data.categories, data.series, title=data.title, y_label=data.y_label, stacked=data.stacked,
        size=data.size, dpi=CHART_DPI,
    ), data.title)
