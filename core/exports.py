"""CSV files of the portal: one writer for every export, streamed row by row.

Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return) as a
formula, so such text is written with a leading apostrophe (CSV injection); numbers, and text
that is a number such as a phone number "+998 71 …", are written as they are. A byte order
mark lets the programs read the file as UTF-8.
"""

import csv
import re
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import translation

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?[0-9][0-9 ().\-]*$")
BOM = "\ufeff"


def csv_cell(value):
    """A value as it goes into a cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES) and not _NUMBER.match(text):
        return "'" + text
    return text


class _Echo:
    """A file-like object that hands back what is written: csv.writer then yields lines."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header, rows):
    """The header and `rows` (an iterable, consumed lazily) as CSV lines, the BOM first."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([csv_cell(title) for title in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def csv_response(header, rows, *, filename: str) -> StreamingHttpResponse:
    """A streamed CSV attachment. The rows are produced while the response is sent, after
    the view has returned, so the request's language is kept for them."""
    language = translation.get_language()

    def lines():
        with translation.override(language):
            yield from csv_lines(header, rows)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
