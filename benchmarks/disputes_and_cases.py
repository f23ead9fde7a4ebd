"""Time the dispute and case figures and pages on the loaded database.

Run against the demo county (or any database) after ``manage.py load_demo``::

    .venv/bin/python benchmarks/disputes_and_cases.py [--repeat 20]

It prints the median and the 95th percentile of the bureau's dispute figures
for this month, the bureau's case figures (incident rates, year on year,
clearance, ratings) for this month, the chief's dispute board, a dispute's
page, the case list and a public /track/ query, with the queries each costs.
"""

import argparse
import datetime
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policing.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.weekly_quotas import measure  # noqa: E402
from cases.metrics import case_metrics  # noqa: E402
from cases.models import Case, TrackAttempt  # noqa: E402
from demo.cases import DEMO_CODE, DEMO_PHONE_TAIL  # noqa: E402
from disputes.metrics import dispute_metrics  # noqa: E402
from disputes.models import Dispute  # noqa: E402
from grids.models import Grid  # noqa: E402
from policing.periods import Month  # noqa: E402
from stations.models import Person  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat

    today = timezone.localdate()
    month = Month.current()
    print(  # noqa: T201
        f"{connection.vendor}: {Dispute.objects.count()} disputes, "
        f"{Case.objects.count()} cases, {Grid.objects.count()} grids; {month}"
    )
    measure(
        "bureau dispute figures (month)",
        lambda: dispute_metrics(
            Dispute.objects.all(), start=today.replace(day=1), end=today
        ),
        repeat,
    )
    measure(
        "bureau case figures (month)",
        lambda: case_metrics(Case.objects.all(), Grid.objects.all(), month=month),
        repeat,
    )
    chief = Client(SERVER_NAME="localhost")
    chief.force_login(Person.objects.get(user__username="chief").user)
    dispute = Dispute.objects.filter(
        grid__area__station__persons__user__username="chief"
    ).first()

    def get(client, url):
        def work():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return work

    measure("dispute board (HTTP, in-process)", get(chief, "/disputes/"), repeat)
    measure(
        "dispute page (HTTP, in-process)",
        get(chief, f"/disputes/{dispute.pk}/"),
        repeat,
    )
    measure("case list (HTTP, in-process)", get(chief, "/cases/"), repeat)

    public = Client(SERVER_NAME="localhost", enforce_csrf_checks=False)

    def track():
        response = public.post(
            "/track/", {"code": DEMO_CODE, "phone_tail": DEMO_PHONE_TAIL}
        )
        assert b"ZA-" in response.content or b"XS-" in response.content

    started = timezone.now() - datetime.timedelta(seconds=1)
    measure("public /track/ query (HTTP)", track, min(repeat, 4))
    # Successful queries are logged too; leave the demo's log as it was.
    TrackAttempt.objects.filter(at__gte=started).delete()


if __name__ == "__main__":
    main()
