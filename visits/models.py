"""Field work: household visits, patrols, venue inspections and services."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policing.audit import audited
from policing.geometry import validate_point
from visits.querysets import (
    InspectionQuerySet,
    PatrolQuerySet,
    ServiceQuerySet,
    VenueQuerySet,
    VisitQuerySet,
)

#: Upper bounds of counts a person types (issue 27, item 9): a doorstep
#: visit collects a handful of items, an inspection finds a few hazards.
MAX_INFO_ITEMS = 100
MAX_HAZARDS = 100
MAX_SERVICE_QUANTITY = 100
END_BEFORE_START = _("The end must be after the start.")
IN_THE_FUTURE = _("This time is in the future.")
REMOVED_MORE_THAN_FOUND = _("More hazards removed than found.")
RESIDENT_OF_ANOTHER_HOUSEHOLD = _(
    "This resident does not live in the visited household."
)

# Phones and servers disagree by a few minutes; later than this is a mistake.
CLOCK_SKEW = datetime.timedelta(minutes=5)

# Night patrol window (seed: Qujing night patrols), local time.
NIGHT_STARTS = datetime.time(20, 0)
NIGHT_ENDS = datetime.time(6, 0)


def not_in_future(value: datetime.datetime) -> None:
    if value and value > timezone.now() + CLOCK_SKEW:
        raise ValidationError(IN_THE_FUTURE, code="future")


class FieldWork(models.Model):
    """Fields shared by every kind of field work record."""

    person = models.ForeignKey(
        "stations.Person",
        models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("person"),
        help_text=_("Defaults to the person logged in."),
    )
    notes = models.TextField(_("notes"), blank=True)
    client_uuid = models.UUIDField(
        _("client id"),
        default=uuid.uuid4,
        help_text=_(
            "Idempotency key chosen by the form or app; "
            "a replay returns the stored row."
        ),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        abstract = True


@audited
class Visit(FieldWork):
    """A household visit (入户走访)."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("routine visit")
        KEY_PERSON_MEETING = "key_person_meeting", _("key person: weekly meeting")
        KEY_PERSON_TALK = "key_person_talk", _("key person: monthly talk")
        KEY_PERSON_REVIEW = "key_person_review", _("key person: quarterly review")
        DISPUTE_FOLLOW_UP = "dispute_follow_up", _("dispute follow-up")
        CASE_RETURN_VISIT = "case_return_visit", _("case return visit")
        ANTI_FRAUD = "anti_fraud", _("anti-fraud outreach")
        SERVICE = "service", _("service")

    household = models.ForeignKey(
        "grids.Household",
        models.PROTECT,
        related_name="visits",
        verbose_name=_("household"),
    )
    # The household's grid when visited: quotas count the grid worked in then,
    # even if the household is later moved to another grid.
    grid = models.ForeignKey(
        "grids.Grid",
        models.PROTECT,
        related_name="visits",
        editable=False,
        verbose_name=_("grid"),
    )
    resident = models.ForeignKey(
        "grids.Resident",
        models.SET_NULL,
        related_name="visits",
        null=True,
        blank=True,
        verbose_name=_("resident met"),
        help_text=_("For key-person contacts: whom the visit was with."),
    )
    visited_at = models.DateTimeField(_("visited at"), validators=[not_in_future])
    kind = models.CharField(
        _("kind"), max_length=30, choices=Kind.choices, default=Kind.ROUTINE
    )
    info_items = models.PositiveIntegerField(
        _("information items"),
        default=0,
        validators=[MaxValueValidator(MAX_INFO_ITEMS)],
        help_text=_("Intelligence items collected."),
    )
    location = models.JSONField(
        _("GPS location"), null=True, blank=True, validators=[validate_point]
    )

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "client_uuid"], name="visit_client_uuid_per_person"
            ),
            models.CheckConstraint(
                condition=Q(info_items__gte=0), name="visit_info_items_gte_0"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "visited_at"]),
            # A station's visits over a period (dashboard, coverage).
            models.Index(fields=["grid", "visited_at"]),
            # A key person's last contact of each kind.
            models.Index(fields=["resident", "kind", "visited_at"]),
        ]

    def __str__(self):
        return f"{self.household} · {self.get_kind_display()}"

    def clean(self):
        if self.household_id is not None:
            self.grid_id = self.household.grid_id
        if (
            self.resident_id is not None
            and self.resident.household_id != self.household_id
        ):
            raise ValidationError({"resident": RESIDENT_OF_ANOTHER_HOUSEHOLD})


