"""Dispute mediation: the "346" mechanism (SPEC §2, seed Tongxin)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.querysets import (
    DisputeChildQuerySet,
    DisputePolicyQuerySet,
    DisputeQuerySet,
)
from policing.audit import audited, audited_links
from policing.phones import validate_phone


class Colour(models.TextChoices):
    """Difficulty of a dispute, easiest first."""

    GREEN = "green", _("green")
    YELLOW = "yellow", _("yellow")
    ORANGE = "orange", _("orange")
    RED = "red", _("red")


class Level(models.TextChoices):
    """Where a dispute is handled, lowest first."""

    WORKSTATION = "workstation", _("workstation")
    OFFICE = "office", _("community police office")
    STATION = "station", _("police station")


class Category(models.TextChoices):
    """What a dispute is about."""

    NEIGHBOURHOOD = "neighbourhood", _("neighbourhood")
    FAMILY = "family", _("family")
    LAND = "land", _("land")
    LABOUR = "labour", _("labour")
    DEBT = "debt", _("debt")
    TRAFFIC = "traffic", _("traffic")
    OTHER = "other", _("other")


class Status(models.TextChoices):
    """Where a dispute stands in its workflow."""

    REPORTED = "reported", _("reported")
    ACCEPTED = "accepted", _("accepted")
    MEDIATING = "mediating", _("mediating")
    RESOLVED = "resolved", _("resolved")
    REFERRED = "referred", _("referred")
    FAILED = "failed", _("failed")
    CLOSED = "closed", _("closed")


class EventKind(models.TextChoices):
    """What happened in a dispute's timeline."""

    REPORTED = "reported", _("reported")
    ACCEPTED = "accepted", _("accepted")
    REGRADED = "regraded", _("regraded")
    ESCALATED = "escalated", _("escalated")
    SESSION_HELD = "session_held", _("mediation session held")
    RESOLVED = "resolved", _("resolved")
    REFERRED = "referred", _("referred")
    FAILED = "failed", _("failed")
    RETURN_VISIT = "return_visit", _("return visit")
    CLOSED = "closed", _("closed")


#: rank of each colour and level: higher is harder or higher up
COLOUR_RANK = {value: rank for rank, value in enumerate(Colour.values)}
LEVEL_RANK = {value: rank for rank, value in enumerate(Level.values)}

# SPEC §2 defaults: first contact within 24 h of the report, mediation within
# 24 h of acceptance, a return visit within 7 days of resolution; "苗头息在工作站、
# 小事和在警务室、大事化在派出所".
DEFAULT_POLICY = {
    "first_contact_hours": 24,
    "mediation_hours": 24,
    "return_visit_days": 7,
    "level_for_green": Level.WORKSTATION,
    "level_for_yellow": Level.OFFICE,
    "level_for_orange": Level.STATION,
    "level_for_red": Level.STATION,
}


def _in(field: str, choices) -> Q:
    return Q(**{f"{field}__in": choices.values})


