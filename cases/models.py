"""Cases (案件): criminal and administrative, tied to grids, followed by parties.

A party follows their own case on the public ``/track/`` page with the
case's query code and the last four digits of their phone (SPEC §2, seed
Zhengzhou); only the code's keyed hash is stored.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.querysets import CaseChildQuerySet, CaseQuerySet
from policing.audit import audited
from policing.geometry import validate_point
from policing.phones import validate_phone


class Kind(models.TextChoices):
    CRIMINAL = "criminal", _("criminal case")
    ADMINISTRATIVE = "administrative", _("administrative case")


class Category(models.TextChoices):
    THEFT = "theft", _("theft")
    BURGLARY = "burglary", _("burglary")
    TELECOM_FRAUD = "telecom_fraud", _("telecom and online fraud")
    FRAUD = "fraud", _("other fraud")
    ROBBERY = "robbery", _("robbery or snatching")
    ASSAULT = "assault", _("assault")
    FIGHTING = "fighting", _("fighting")
    PROPERTY_DAMAGE = "property_damage", _("damage to property")
    GAMBLING = "gambling", _("gambling")
    DRUGS = "drugs", _("drugs")
    PUBLIC_ORDER = "public_order", _("disturbing public order")
    OTHER = "other", _("other")


class Status(models.TextChoices):
    REPORTED = "reported", _("reported")
    ACCEPTED = "accepted", _("accepted")
    INVESTIGATING = "investigating", _("investigating")
    SOLVED = "solved", _("solved")
    CLOSED = "closed", _("closed")
    DROPPED = "dropped", _("dropped")


class EventKind(models.TextChoices):
    REPORTED = "reported", _("reported")
    ACCEPTED = "accepted", _("accepted")
    INVESTIGATING = "investigating", _("investigation started")
    SOLVED = "solved", _("solved")
    CLOSED = "closed", _("closed")
    DROPPED = "dropped", _("dropped")
    PROGRESS = "progress", _("progress")
    RETURN_VISIT = "return_visit", _("return visit")
    CODE_ISSUED = "code_issued", _("query code issued")


#: An administrative case (行政（治安）案件) is investigated and dealt with
#: (调查, 查处), not solved like a crime (侦查, 破案): its words for the
#: statuses, events and steps that differ. Keyed by the shared value.
ADMINISTRATIVE_WORDS = {
    "investigating": pgettext_lazy("administrative case", "investigating"),
    "solved": pgettext_lazy("administrative case", "solved"),
}
ADMINISTRATIVE_EVENT_WORDS = {
    EventKind.INVESTIGATING: pgettext_lazy(
        "administrative case", "investigation started"
    ),
    EventKind.SOLVED: pgettext_lazy("administrative case", "solved"),
}


def status_label(kind: str, status: str) -> str:
    """The name of ``status`` for a case of ``kind``."""
    if kind == Kind.ADMINISTRATIVE and status in ADMINISTRATIVE_WORDS:
        return ADMINISTRATIVE_WORDS[status]
    return Status(status).label


def event_label(kind: str, event_kind: str) -> str:
    """The name of an event of ``event_kind`` on a case of ``kind``."""
    if kind == Kind.ADMINISTRATIVE and event_kind in ADMINISTRATIVE_EVENT_WORDS:
        return ADMINISTRATIVE_EVENT_WORDS[event_kind]
    return EventKind(event_kind).label


class PartyRole(models.TextChoices):
    REPORTER = "reporter", _("reporter")
    VICTIM = "victim", _("victim")
    SUSPECT = "suspect", _("suspect")
    WITNESS = "witness", _("witness")


#: parties who may follow the case on /track/ and rate the officer
TRACKING_ROLES = (PartyRole.REPORTER, PartyRole.VICTIM)
#: statuses in which parties may rate the officer
RATABLE_STATUSES = (Status.SOLVED, Status.CLOSED)


OCCURRED_AFTER_REPORT = _("A case cannot have happened after it was reported.")


def _in(field: str, choices) -> Q:
    return Q(**{f"{field}__in": choices.values})


# The default audit model, CaseEvent with reverse relation "events", would
# clash with the case's own timeline.
@audited(model_name="CaseAudit", related_name="audit_events")
class Case(models.Model):
    """A criminal or administrative case (刑事/治安案件) reported in a grid."""

    Kind = Kind
    Category = Category
    Status = Status

    number = models.CharField(_("case number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    summary = models.TextField(
        _("summary"), help_text=_("Internal: never shown on the public page.")
    )
    grid = models.ForeignKey(
        "grids.Grid", models.PROTECT, related_name="cases", verbose_name=_("grid")
    )
    location = models.JSONField(
        _("location"),
        null=True,
        blank=True,
        validators=[validate_point],
        help_text=_("GeoJSON point in WGS84, where it happened."),
    )
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    officer = models.ForeignKey(
        "stations.Person",
        models.PROTECT,
        related_name="cases_in_charge",
        verbose_name=_("officer in charge"),
    )
    reported_by = models.ForeignKey(
        "stations.Person",
        models.PROTECT,
        related_name="reported_cases",
        verbose_name=_("recorded by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The code itself is shown once, on the receipt; a lost receipt gets a
    # new code, which retires the old one.
    query_code_hash = models.CharField(
        _("query code (keyed hash)"), max_length=64, blank=True, editable=False
    )
    tracking_locked_until = models.DateTimeField(
        _("public query locked until"), null=True, blank=True, editable=False
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=_in("kind", Kind), name="case_kind_valid"),
            models.CheckConstraint(
                condition=_in("category", Category), name="case_category_valid"
            ),
            models.CheckConstraint(
                condition=_in("status", Status), name="case_status_valid"
            ),
            models.UniqueConstraint(
                fields=["query_code_hash"],
                condition=~Q(query_code_hash=""),
                name="case_query_code_unique",
            ),
        ]
        indexes = [models.Index(fields=["grid", "reported_at"])]

    def __str__(self):
        return f"{self.number} · {self.get_category_display()}"

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.pk])

    def get_status_display(self) -> str:
        return status_label(self.kind, self.status)

    def clean(self):
        reported_at = self.reported_at or timezone.now()
        if self.occurred_at and self.occurred_at > min(reported_at, timezone.now()):
            raise ValidationError({"occurred_at": OCCURRED_AFTER_REPORT})


@audited
class CaseParty(models.Model):
    """A party to a case; reporters and victims may follow it on /track/."""

    Role = PartyRole

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="parties", verbose_name=_("case")
    )
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    resident = models.ForeignKey(
        "grids.Resident",
        models.PROTECT,
        related_name="case_parties",
        null=True,
        blank=True,
        verbose_name=_("resident"),
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    phone_tail = models.CharField(
        _("last four digits of the phone"), max_length=4, blank=True, editable=False
    )

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("case party")
        verbose_name_plural = _("case parties")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("role", PartyRole), name="caseparty_role_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.phone_tail = self.phone[-4:] if self.phone else ""
        if (
            kwargs.get("update_fields") is not None
            and "phone" in kwargs["update_fields"]
        ):
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_tail"}
        super().save(*args, **kwargs)

    @property
    def may_track(self) -> bool:
        return self.role in TRACKING_ROLES and bool(self.phone_tail)


@audited
class CaseEvent(models.Model):
    """A step in a case's timeline; ``public`` ones show on /track/."""

    Kind = EventKind

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    public = models.BooleanField(
        _("shown to the parties"),
        default=False,
        help_text=_("Shown on the public progress page."),
    )
    text = models.TextField(_("text"), blank=True)
    by = models.ForeignKey(
        "stations.Person",
        models.PROTECT,
        related_name="case_events",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("kind", EventKind), name="caseevent_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"

    def get_kind_display(self) -> str:
        # The case is at hand wherever events are listed: prefetched from it.
        return event_label(self.case.kind, self.kind)


@audited
class CaseReturnVisit(models.Model):
    """A return visit (回访) to a party: what they were told, how they took it."""

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="return_visits", verbose_name=_("case")
    )
    party = models.ForeignKey(
        CaseParty,
        models.PROTECT,
        related_name="return_visits",
        verbose_name=_("party"),
    )
    by = models.ForeignKey(
        "stations.Person",
        models.PROTECT,
        related_name="case_return_visits",
        verbose_name=_("by"),
    )
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)
    outcome = models.TextField(_("outcome"))

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("case return visit")
        verbose_name_plural = _("case return visits")
        ordering = ["visited_at", "pk"]

    def __str__(self):
        return f"{self.case} · {self.visited_at:%Y-%m-%d}"


