"""Who changed what stays written (issue 27, item 5; SECURITY.md G-AD2).

The event tables already refuse UPDATE and DELETE row by row
(``PGHISTORY_APPEND_ONLY``). Two gaps remained, closed here on PostgreSQL:

* **The context table** (``pghistory_context``), which names the user,
  request or task behind each event, could be rewritten or emptied. It is
  append-only now, as far as pghistory's own writes allow. pghistory writes a
  context row with ``INSERT … ON CONFLICT (id) DO UPDATE SET metadata,
  updated_at`` whenever the metadata of a ``pghistory.context()`` grows, so
  the trigger allows an UPDATE that keeps the row's id and ``created_at``
  and either happens in the transaction that created the row
  (``created_at = now()``: a request adding keys as it goes) or only adds
  to the metadata (``NEW.metadata @> OLD.metadata``: a task or command
  whose context spans several transactions). Any other UPDATE, such as
  ``SET metadata = '{}'`` or a changed ``user``, and every DELETE, is
  refused.
* **TRUNCATE**, which fires no row trigger, is refused by a statement-level
  trigger on every event table, the context table and the append-only logs
  (ID reveals, ledger exports).

The triggers are (re)installed after every ``migrate`` (``post_migrate``),
so an event table added later is covered without a new migration; a test
reads the catalog to make sure. In tests only (``AUDIT_TRUNCATE_FOR_TESTS``)
the TRUNCATE guard lets a transaction that sets ``policing.allow_truncate``
through, for the test database's flush; production has no such switch.
"""

from django.apps import apps
from django.conf import settings
from django.db import connections

TRUNCATE_TRIGGER = "policing_no_truncate"
CONTEXT_TRIGGER = "policing_context_append_only"
#: the append-only logs that are not pghistory event tables
LOG_MODELS = ("grids.IdReveal", "ledgers.LedgerExport")

_CONTEXT_FUNCTION = """
CREATE OR REPLACE FUNCTION policing_context_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.id = OLD.id
        AND NEW.created_at = OLD.created_at
        AND (OLD.created_at = now() OR NEW.metadata @> OLD.metadata)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'policing: % on % refused: the audit context is append-only',
        TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""

_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION policing_refuse_truncate() RETURNS trigger AS $$
BEGIN
    {bypass}
    RAISE EXCEPTION 'policing: TRUNCATE of % refused: audit records are append-only',
        TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""
_TEST_BYPASS = (
    "IF current_setting('policing.allow_truncate', true) = 'on' THEN "
    "RETURN NULL; END IF;"
)


def guarded_tables() -> list[str]:
    """Every event table of the project, the context table and the logs."""
    import pghistory.models

    tables = {
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and model.pgh_tracked_model
    }
    tables.add(pghistory.models.Context._meta.db_table)
    tables.update(apps.get_model(label)._meta.db_table for label in LOG_MODELS)
    return sorted(tables)


def install(using: str = "default") -> None:
    """Create or replace the functions and triggers; idempotent."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return  # SQLite (the demo) has no audit triggers at all
    import pghistory.models

    bypass = (
        _TEST_BYPASS if getattr(settings, "AUDIT_TRUNCATE_FOR_TESTS", False) else ""
    )
    context = connection.ops.quote_name(pghistory.models.Context._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_CONTEXT_FUNCTION)
        cursor.execute(_TRUNCATE_FUNCTION.format(bypass=bypass))
        cursor.execute(
            f"CREATE OR REPLACE TRIGGER {CONTEXT_TRIGGER} "
            f"BEFORE UPDATE OR DELETE ON {context} "
            "FOR EACH ROW EXECUTE FUNCTION policing_context_append_only()"
        )
        for table in guarded_tables():
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRUNCATE_TRIGGER} "
                f"BEFORE TRUNCATE ON {connection.ops.quote_name(table)} "
                "FOR EACH STATEMENT EXECUTE FUNCTION policing_refuse_truncate()"
            )


def install_after_migrate(sender, using="default", **kwargs) -> None:
    """``post_migrate`` receiver: the guards follow every migration."""
    install(using)