@audited
class DisputePolicy(models.Model):
    """A bureau's dispute time limits and levels; SPEC defaults when absent."""

    bureau = models.OneToOneField(
        "stations.Bureau",
        models.CASCADE,
        related_name="dispute_policy",
        verbose_name=_("bureau"),
    )
    first_contact_hours = models.PositiveIntegerField(
        _("first contact within (hours)"),
        default=DEFAULT_POLICY["first_contact_hours"],
        validators=[MinValueValidator(1)],
    )
    mediation_hours = models.PositiveIntegerField(
        _("mediation within (hours after acceptance)"),
        default=DEFAULT_POLICY["mediation_hours"],
        validators=[MinValueValidator(1)],
    )
    return_visit_days = models.PositiveIntegerField(
        _("return visit within (days after resolution)"),
        default=DEFAULT_POLICY["return_visit_days"],
        validators=[MinValueValidator(1)],
    )
    level_for_green = models.CharField(
        _("level for green"),
        max_length=20,
        choices=Level.choices,
        default=DEFAULT_POLICY["level_for_green"],
    )
    level_for_yellow = models.CharField(
        _("level for yellow"),
        max_length=20,
        choices=Level.choices,
        default=DEFAULT_POLICY["level_for_yellow"],
    )
    level_for_orange = models.CharField(
        _("level for orange"),
        max_length=20,
        choices=Level.choices,
        default=DEFAULT_POLICY["level_for_orange"],
    )
    level_for_red = models.CharField(
        _("level for red"),
        max_length=20,
        choices=Level.choices,
        default=DEFAULT_POLICY["level_for_red"],
    )

    objects = DisputePolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute policy")
        verbose_name_plural = _("dispute policies")
        constraints = [
            models.CheckConstraint(
                condition=_in(f"level_for_{colour}", Level),
                name=f"disputepolicy_level_for_{colour}_valid",
            )
            for colour in Colour.values
        ]

    def __str__(self):
        return str(self.bureau)

    def level_for(self, colour: str) -> str:
        """Return the handling level this policy gives ``colour``."""
        return getattr(self, f"level_for_{colour}")

    @classmethod
    def for_bureau(cls, bureau_id: int) -> "DisputePolicy":
        """Return the bureau's policy, or an unsaved one with SPEC defaults."""
        policy = cls.objects.filter(bureau_id=bureau_id).first()
        return policy or cls(bureau_id=bureau_id)


