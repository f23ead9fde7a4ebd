"""Bounds on uploaded ledgers and maps (issue 27, item 1).

A file's size on disk says little about what reading it costs: a 2 MB xlsx
held 4 million rows (524 MB unpacked), a 1.5 MB one a single 1.57 GB cell, a
10.9 MB CSV a million rows, a 25 MB GeoJSON a million vertices. Each bound
below is checked as early as it can be, and the file refused with a message
saying which bound it passed:

* in the web request, before the file is stored (cheap byte counts: the xlsx
  archive's declared sizes, a CSV's lines, a GeoJSON's positions);
* while the file is read in the job, row by row (xlsx in openpyxl's
  read-only, streaming mode), stopping at the first row or cell past a bound.

Every bound is a setting (``LEDGER_MAX_ROWS`` …, see the README and
``docs/security.md``).
"""

import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _


class UploadTooLarge(ValueError):
    """The file passes one of the bounds; the message says which."""


def max_rows() -> int:
    return settings.LEDGER_MAX_ROWS


def max_cell_chars() -> int:
    return settings.LEDGER_MAX_CELL_CHARS


def max_unpacked_bytes() -> int:
    return settings.LEDGER_MAX_UNPACKED_BYTES


def max_file_vertices() -> int:
    return settings.MAP_MAX_VERTICES_PER_FILE


def too_many_rows() -> UploadTooLarge:
    return UploadTooLarge(
        _("The file has more than %(rows)s rows: split it into smaller files.")
        % {"rows": f"{max_rows():,}"}
    )


def check_xlsx_archive(content: bytes) -> None:
    """Refuse an xlsx whose entries would unpack past the bound.

    The sizes are those the zip's directory declares, read before anything
    is unpacked; Python's zipfile never inflates an entry past its declared
    size, so a lying header cannot get round it.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return  # not a zip at all: the reader says so in its own words
    with archive:
        entries = archive.infolist()
        if len(entries) > settings.LEDGER_MAX_ZIP_ENTRIES:
            raise UploadTooLarge(
                _("The xlsx file holds more than %(entries)s parts.")
                % {"entries": settings.LEDGER_MAX_ZIP_ENTRIES}
            )
        unpacked = sum(entry.file_size for entry in entries)
    if unpacked > max_unpacked_bytes():
        raise UploadTooLarge(
            _(
                "The xlsx file unpacks to %(size)s MB, more than %(limit)s MB: "
                "split it into smaller files."
            )
            % {
                "size": f"{unpacked / 2**20:,.0f}",
                "limit": f"{max_unpacked_bytes() / 2**20:,.0f}",
            }
        )


def check_csv_lines(content: bytes) -> None:
    """Refuse a CSV with more lines than the row bound allows (header + rows).

    A UTF-16 file's line ends are two bytes, but still one byte 0x0A each.
    """
    if content.count(b"\n") > max_rows() + 1:
        raise too_many_rows()


def check_geojson_positions(content: bytes) -> None:
    """Refuse a GeoJSON with more positions than the bound, before parsing it.

    Every position is an array, so the number of ``[`` bounds the vertices
    from above (rings and parts add a few more).
    """
    if content.count(b"[") > 2 * max_file_vertices():
        raise UploadTooLarge(vertices_message(content.count(b"[")))


def vertices_message(count: int) -> str:
    return _(
        "The map holds about %(count)s vertices, more than %(limit)s in all: "
        "simplify it, or split it into smaller files."
    ) % {"count": f"{count:,}", "limit": f"{max_file_vertices():,}"}


def check_cell(value, *, row: int, column: int) -> None:
    """Refuse a cell longer than the bound, naming where it is."""
    if isinstance(value, str) and len(value) > max_cell_chars():
        raise UploadTooLarge(
            _("Row %(row)s, column %(column)s holds more than %(limit)s characters.")
            % {"row": row, "column": column, "limit": f"{max_cell_chars():,}"}
        )


def check_upload(content: bytes, file_name: str) -> None:
    """The web request's early checks, by the file's type."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        check_xlsx_archive(content)
    elif name.endswith(".csv"):
        check_csv_lines(content)
    elif name.endswith((".geojson", ".json")):
        check_geojson_positions(content)
