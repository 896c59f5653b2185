"""The one CSV writer of every export (KPI table, IVO report, access log).

Swedish Excel dialect: semicolon-separated, CRLF line ends, UTF-8 with a
byte order mark, so that Excel with Swedish settings opens the file in
columns and with å, ä, ö.

Every text cell is neutralised against formula injection: spreadsheet
programs run a cell starting with =, +, -, @ (or a tab or carriage return
followed by one) as a formula, and a client's name or a log row's note is
typed by users. Such a cell gets a leading apostrophe, which Excel shows as
text. Plain numbers ("-5", "-12,5 %", "1 234 kr") are left alone so that they
stay numbers. The access-log export had no neutralisation while the other
exports did, each with its own copy: there is now one place.
"""

import csv
import re

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
_PLAIN_NUMBER = re.compile(r"-?\d[\d\u00a0 ]*(?:[,.]\d+)?(?: ?(?:%|kr))?")


def neutralise(value) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would
    read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


class CsvWriter:
    """csv.writer in the Swedish Excel dialect that neutralises every cell."""

    def __init__(self, stream):
        self._writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")

    def writerow(self, cells):
        return self._writer.writerow([neutralise(cell) for cell in cells])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_line(cells) -> str:
    """One neutralised CSV line as text (for streaming responses)."""
    return CsvWriter(_Echo()).writerow(cells)


def _disposition(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, header, rows) -> HttpResponse:
    """A whole CSV download: BOM, header, rows."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write(BOM)
    writer = CsvWriter(response)
    writer.writerow(header)
    writer.writerows(rows)
    return _disposition(response, filename)


def csv_text(header, rows) -> str:
    """The same as text (for code that stores or tests the content)."""
    import io

    output = io.StringIO()
    output.write(BOM)
    writer = CsvWriter(output)
    writer.writerow(header)
    writer.writerows(rows)
    return output.getvalue()


def streaming_csv_response(filename: str, header, rows) -> StreamingHttpResponse:
    """A CSV download of many rows, written as they are read."""

    def lines():
        yield BOM + csv_line(header)
        for row in rows:
            yield csv_line(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    return _disposition(response, filename)