# The default audit model, DisputeEvent with reverse relation "events", would
# clash with the dispute's own timeline.
@audited(model_name="DisputeAudit", related_name="audit_events")
class Dispute(models.Model):
    """A dispute (矛盾纠纷) found in a grid, graded and mediated."""

    Category = Category
    Status = Status
    Colour = Colour
    Level = Level

    grid = models.ForeignKey(
        "grids.Grid", models.PROTECT, related_name="disputes", verbose_name=_("grid")
    )
    household = models.ForeignKey(
        "grids.Household",
        models.SET_NULL,
        related_name="disputes",
        null=True,
        blank=True,
        verbose_name=_("household"),
    )
    visit = models.ForeignKey(
        "visits.Visit",
        models.SET_NULL,
        related_name="disputes",
        null=True,
        blank=True,
        verbose_name=_("found on visit"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    summary = models.TextField(_("summary"))
    colour = models.CharField(_("colour"), max_length=10, choices=Colour.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey(
        "stations.Person",
        models.PROTECT,
        related_name="reported_disputes",
        verbose_name=_("reported by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    first_contact_due = models.DateTimeField(
        _("first contact due"), null=True, blank=True
    )
    mediation_due = models.DateTimeField(_("mediation due"), null=True, blank=True)
    return_visit_due = models.DateTimeField(
        _("return visit due"), null=True, blank=True
    )

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("category", Category), name="dispute_category_valid"
            ),
            models.CheckConstraint(
                condition=_in("colour", Colour), name="dispute_colour_valid"
            ),
            models.CheckConstraint(
                condition=_in("level", Level), name="dispute_level_valid"
            ),
            models.CheckConstraint(
                condition=_in("status", Status), name="dispute_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "reported_at"])]

    def __str__(self):
        return (
            f"{self.grid} · {self.get_category_display()} · {self.reported_at:%Y-%m-%d}"
        )

    def get_absolute_url(self):
        return reverse("disputes:detail", args=[self.pk])


@audited
class DisputeEvent(models.Model):
    """One step in a dispute's timeline: who did what, when and why."""

    Kind = EventKind

    dispute = models.ForeignKey(
        Dispute, models.CASCADE, related_name="events", verbose_name=_("dispute")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    by = models.ForeignKey(
        "stations.Person",
        models.PROTECT,
        related_name="dispute_events",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_value = models.CharField(_("from"), max_length=20, blank=True)
    to_value = models.CharField(_("to"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = DisputeChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute event")
        verbose_name_plural = _("dispute events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("kind", EventKind), name="disputeevent_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"

    @property
    def from_display(self) -> str:
        """The old colour or level, in words."""
        return _VALUE_LABELS.get(self.from_value, self.from_value)

    @property
    def to_display(self) -> str:
        """The new colour or level, in words."""
        return _VALUE_LABELS.get(self.to_value, self.to_value)


_VALUE_LABELS = {**dict(Colour.choices), **dict(Level.choices)}


@audited
class ReturnVisit(models.Model):
    """A return visit (回访) to the parties after a dispute is resolved."""

    dispute = models.ForeignKey(
        Dispute,
        models.CASCADE,
        related_name="return_visits",
        verbose_name=_("dispute"),
    )
    by = models.ForeignKey(
        "stations.Person",
        models.PROTECT,
        related_name="dispute_return_visits",
        verbose_name=_("by"),
    )
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)
    outcome = models.TextField(_("outcome"))
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (very unsatisfied) to 5 (very satisfied)."),
    )

    objects = DisputeChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["visited_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5),
                name="returnvisit_satisfaction_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.dispute} · {self.visited_at:%Y-%m-%d}"


@audited
class DisputeParty(models.Model):
    """A party to a dispute: a resident on record, or a named person."""

    dispute = models.ForeignKey(
        Dispute, models.CASCADE, related_name="parties", verbose_name=_("dispute")
    )
    resident = models.ForeignKey(
        "grids.Resident",
        models.PROTECT,
        related_name="dispute_parties",
        null=True,
        blank=True,
        verbose_name=_("resident"),
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[validate_phone]
    )

    objects = DisputeChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["pk"]

    def __str__(self):
        return self.name


@audited
class MediationSession(models.Model):
    """A mediation session (调解会): who mediated, who took part, what was said."""

    dispute = models.ForeignKey(
        Dispute, models.CASCADE, related_name="sessions", verbose_name=_("dispute")
    )
    held_at = models.DateTimeField(_("held at"), default=timezone.now)
    place = models.CharField(_("place"), max_length=100, blank=True)
    mediators = models.ManyToManyField(
        "stations.Person",
        related_name="mediation_sessions",
        verbose_name=_("mediators"),
    )
    participants = models.TextField(
        _("participants"),
        blank=True,
        help_text=_("Parties, relatives, village cadres ... who took part."),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = DisputeChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at", "pk"]

    def __str__(self):
        return f"{self.dispute} · {self.held_at:%Y-%m-%d %H:%M}"


@audited
class Agreement(models.Model):
    """The mediation agreement (调解协议书) a resolved dispute ends with."""

    dispute = models.OneToOneField(
        Dispute, models.CASCADE, related_name="agreement", verbose_name=_("dispute")
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    terms = models.TextField(_("terms"))
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    place = models.CharField(_("place"), max_length=100, blank=True)
    mediators = models.ManyToManyField(
        "stations.Person",
        related_name="mediated_agreements",
        verbose_name=_("mediators"),
    )
    consenting_parties = models.ManyToManyField(
        DisputeParty,
        related_name="agreements",
        verbose_name=_("consenting parties"),
        help_text=_("Every party must consent to the agreement."),
    )

    objects = DisputeChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")

    def __str__(self):
        return self.number


# The mediators and the consenting parties live in link tables that the
# sessions' and agreements' own events never see.


@audited_links
class MediationSessionMediators(MediationSession.mediators.through):
    """The mediators of a session, as links (``MediationSessionMediatorsEvent``)."""

    class Meta:
        proxy = True


@audited_links
class AgreementMediators(Agreement.mediators.through):
    """The mediators who signed an agreement, as links."""

    class Meta:
        proxy = True


@audited_links
class AgreementConsentingParties(Agreement.consenting_parties.through):
    """The parties who consented to an agreement, as links."""

    class Meta:
        proxy = True
