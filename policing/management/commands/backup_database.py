"""Back up the PostgreSQL database to one file (SECURITY.md G-IN8)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policing import backup


class Command(BaseCommand):
    help = (
        "Write a pg_dump custom-format archive (-Fc) of the configured "
        "PostgreSQL database: rows, audit events and audit triggers. Restore "
        "it with restore_database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", required=True, type=Path, help="The archive file to write."
        )
        parser.add_argument(
            "--database", default="default", help="The database alias to back up."
        )

    def handle(self, *args, output, database, **options):
        try:
            backup.backup(output, using=database)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        size = output.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(f"Backed up to {output} ({size:,} bytes).")
        )
