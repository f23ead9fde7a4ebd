"""Ledger files in and out: xlsx and csv read into a dataset, and written.

Reading stays within the bounds of :mod:`ledgers.upload_limits`; writing
escapes every text cell a spreadsheet would run as a formula (issue 27,
item 2), so an exported file imports back unchanged.
"""

import codecs
import csv
import io

import openpyxl
import tablib
from django.utils.translation import gettext as _

from ledgers import upload_limits
from ledgers.base import LedgerFileError, normalise
from policing import spreadsheets

EXPORT_FORMATS = ("xlsx", "csv")


def read_table(
    content: bytes, file_name: str, *, headers: dict, required: list[str]
) -> tablib.Dataset:
    """Read an xlsx or csv file into a dataset with canonical headers.

    ``headers`` maps each canonical header to its accepted spellings (a
    resource's :attr:`~ledgers.base.LedgerResource.headers`); a file
    without one of the ``required`` columns is refused.

    CSV files are read as UTF-8 (with or without a byte order mark) or, when
    that fails, as GB18030: Excel in Chinese saves CSV in GBK.
    """
    name = file_name.lower()
    try:
        if name.endswith(".xlsx"):
            dataset = _read_xlsx(content)
        elif name.endswith(".csv"):
            dataset = _read_csv(content)
        else:
            raise LedgerFileError(_("Upload an .xlsx or .csv file."))
    except LedgerFileError:
        raise
    except upload_limits.UploadTooLarge as error:
        raise LedgerFileError(str(error)) from None
    except Exception as error:  # openpyxl and csv raise many kinds
        raise LedgerFileError(
            _("The file could not be read as %(format)s: %(reason)s")
            % {"format": name.rsplit(".", 1)[-1], "reason": error}
        ) from error
    dataset.headers = [canonical_header(headers, header) for header in dataset.headers]
    missing = [header for header in required if header not in dataset.headers]
    if missing:
        raise LedgerFileError(
            _("The file lacks the column(s): %(columns)s.")
            % {"columns": "、".join(missing)}
        )
    return dataset


def _read_xlsx(content: bytes) -> tablib.Dataset:
    """The first sheet, read in openpyxl's streaming mode within the bounds.

    The archive's unpacked size is checked before anything is unpacked;
    rows are then read one by one, stopping at the first row or cell past a
    bound (issue 27, item 1).
    """
    upload_limits.check_xlsx_archive(content)
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        rows = book.active.iter_rows(values_only=True)
        return _dataset(rows, empty=lambda value: value in (None, ""))
    finally:
        book.close()


def _read_csv(content: bytes) -> tablib.Dataset:
    upload_limits.check_csv_lines(content)
    reader = csv.reader(io.StringIO(decode_csv(content)))
    # A cell exported as '=… (a formula escaped) reads back as it was stored.
    rows = ([spreadsheets.csv_text(cell) for cell in row] for row in reader)
    return _dataset(rows, empty=lambda value: not value.strip())


def _dataset(rows, *, empty) -> tablib.Dataset:
    """Headers and rows, blank rows left out, each row within the bounds."""
    headers = next(rows, None)
    if not headers:
        raise LedgerFileError(_("The file is empty."))
    headers = list(headers)
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for number, row in enumerate(rows, start=2):
        if number - 1 > upload_limits.max_rows():
            raise upload_limits.too_many_rows()
        row = list(row)
        for column, value in enumerate(row, start=1):
            upload_limits.check_cell(value, row=number, column=column)
        if all(empty(value) for value in row):
            continue
        dataset.append((row + [""] * width)[:width])
    return dataset


#: Byte order marks, longest first: UTF-8's and UTF-16's (Excel's "Unicode
#: text" saves UTF-16 little-endian with one).
BYTE_ORDER_MARKS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
UNKNOWN_ENCODING = _(
    "The file's text encoding is not recognised: save it as CSV UTF-8 "
    "(or GBK, or UTF-16 with a byte order mark)."
)


def decode_csv(content: bytes) -> str:
    """Return a CSV file's text: UTF-8 or UTF-16 by their byte order mark,
    otherwise UTF-8 and then GB18030 (GBK's superset, which Excel in Chinese
    writes); anything else is refused with :data:`UNKNOWN_ENCODING`
    (issue 27, item 9)."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if content.startswith(mark):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                raise LedgerFileError(UNKNOWN_ENCODING) from None
    if _looks_like_utf16(content):
        raise LedgerFileError(UNKNOWN_ENCODING)
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerFileError(UNKNOWN_ENCODING)


def _looks_like_utf16(content: bytes) -> bool:
    """UTF-16 without a byte order mark, which UTF-8 and GB18030 would both
    read, wrongly, as text with NULs: its line ends are 0A 00 or 00 0A. (A
    UTF-8 file with a NUL in a cell is read, and the row refused.)"""
    head = content[:4096]
    return b"\x00" in head and (b"\n\x00" in head or b"\x00\n" in head)


def canonical_header(headers: dict, header) -> str:
    """Return the exported header a file's header stands for, or it unchanged."""
    text = normalise(header)
    for canonical, aliases in headers.items():
        if text in {normalise(canonical), *map(normalise, aliases)}:
            return canonical
    return str(header or "").strip()


def encode(dataset: tablib.Dataset, file_format: str, *, title: str = "") -> bytes:
    """The dataset as a file whose text cells a spreadsheet never runs as
    formulas, and which imports back unchanged (issue 27, item 2); an xlsx
    file's sheet is named ``title``."""
    if file_format == "csv":
        buffer = io.StringIO()
        # With a byte order mark Excel opens UTF-8 Chinese text correctly.
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow([spreadsheets.csv_value(h) for h in dataset.headers])
        for row in dataset:
            writer.writerow([spreadsheets.csv_value(value) for value in row])
        return buffer.getvalue().encode("utf-8")
    return spreadsheets.xlsx(dataset.headers, dataset, title=title)
