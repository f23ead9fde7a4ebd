"""Smoke test of the city benchmark (issue 10): the whole command, small size.

It generates a small city in the test database, runs ``benchmarks/city.py``
against it (gunicorn, the loopback load tool, the hand-written SQL and the
check that both give the same answers) and reads the table it writes. No
timing is asserted: figures belong to ``benchmarks/results.md``.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from benchmarks.city import PATHS

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the benchmark's hand-written SQL is PostgreSQL",
    ),
]


def database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def test_the_benchmark_runs_every_path_on_a_small_city(tmp_path):
    call_command(
        "generate_city", "--size", "small", "--bureau-code", "CITY", verbosity=0
    )
    output = tmp_path / "results.md"

    finished = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "city.py"),
            f"--database-url={database_url()}",
            "--requests=3",
            "--visit-seconds=1",
            "--workers=1",
            f"--output={output}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr[-3000:]
    table = output.read_text(encoding="utf-8")
    for label, _target in PATHS.values():
        row = next(
            line for line in table.splitlines() if line.startswith(f"| {label} |")
        )
        assert " ms" in row or " s |" in row, row
    assert "Machine:" in table
