"""The ledgers' own records: each import with its rows, and the export log.

The models moved here from ``grids`` with their tables, which keep their
names (``Meta.db_table``): the move changed nothing in the database.
"""

import hashlib

import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ledgers.querysets import LedgerImportQuerySet


class Protect(pgtrigger.Protect):
    """pgtrigger's Protect under the id it was installed with in ``grids``.

    pgtrigger names a trigger and its function in PostgreSQL after a hash of
    ``"<app label>.<Model>:<name>"``, so a model moved to another app would
    get a new trigger. Hashing the label the model was installed under keeps
    the trigger in the database as it is.
    """

    def __init__(self, *, installed_as: str, **kwargs):
        self.installed_as = installed_as
        super().__init__(**kwargs)

    def get_pgid(self, model) -> str:
        uri = f"{self.installed_as}:{self.name}"
        digest = hashlib.sha1(uri.encode()).hexdigest()[:5]
        return f"pgtrigger_{self.name}_{digest}".lower()


class LedgerEntity(models.TextChoices):
    """What a ledger file holds (基础台账): one kind of record per file."""

    GRIDS = "grids", _("grids and areas (GeoJSON)")
    POSTS = "posts", _("posts")
    STAFF = "staff", _("staff and their postings")
    HOUSEHOLDS = "households", _("households")
    RESIDENTS = "residents", _("residents")


class LedgerImport(models.Model):
    """An uploaded ledger file: checked (a dry run), then applied or not.

    The file is kept in the database, as report files are: no shared file
    storage is needed between the web and worker containers. The per-row
    outcome of the check is kept in :class:`LedgerImportRow`. The row is the
    import's own audit record (who, when, which file, what it changed); the
    records it writes are audited by their triggers, with the import named
    in the audit context. No trigger on this table: it would copy the file
    into the event table at every status change.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be checked")
        CHECKING = "checking", _("being checked")
        CHECKED = "checked", _("checked, ready to apply")
        REFUSED = "refused", _("has errors, nothing applied")
        APPLYING = "applying", _("being applied")
        APPLIED = "applied", _("applied")
        FAILED = "failed", _("failed")

    entity = models.CharField(_("records"), max_length=20, choices=LedgerEntity.choices)
    file_name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("file"), editable=False)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    bureau = models.ForeignKey(
        "stations.Bureau",
        models.CASCADE,
        related_name="ledger_imports",
        verbose_name=_("bureau"),
    )
    station = models.ForeignKey(
        "stations.Station",
        models.CASCADE,
        related_name="ledger_imports",
        null=True,
        blank=True,
        verbose_name=_("station"),
        help_text=_("The chief's station; empty for a bureau-wide import."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    #: {"new": n, "update": n, "skip": n, "invalid": n, "error": n}
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    #: messages about the whole file (e.g. overlapping grids), not one row
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    requested_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    objects = LedgerImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")
        ordering = ["-requested_at", "-pk"]
        db_table = "grids_ledgerimport"

    def __str__(self):
        return f"{self.file_name} · {self.get_entity_display()}"

    def get_absolute_url(self):
        return reverse("ledgers:ledger_import", args=[self.pk])

    @property
    def errors(self) -> int:
        return self.totals.get("invalid", 0) + self.totals.get("error", 0)

    @property
    def changes(self) -> int:
        return self.totals.get("new", 0) + self.totals.get("update", 0)


class LedgerImportRow(models.Model):
    """What the check found for one row (or GeoJSON feature) of an import."""

    class Action(models.TextChoices):
        NEW = "new", _("create")
        UPDATE = "update", _("update")
        SKIP = "skip", _("unchanged")
        INVALID = "invalid", _("error")

    ledger_import = models.ForeignKey(
        LedgerImport, models.CASCADE, related_name="rows", verbose_name=_("import")
    )
    #: the row as the user sees it in the sheet (header = row 1), or the
    #: feature's index in a GeoJSON FeatureCollection (from 0)
    number = models.PositiveIntegerField(_("row"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    key = models.CharField(_("record"), max_length=200, blank=True)
    #: [{"column": ..., "message": ...}, ...]
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("ledger import row")
        verbose_name_plural = _("ledger import rows")
        ordering = ["ledger_import", "number"]
        db_table = "grids_ledgerimportrow"
        indexes = [models.Index(fields=["ledger_import", "action", "number"])]

    def __str__(self):
        return f"{self.number}: {self.get_action_display()} {self.key}"


class LedgerExport(models.Model):
    """A record that someone exported a ledger (who, when, what, how many).

    A log, so append-only like :class:`grids.models.IdReveal`: a trigger
    refuses UPDATE and DELETE, and a deleted user leaves the row as it was.
    """

    entity = models.CharField(_("records"), max_length=20, choices=LedgerEntity.choices)
    format = models.CharField(_("format"), max_length=10)
    rows = models.PositiveIntegerField(_("rows"))
    ids_revealed = models.BooleanField(_("national IDs in full"), default=False)
    full_phones = models.BooleanField(_("phones in full"), default=False)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("exported by"),
    )
    exported_at = models.DateTimeField(_("exported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger export")
        verbose_name_plural = _("ledger exports")
        ordering = ["-exported_at", "-pk"]
        db_table = "grids_ledgerexport"
        triggers = [
            Protect(
                installed_as="grids.LedgerExport",
                name="append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self):
        return (
            f"{self.get_entity_display()} · {self.rows} · {self.exported_at:%Y-%m-%d}"
        )
