"""PDFs from HTML templates with WeasyPrint, for every app.

Like pretix's renderers, `render_pdf` returns (filename, mimetype, bytes) so
that a view can send it and a task can store it.
"""

import base64

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

PDF_MIMETYPE = "application/pdf"


def render_pdf(template_name: str, context: dict, filename: str) -> tuple[str, str, bytes]:
    # Imported here: WeasyPrint loads Pango at import, which is not needed by
    # the web processes that never render a PDF.
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static")).write_pdf()
    return filename, PDF_MIMETYPE, document


def pdf_response(rendered: tuple[str, str, bytes], *, inline: bool = False) -> HttpResponse:
    filename, mimetype, content = rendered
    response = HttpResponse(content, content_type=mimetype)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def pdf_image(png: bytes, alt: str) -> SafeString | str:
    """A chart as an <img> with a PNG data URI, for WeasyPrint.

    The charts are those of core.charts, drawn as PNG rather than SVG
    (bar_chart_png): WeasyPrint lays an SVG image out node by node, every
    text through Pango (a second per evaluation), while a PNG it only embeds.
    `alt` names the chart; its figures are in the tables beside it.
    """
    if not png:
        return ""
    data = base64.b64encode(png).decode("ascii")
    return format_html('<img class="chart-image" src="data:image/png;base64,{}" alt="{}">', data, alt)
