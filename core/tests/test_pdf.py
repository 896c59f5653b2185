"""core.pdf: the (filename, mimetype, bytes) triple, its response, and a
chart image embedded for WeasyPrint."""

import base64

from core.pdf import PDF_MIMETYPE, pdf_image, pdf_response


def test_response_is_a_download_unless_inline():
    rendered = ("plan.pdf", PDF_MIMETYPE, b"%PDF-1.7 ...")

    download = pdf_response(rendered)
    shown = pdf_response(rendered, inline=True)

    assert download.content == b"%PDF-1.7 ..."
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert shown["Content-Disposition"] == 'inline; filename="plan.pdf"'


def test_a_png_becomes_an_escaped_data_uri_image():
    png = b"\x89PNG"
    encoded = base64.b64encode(png).decode()

    html = pdf_image(png, 'Besök "2026"')

    assert html == f'<img class="chart-image" src="data:image/png;base64,{encoded}" alt="Besök &quot;2026&quot;">'
    assert pdf_image(b"", "x") == ""
