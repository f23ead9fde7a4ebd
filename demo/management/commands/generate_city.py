"""Generate a deterministic city-sized bureau for benchmarks (issue 10)."""

import datetime
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from demo import city

#: bureau codes fit the station and grid codes built from them
BUREAU_CODE = re.compile(r"[A-Za-z0-9_-]{1,12}")
MAX_SCALE = 5.0


def local_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--until must be a date like 2026-11-23, not {value!r}."
        ) from None


class Command(BaseCommand):
    help = (
        "Generate a city-sized bureau (stations, grids, staff, households, "
        "residents and a year of field work, disputes and cases) for "
        "benchmarks. The same --seed, size and --until give the same rows."
    )

    def add_arguments(self, parser):
        size = parser.add_mutually_exclusive_group()
        size.add_argument(
            "--size",
            choices=list(city.SIZES),
            help="small (CI, seconds), tenth, third or full (default small).",
        )
        size.add_argument(
            "--scale",
            type=float,
            help="Share of the full city (20 stations, 2,000 grids, 600,000 "
            "households, 3,000,000 visits a year), e.g. 0.05.",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--bureau-code", default="CITY")
        parser.add_argument(
            "--until",
            type=local_date,
            help="The day the generated year ends before (default today).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the bureau with this code, and all its data, first.",
        )
        parser.add_argument(
            "--keep-audit",
            action="store_true",
            help="Write PostgreSQL audit events for every row, as ordinary "
            "writes do (slow; to measure their cost).",
        )

    def handle(self, *args, **options):
        scale = options["scale"]
        if scale is None:
            scale = city.SIZES[options["size"] or "small"]
        if not 0 < scale <= MAX_SCALE:
            raise CommandError(f"--scale must be above 0 and at most {MAX_SCALE}.")
        code = options["bureau_code"]
        if not BUREAU_CODE.fullmatch(code):
            raise CommandError("--bureau-code takes 1-12 letters, digits, '-' or '_'.")
        today = timezone.localdate()
        until = options["until"] or today
        if until > today:
            raise CommandError("--until cannot be in the future.")
        size = city.CitySize.at_scale(scale)
        verbose = options["verbosity"] >= 1
        if verbose:
            self.stdout.write(
                f"Generating bureau {code}: scale {scale:g}, seed "
                f"{options['seed']}, year up to {until - datetime.timedelta(1)}."
            )
        started = time.perf_counter()
        try:
            generated = city.generate_city(
                size=size,
                seed=options["seed"],
                bureau_code=code,
                until=until,
                replace=options["replace"],
                keep_audit=options["keep_audit"],
                progress=self.report_stage if verbose else None,
            )
        except city.BureauExists:
            raise CommandError(
                f"Bureau {code} exists; add --replace to delete it and "
                "generate it again."
            ) from None
        if not verbose:
            return
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Bureau {code} generated in {seconds:.1f} s.")
        )
        if generated.audit_skipped:
            self.stdout.write(
                "Audit triggers were skipped for this benchmark fixture "
                "(session_replication_role = replica, this transaction only)."
            )
        elif connection.vendor == "postgresql" and not options["keep_audit"]:
            self.stderr.write(
                "Audit triggers could not be skipped (changing "
                "session_replication_role needs a superuser): every row "
                "was audited, which is far slower."
            )

    def report_stage(self, stage: str, counts: dict[str, int], seconds: float):
        figures = ", ".join(f"{count:,} {what}" for what, count in counts.items())
        self.stdout.write(f"  {stage:<11} {seconds:7.1f} s  {figures}")
