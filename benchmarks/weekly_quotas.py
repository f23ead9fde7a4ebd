"""Time the weekly quota metric and the officer's page on the loaded database.

Run against the demo county (or any database) after ``manage.py load_demo``::

    .venv/bin/python benchmarks/weekly_quotas.py [--repeat 20]

It prints the median and the 95th percentile of: the whole bureau's weekly
quotas for the last full week, one station's, one officer's, and the "my
week" page rendered for the demo officer, with the number of queries each
costs. The city-scale benchmark against hand-written SQL is issue #10's.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policing.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from assessments.metrics import weekly_quotas  # noqa: E402
from policing.periods import IsoWeek  # noqa: E402
from stations.models import Person, Station  # noqa: E402
from visits.models import Patrol, Visit  # noqa: E402


def measure(label: str, work, repeat: int) -> None:
    queries = []
    # An execute wrapper, not CaptureQueriesContext: a request start resets
    # Django's query log.
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        work()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
    print(  # noqa: T201
        f"{label:<34} median {statistics.median(timings):8.1f} ms"
        f"   p95 {p95:8.1f} ms   {len(queries):3d} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat

    week = IsoWeek.current().previous()
    station = Station.objects.order_by("code").first()
    officer = Person.objects.get(user__username="officer")
    print(  # noqa: T201
        f"{connection.vendor}: {Person.objects.count()} persons, "
        f"{Visit.objects.count()} visits, {Patrol.objects.count()} patrols; week {week}"
    )
    measure(
        "bureau weekly quotas",
        lambda: weekly_quotas(week=week, persons=Person.objects.all()),
        repeat,
    )
    measure(
        "station weekly quotas",
        lambda: weekly_quotas(
            week=week, persons=Person.objects.filter(station=station)
        ),
        repeat,
    )
    measure(
        "one officer's weekly quota",
        lambda: weekly_quotas(week=week, persons=Person.objects.filter(pk=officer.pk)),
        repeat,
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(officer.user)

    def my_week():
        response = client.get("/field/")
        assert response.status_code == 200, response.status_code

    measure("my week page (HTTP, in-process)", my_week, repeat)


if __name__ == "__main__":
    main()
