"""The territory: areas, grids, households and residents."""

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grids import national_id
from grids.querysets import (
    AreaQuerySet,
    GridQuerySet,
    HouseholdQuerySet,
    ResidentQuerySet,
)
from policing import geometry
from policing.audit import audited
from policing.phones import validate_phone

#: Upper bounds of counts a person types (issue 27, item 9). A collective
#: household (集体户, a dormitory) may hold a few hundred people.
MAX_HOUSEHOLD_MEMBERS = 1000
MAX_GRID_POPULATION = 100_000
NO_GRID_AT_POINT = _("This location is not inside any grid.")
#: Said alike whether or not the writer may see the other record: it names
#: neither the resident nor where they live.
ID_NUMBER_REGISTERED = _(
    "This national ID number is already registered for a resident of the bureau."
)
GRID_OR_LOCATION = _("Give the grid or a location inside it.")
CATEGORY_WITHOUT_KEY_PERSON = _("Only a key person has a key-person category.")
KEY_PERSON_NEEDS_CATEGORY = _("Choose the key-person category.")


@audited
class Area(models.Model):
    """An administrative unit served by a station: a community or a village."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("community")
        VILLAGE = "village", _("administrative village")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    station = models.ForeignKey(
        "stations.Station",
        models.PROTECT,
        related_name="areas",
        verbose_name=_("station"),
    )
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        validators=[geometry.validate_polygon],
        help_text=_("GeoJSON Polygon or MultiPolygon, WGS84."),
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["station", "name"]

    def __str__(self):
        return self.name


@audited
class Grid(models.Model):
    """A grid (网格): the territory of one responsible officer and a few helpers."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, unique=True)
    area = models.ForeignKey(
        Area, models.PROTECT, related_name="grids", verbose_name=_("area")
    )
    boundary = models.JSONField(
        _("boundary"),
        validators=[geometry.validate_polygon],
        help_text=_("GeoJSON Polygon or MultiPolygon, WGS84."),
    )
    population = models.PositiveIntegerField(
        _("population"),
        default=0,
        validators=[MaxValueValidator(MAX_GRID_POPULATION)],
    )
    complexity = models.PositiveSmallIntegerField(
        _("complexity"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("1 simple, 2 average, 3 complex."),
    )
    # The boundary's bounding box, kept so that point-in-polygon searches only
    # the few grids whose box holds the point.
    min_lon = models.FloatField(editable=False, null=True)
    min_lat = models.FloatField(editable=False, null=True)
    max_lon = models.FloatField(editable=False, null=True)
    max_lat = models.FloatField(editable=False, null=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(complexity__gte=1, complexity__lte=3),
                name="grid_complexity_1_3",
            ),
        ]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"])]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        if self.boundary:
            self.min_lon, self.min_lat, self.max_lon, self.max_lat = geometry.bounds(
                self.boundary
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("dashboards:grid", args=[self.pk])

    @classmethod
    def locate(cls, point: dict, *, among=None) -> "Grid | None":
        """Return the grid covering a GeoJSON point, or None.

        A point on a shared edge goes to the grid with the smallest id.
        """
        lon, lat = point["coordinates"][:2]
        grids = (among if among is not None else cls.objects).containing_bbox(lon, lat)
        pk = geometry.first_covering(point, grids.values_list("pk", "boundary"))
        return None if pk is None else cls.objects.get(pk=pk)


@audited
class Household(models.Model):
    """A dwelling and the household living there (实有房屋/户)."""

    address = models.CharField(_("standard address"), max_length=200)
    location = models.JSONField(
        _("location"),
        null=True,
        blank=True,
        validators=[geometry.validate_point],
        help_text=_("GeoJSON Point, WGS84."),
    )
    grid = models.ForeignKey(
        Grid,
        models.PROTECT,
        related_name="households",
        blank=True,
        verbose_name=_("grid"),
        help_text=_("Found from the location when left empty."),
    )
    member_count = models.PositiveSmallIntegerField(
        _("members"),
        default=1,
        validators=[MaxValueValidator(MAX_HOUSEHOLD_MEMBERS)],
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["grid", "address"]
        indexes = [models.Index(fields=["address"])]

    def __str__(self):
        return self.address

    def clean(self):
        if self.grid_id is not None:
            return
        if not self.location:
            raise ValidationError({"grid": GRID_OR_LOCATION})
        try:
            geometry.validate_point(self.location)
        except ValidationError:
            return  # reported on the location field itself
        grid = Grid.locate(self.location)
        if grid is None:
            raise ValidationError({"location": NO_GRID_AT_POINT})
        self.grid = grid


@audited
class Resident(models.Model):
    """A person living in a household (实有人口), possibly a key person.

    The national ID number is write-only: ``id_number`` accepts the clear
    number and reads back the mask; the clear number is kept only as
    ciphertext.
    """

    class KeyPersonCategory(models.TextChoices):
        RELEASED_PRISONER = "released_prisoner", _("released prisoner")
        COMMUNITY_CORRECTION = "community_correction", _("under community correction")
        DRUG_USER = "drug_user", _("drug user")
        MENTAL_DISORDER = "mental_disorder", _("severe mental disorder")
        PETITIONER = "petitioner", _("repeated petitioner")
        OTHER = "other", _("other")

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    id_number_encrypted = models.TextField(_("national ID (encrypted)"), editable=False)
    id_number_hash = models.CharField(
        _("national ID (lookup hash)"), max_length=64, editable=False, db_index=True
    )
    id_number_masked = models.CharField(_("national ID"), max_length=18, editable=False)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="residents", verbose_name=_("household")
    )
    is_key_person = models.BooleanField(_("key person"), default=False)
    key_person_category = models.CharField(
        _("key-person category"),
        max_length=30,
        choices=KeyPersonCategory.choices,
        blank=True,
    )

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household", "name"]
        # Exports mask phones; this permission, granted person by person,
        # allows one with full numbers, which the export log records.
        permissions = [
            ("export_full_phones", _("Can export ledgers with full phone numbers"))
        ]
        indexes = [
            # Key persons are about 1 % of residents, listed on every
            # station dashboard.
            models.Index(
                fields=["household"],
                condition=Q(is_key_person=True),
                name="resident_key_person_household",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_key_person=True) | Q(key_person_category=""),
                name="resident_category_only_for_key_person",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.id_number_masked})"

    @property
    def id_number(self) -> str:
        """Return the masked number: the clear one is never read back."""
        return self.id_number_masked

    @id_number.setter
    def id_number(self, value: str) -> None:
        number = national_id.validate(value)
        self.id_number_encrypted = national_id.encrypt(number)
        self.id_number_hash = national_id.blind_index(number)
        self.id_number_masked = national_id.mask(number)

    def clean(self):
        if not self.id_number_encrypted:
            raise ValidationError({"id_number": _("This field is required.")})
        if self.household_id and self.registered_elsewhere():
            raise ValidationError({"id_number": ID_NUMBER_REGISTERED})
        if self.key_person_category and not self.is_key_person:
            raise ValidationError({"key_person_category": CATEGORY_WITHOUT_KEY_PERSON})
        if self.is_key_person and not self.key_person_category:
            raise ValidationError({"key_person_category": KEY_PERSON_NEEDS_CATEGORY})

    def registered_elsewhere(self) -> bool:
        """Whether another resident of the same bureau has this ID number.

        One person is one resident record per bureau (issue 27, item 9): a
        move is a change of the record's household, not a second record.
        """
        bureau = Household.objects.filter(pk=self.household_id).values(
            "grid__area__station__bureau"
        )
        return (
            Resident.objects.filter(
                id_number_hash=self.id_number_hash,
                household__grid__area__station__bureau__in=bureau,
            )
            .exclude(pk=self.pk)
            .exists()
        )


class IdReveal(models.Model):
    """One showing of a resident's full national ID ("break the glass", G-AD6).

    Append-only: no update or delete, in the admin or in the database. The
    foreign keys have no database constraint, so the record outlives a
    deleted resident or login and still names them by id.
    """

    resident = models.ForeignKey(
        Resident,
        models.DO_NOTHING,
        db_constraint=False,
        related_name="id_reveals",
        verbose_name=_("resident"),
    )
    revealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("revealed by"),
    )
    reason = models.TextField(_("reason"))
    revealed_at = models.DateTimeField(_("revealed at"), default=timezone.now)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    client = models.CharField(_("client address"), max_length=45, blank=True)

    class Meta:
        verbose_name = _("national ID reveal")
        verbose_name_plural = _("national ID reveals")
        ordering = ["-revealed_at", "-pk"]
        indexes = [models.Index(fields=["revealed_by", "revealed_at"])]
        triggers = [
            pgtrigger.Protect(
                name="append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self):
        return f"{self.resident_id} · {self.revealed_at:%Y-%m-%d %H:%M}"
