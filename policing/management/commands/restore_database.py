"""Restore a backup into a new PostgreSQL database (SECURITY.md G-IN8)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policing import backup


class Command(BaseCommand):
    help = (
        "Create the database --into on the configured PostgreSQL server and "
        "restore a backup_database archive into it with pg_restore "
        "--exit-on-error, in one transaction. The running site's database is "
        "never touched: point DATABASE_URL at the new one to switch over."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The backup_database file.")
        parser.add_argument(
            "--into", required=True, help="The new database to create and fill."
        )
        parser.add_argument(
            "--database",
            default="default",
            help="The alias whose server and credentials to use.",
        )

    def handle(self, *args, archive, into, database, **options):
        try:
            backup.restore(archive, into=into, using=database)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored {archive} into {into}."))
