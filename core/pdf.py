"""PDFs from HTML templates with WeasyPrint, for every app.

Like pretix's renderers, `render_pdf` returns (filename, mimetype, bytes) so
that a view can send it and a task can store it.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

PDF_MIMETYPE = "application/pdf"


def render_pdf(template_name, context, filename):
    # Imported here: WeasyPrint loads Pango at import, which is not needed by
    # the web processes that never render a PDF.
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static")).write_pdf()
    return filename, PDF_MIMETYPE, document


def pdf_response(rendered, *, inline=False):
    filename, mimetype, content = rendered
    response = HttpResponse(content, content_type=mimetype)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