@audited
class Rating(models.Model):
    """A party's rating of the officer in charge: once per party and case."""

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="ratings", verbose_name=_("case")
    )
    party = models.ForeignKey(
        CaseParty, models.PROTECT, related_name="ratings", verbose_name=_("party")
    )
    officer = models.ForeignKey(
        "stations.Person",
        models.PROTECT,
        related_name="ratings",
        verbose_name=_("officer rated"),
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=500)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "party"], name="rating_once_per_party"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.case} · {self.score}"


class TrackAttempt(models.Model):
    """One query on the public page: the log behind its rate limits."""

    at = models.DateTimeField(_("at"), default=timezone.now)
    client = models.GenericIPAddressField(_("client address"))
    code_hash = models.CharField(_("code (keyed hash)"), max_length=64)
    case = models.ForeignKey(
        Case,
        models.CASCADE,
        related_name="track_attempts",
        null=True,
        blank=True,
        verbose_name=_("case"),
    )
    succeeded = models.BooleanField(_("succeeded"))
    #: made while the client's address was locked out: such an attempt is
    #: logged but never counts against the code it tried (issue 27, item 7)
    client_locked = models.BooleanField(_("client locked out"), default=False)

    class Meta:
        verbose_name = _("public query attempt")
        verbose_name_plural = _("public query attempts")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["client", "at"]),
            models.Index(fields=["code_hash", "at"]),
        ]

    def __str__(self):
        return f"{self.client} · {self.at:%Y-%m-%d %H:%M}"
