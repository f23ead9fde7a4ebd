"""Time checking and applying a large households ledger.

Run against the demo county (or any database with grids) after
``manage.py load_demo``; it writes households, so use a copy::

    DATABASE_URL=sqlite:////tmp/copy.sqlite3 \
        .venv/bin/python benchmarks/ledger_import.py --rows 100000

It builds an xlsx of ``--rows`` new households spread over the bureau's
grids (placed by their points, the slow path), then times the dry-run
check and the one-transaction apply as the bureau user, and reads the file
back to show that a second run leaves every row unchanged.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policing.settings")

import django

django.setup()

import openpyxl  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from grids.models import Grid  # noqa: E402
from ledgers import sheets  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--user", default="bureau")
    options = parser.parse_args()
    user = get_user_model().objects.get(username=options.user)
    grids = list(
        Grid.objects.in_scope_of(user).values_list(
            "min_lon", "min_lat", "max_lon", "max_lat"
        )
    )

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(sheets.HEADERS["households"]))
    for n in range(options.rows):
        min_lon, min_lat, max_lon, max_lat = grids[n % len(grids)]
        sheet.append(
            [
                f"基准测试路{n}号",
                "",
                (min_lon + max_lon) / 2,
                (min_lat + max_lat) / 2,
                1 + n % 5,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    size = f"{len(content) / 1e6:.1f} MB"
    print(f"{connection.vendor}: {options.rows} rows, {size}, {len(grids)} grids")  # noqa: T201

    for label, run in [
        ("check", sheets.check),
        ("apply", sheets.apply),
        ("re-check", sheets.check),
    ]:
        started = time.perf_counter()
        outcome = run(content, "bench.xlsx", "households", user=user)
        seconds = time.perf_counter() - started
        rate = f"{options.rows / seconds:8.0f} rows/s"
        print(f"{label:9} {seconds:7.1f} s  {rate}  {outcome.totals}")  # noqa: T201


if __name__ == "__main__":
    main()
