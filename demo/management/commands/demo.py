"""One command from a fresh checkout to a running demo."""

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

DEFAULT_ADDRPORT = "127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Migrate, load the demo county, print the demo logins, and start the "
        "development server."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport",
            nargs="?",
            default=DEFAULT_ADDRPORT,
            help=f"Address and port for the server (default {DEFAULT_ADDRPORT}).",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Migrate and load the demo, but do not start the server.",
        )

    def handle(self, *args, addrport, no_serve, **options):
        # The autoreloader runs this command again in a child process; only
        # the first run needs to migrate and load.
        if os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            call_command("migrate", interactive=False, verbosity=0)
            call_command(
                "load_demo", stdout=self.stdout, verbosity=options["verbosity"]
            )
        if not no_serve:
            call_command("runserver", addrport)
