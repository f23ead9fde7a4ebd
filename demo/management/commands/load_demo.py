"""Load the demo county 青山县; safe to run again."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from demo.cases import DEMO_CODE, DEMO_PHONE_TAIL
from demo.county import load_county
from grids.models import Area, Grid, Household, Resident
from policing.checks import DEMO_PASSWORD
from stations.models import Assignment, Bureau, Person, Post, Station


class Command(BaseCommand):
    help = "Load the deterministic demo county (青山县); safe to run again."

    def handle(self, *args, **options):
        started = time.perf_counter()
        logins, records = load_county()
        seconds = time.perf_counter() - started
        if options["verbosity"] < 1:
            return
        self.stdout.write(self.style.SUCCESS(f"Demo county loaded in {seconds:.1f} s."))
        for model in (
            Bureau,
            Station,
            Area,
            Grid,
            Post,
            Person,
            Assignment,
            Household,
            Resident,
            get_user_model(),
        ):
            count = model.objects.count()
            self.stdout.write(f"  {model.__name__:<16} {count:>6}")
        for name, count in records.items():
            self.stdout.write(f"  {name:<16} {count:>6}")
        self.stdout.write("")
        self.stdout.write(f"  {'username':<10} {'password':<20} role")
        for username, role in logins:
            self.stdout.write(f"  {username:<10} {DEMO_PASSWORD:<20} {role}")
        self.stdout.write("")
        self.stdout.write(
            f"  Public case query (/track/): code {DEMO_CODE}, "
            f"phone ending {DEMO_PHONE_TAIL}"
        )
