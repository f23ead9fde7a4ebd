"""Safe cells for every xlsx and CSV file the system writes (issue 27, item 2).

A text that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return) is a formula to a spreadsheet: an address
``=HYPERLINK("http://x.invalid","click")`` would become a live link, and
worse (OWASP, "CSV Injection"). Every text cell is therefore written as text:

* in xlsx, the cell's data type is set to string (``s``), so the value is
  stored exactly and never evaluated, and reads back unchanged;
* in CSV, which has no types, such a value gets a leading apostrophe, which
  Excel and LibreOffice take as "this is text" and do not show.
  :func:`csv_value` adds it and :func:`csv_text` removes it on import, so a
  file round-trips: a value that itself starts with apostrophes before a
  formula character gets one more, and loses exactly one on the way back.

Control characters, which an xlsx file cannot hold (C0 but tab, line feed
and carriage return), are dropped on the way out (issue 27, item 8): rows stored
before input refused them still export.
"""

import io
import re
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from policing.validators import strip_control_characters

#: A cell a spreadsheet would read as a formula (OWASP CSV injection).
FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
#: The same, escaped once by :func:`csv_value`.
ESCAPED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")


def clean(value):
    """Return a text without the characters xlsx cannot hold; others unchanged."""
    return strip_control_characters(value)


def set_cell(cell, value):
    """Write ``value`` in an openpyxl cell, text always as text; return the cell."""
    cell.value = clean(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never "f": a formula is text here
    return cell


def write(sheet, row: int, column: int, value):
    """``sheet.cell(row, column, value)``, the value written by :func:`set_cell`."""
    return set_cell(sheet.cell(row, column), value)


def defuse(workbook) -> None:
    """Turn every formula cell of ``workbook`` into text (a last guard)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def csv_value(value):
    """A value as a CSV cell: a would-be formula gets a leading apostrophe."""
    value = clean(value)
    if isinstance(value, str) and FORMULA_START.match(value):
        return "'" + value
    return value


def csv_text(value: str) -> str:
    """Undo :func:`csv_value` for a cell read from a CSV file."""
    if ESCAPED_FORMULA.match(value):
        return value[1:]
    return value


#: Column widths, in the width of a Latin character: a Chinese one takes two.
MIN_WIDTH, MAX_WIDTH = 8, 60


def display_width(value) -> int:
    """How many Latin characters wide ``value`` prints; CJK count double."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def xlsx(headers: list, rows, *, title: str = "") -> bytes:
    """A one-sheet workbook named ``title``: a bold header row, frozen, then
    ``rows``, each column as wide as its widest cell (within bounds)."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.title = title
    bold = Font(bold=True)
    widths = [display_width(header) for header in headers]
    for column, header in enumerate(headers, start=1):
        write(sheet, 1, column, header).font = bold
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            write(sheet, row_number, column, value)
            widths[column - 1] = max(widths[column - 1], display_width(value))
    for column, width in enumerate(widths, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