@audited
class Patrol(FieldWork):
    """A patrol of a grid (巡逻); ``ended_at`` is empty while it runs."""

    grid = models.ForeignKey(
        "grids.Grid", models.PROTECT, related_name="patrols", verbose_name=_("grid")
    )
    started_at = models.DateTimeField(_("started at"), validators=[not_in_future])
    ended_at = models.DateTimeField(
        _("ended at"), null=True, blank=True, validators=[not_in_future]
    )

    objects = PatrolQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "client_uuid"], name="patrol_client_uuid_per_person"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="patrol_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "started_at"]),
            # Patrols overlapping a period: "ended after its start, or still
            # running" is a range on this index, per person.
            models.Index(fields=["person", "ended_at"]),
        ]

    def __str__(self):
        return f"{self.grid} · {self.started_at:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.started_at and self.ended_at and self.ended_at <= self.started_at:
            raise ValidationError({"ended_at": END_BEFORE_START})

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.ended_at is None:
            return None
        return self.ended_at - self.started_at

    @property
    def is_night(self) -> bool:
        """Return whether the patrol overlaps 20:00-06:00 local time."""
        start = timezone.localtime(self.started_at)
        end = timezone.localtime(self.ended_at or timezone.now())
        day = start.date() - datetime.timedelta(days=1)
        while day <= end.date():
            night_start = timezone.make_aware(
                datetime.datetime.combine(day, NIGHT_STARTS)
            )
            night_end = timezone.make_aware(
                datetime.datetime.combine(day + datetime.timedelta(days=1), NIGHT_ENDS)
            )
            if start < night_end and end > night_start:
                return True
            day += datetime.timedelta(days=1)
        return False


@audited
class Venue(models.Model):
    """A place under public-security or fire supervision (KTV, hotel ...)."""

    class Kind(models.TextChoices):
        KTV = "ktv", _("KTV")
        INTERNET_CAFE = "internet_cafe", _("internet café")
        HOTEL = "hotel", _("hotel")
        RESTAURANT = "restaurant", _("restaurant")
        SHOP = "shop", _("shop")
        SCHOOL = "school", _("school")
        FACTORY = "factory", _("factory")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    grid = models.ForeignKey(
        "grids.Grid", models.PROTECT, related_name="venues", verbose_name=_("grid")
    )
    location = models.JSONField(
        _("location"), null=True, blank=True, validators=[validate_point]
    )

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["grid", "name"]

    def __str__(self):
        return self.name


@audited
class Inspection(FieldWork):
    """A security or fire inspection of a venue (治安/消防检查)."""

    class Kind(models.TextChoices):
        SECURITY = "security", _("public security")
        FIRE = "fire", _("fire safety")

    venue = models.ForeignKey(
        Venue, models.PROTECT, related_name="inspections", verbose_name=_("venue")
    )
    inspected_at = models.DateTimeField(_("inspected at"), validators=[not_in_future])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    hazards_found = models.PositiveIntegerField(
        _("hazards found"), default=0, validators=[MaxValueValidator(MAX_HAZARDS)]
    )
    hazards_removed = models.PositiveIntegerField(
        _("hazards removed"), default=0, validators=[MaxValueValidator(MAX_HAZARDS)]
    )

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "client_uuid"],
                name="inspection_client_uuid_per_person",
            ),
            models.CheckConstraint(
                condition=Q(hazards_removed__lte=F("hazards_found")),
                name="inspection_removed_lte_found",
            ),
        ]

    def __str__(self):
        return f"{self.venue} · {self.get_kind_display()}"

    def clean(self):
        if (self.hazards_removed or 0) > (self.hazards_found or 0):
            raise ValidationError({"hazards_removed": REMOVED_MORE_THAN_FOUND})


@audited
class Service(FieldWork):
    """A service to residents (便民服务): help given, documents handled."""

    class Kind(models.TextChoices):
        HELP_REQUEST = "help_request", _("help request")
        HUKOU_BOOK = "hukou_book", _("household register handled")
        ID_CARD_DELIVERED = "id_card_delivered", _("ID card delivered")
        CERTIFICATE = "certificate", _("certificate issued")
        OTHER = "other", _("other service")

    grid = models.ForeignKey(
        "grids.Grid", models.PROTECT, related_name="services", verbose_name=_("grid")
    )
    household = models.ForeignKey(
        "grids.Household",
        models.SET_NULL,
        related_name="services",
        null=True,
        blank=True,
        verbose_name=_("household"),
    )
    served_at = models.DateTimeField(_("served at"), validators=[not_in_future])
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    quantity = models.PositiveIntegerField(
        _("quantity"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SERVICE_QUANTITY)],
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["-served_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "client_uuid"], name="service_client_uuid_per_person"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="service_quantity_gte_1"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} x{self.quantity}"

    def clean(self):
        if self.household_id is not None and self.grid_id is None:
            self.grid_id = self.household.grid_id
