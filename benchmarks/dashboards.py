"""Time the station and county dashboards on the loaded database.

Run against the demo county (or any database) after ``manage.py load_demo``::

    .venv/bin/python benchmarks/dashboards.py [--repeat 20]

It prints the median and the 95th percentile of each dashboard's figures
alone and of the whole page through Django's test client (in-process, no
server), with the queries each costs. Issue 10 measures the same pages over
HTTP on the generated city.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policing.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from benchmarks.weekly_quotas import measure  # noqa: E402
from dashboards.county import county_dashboard  # noqa: E402
from dashboards.station import station_dashboard  # noqa: E402
from grids.models import Grid  # noqa: E402
from policing.periods import Month  # noqa: E402
from stations.models import Person  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat

    chief = Person.objects.select_related("station").get(user__username="chief")
    bureau = Person.objects.select_related("bureau").get(user__username="bureau")
    print(  # noqa: T201
        f"{connection.vendor}: {Grid.objects.count()} grids, "
        f"{Person.objects.count()} staff"
    )
    measure(
        "station dashboard figures", lambda: station_dashboard(chief.station), repeat
    )
    measure(
        "county dashboard figures (this month)",
        lambda: county_dashboard(bureau.bureau, Month.current()),
        repeat,
    )
    measure(
        "county dashboard figures (last month)",
        lambda: county_dashboard(bureau.bureau, Month.current().previous()),
        repeat,
    )

    def get(user, url):
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)

        def work():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return work

    measure(
        "station dashboard page (HTTP, in-process)",
        get(chief.user, f"/stations/{chief.station_id}/"),
        repeat,
    )
    measure(
        "county dashboard page (HTTP, in-process)", get(bureau.user, "/county/"), repeat
    )


if __name__ == "__main__":
    main()
