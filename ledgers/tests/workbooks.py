"""Sheets built and read back for the ledger tests."""

import csv
import io

import openpyxl

from grids.models import Grid, Household, Resident

HOUSEHOLD_HEADERS = ["标准地址", "网格编码", "经度", "纬度", "户内人数"]


def sheet(rows: list[list], headers=HOUSEHOLD_HEADERS) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows_of(content: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def centre(grid: Grid) -> tuple[float, float]:
    (lon, lat), _, (lon2, lat2), *_ = grid.boundary["coordinates"][0]
    return (lon + lon2) / 2, (lat + lat2) / 2


def counts() -> tuple[int, int]:
    return Household.objects.count(), Resident.objects.count()
