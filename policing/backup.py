"""Back up the PostgreSQL database and restore it into a fresh one (G-IN8).

Both run PostgreSQL's own client tools (``pg_dump``, ``createdb``,
``pg_restore``, ``dropdb``) against the database Django is configured with,
so a dump holds everything the application relies on: the rows, the audit
event tables, the audit and append-only triggers and their functions. The
password and TLS settings go to the tools through ``PG*`` environment
variables, never on the command line where ``ps`` would show them.

National IDs stay encrypted in the dump; restoring them is useful only with
the same ``FIELD_ENCRYPTION_KEYS`` and ``FIELD_HASH_KEY``, which are kept
apart from the dumps.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.db import connections
from django.db.backends.postgresql.client import DatabaseClient

#: names a restore may create: plain identifiers, never mistaken for options
DATABASE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class BackupError(Exception):
    """The backup or restore could not be done; the message says why."""


def backup(output: Path, *, using: str = "default") -> None:
    """Write a ``pg_dump`` custom-format archive of database ``using`` to ``output``."""
    settings_dict = _postgresql_settings(using)
    _run(
        "pg_dump",
        [
            *_connection_args(settings_dict),
            "--format=custom",
            f"--file={output}",
            settings_dict["NAME"],
        ],
        settings_dict,
    )


def restore(archive: Path, *, into: str, using: str = "default") -> None:
    """Restore ``archive`` into a new database ``into`` on the server of ``using``.

    The database is created here, so a restore never mixes with existing
    rows; if the restore fails, it is dropped again, and nothing is left
    half-restored. The restore is one transaction and stops at the first
    error.
    """
    settings_dict = _postgresql_settings(using)
    if not DATABASE_NAME.fullmatch(into):
        raise BackupError(
            f"{into!r} is not a plain database name (letters, digits, underscores)."
        )
    if not archive.is_file():
        raise BackupError(f"No backup file at {archive}.")
    connection_args = _connection_args(settings_dict)
    # template0: a copy of a site's template1 could hold objects that would
    # clash with the archive's.
    _run("createdb", [*connection_args, "--template=template0", into], settings_dict)
    try:
        _run(
            "pg_restore",
            [
                *connection_args,
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={into}",
                str(archive),
            ],
            settings_dict,
        )
    except BackupError:
        _run("dropdb", [*connection_args, "--if-exists", into], settings_dict)
        raise


def drop(database: str, *, using: str = "default") -> None:
    """Drop ``database`` (a restored copy) on the server of ``using``."""
    settings_dict = _postgresql_settings(using)
    if database == settings_dict["NAME"]:
        raise BackupError("Refusing to drop the database this site runs on.")
    if not DATABASE_NAME.fullmatch(database):
        raise BackupError(f"{database!r} is not a plain database name.")
    _run(
        "dropdb",
        [*_connection_args(settings_dict), "--if-exists", "--force", database],
        settings_dict,
    )


def _postgresql_settings(using: str) -> dict:
    settings_dict = connections[using].settings_dict
    if connections[using].vendor != "postgresql":
        raise BackupError(
            f"The database is {connections[using].display_name}, not PostgreSQL: "
            f"back it up by copying the file {settings_dict['NAME']} while the "
            "site is stopped."
        )
    return settings_dict


def _connection_args(settings_dict: dict) -> list[str]:
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args.append(f"{option}={settings_dict[key]}")
    return args


def _run(tool: str, args: list[str], settings_dict: dict) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} is not installed; it comes with PostgreSQL's client tools "
            "(Debian: postgresql-client), of the server's major version or newer."
        )
    # Django's own mapping of the settings (password, sslmode, service ...)
    # to libpq's environment variables, the one `manage.py dbshell` uses.
    _args, secrets = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    # No shell: each argument reaches the tool as it is.
    finished = subprocess.run(
        [executable, "--no-password", *args],
        env={**os.environ, **(secrets or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise BackupError(
            f"{tool} failed (exit status {finished.returncode}): "
            f"{finished.stderr.strip()}"
        )
