"""The organisation: bureaus, stations, posts, staff and their assignments."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from policing.audit import audited, audited_links
from policing.geometry import validate_point
from policing.phones import validate_phone
from stations.querysets import (
    AssignmentQuerySet,
    BureauQuerySet,
    PersonQuerySet,
    PostQuerySet,
    StationQuerySet,
)

WRONG_BUREAU = _("The station belongs to another bureau.")
BUREAU_OR_STATION = _("Give the station, or the bureau for county bureau staff.")
CHIEF_NEEDS_STATION = _("A station chief must belong to a station.")
GRID_OR_POST = _("Assign the person to exactly one grid or one post.")
END_BEFORE_START = _("The end date cannot be before the start date.")
OTHER_STATION = _("The {target} belongs to another station than the person.")
SECOND_RESPONSIBLE = _(
    "The grid already has a responsible person for part of this period: {name}."
)


@audited
class Bureau(models.Model):
    """A county public security bureau (县公安局/分局), the top unit."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, unique=True)

    objects = BureauQuerySet.as_manager()

    class Meta:
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")
        ordering = ["code"]

    def __str__(self):
        return self.name


@audited
class Station(models.Model):
    """A police station (派出所)."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, unique=True)
    bureau = models.ForeignKey(
        Bureau, models.PROTECT, related_name="stations", verbose_name=_("bureau")
    )
    location = models.JSONField(
        _("location"),
        null=True,
        blank=True,
        validators=[validate_point],
        help_text=_("GeoJSON Point, WGS84."),
    )

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["code"]

    def __str__(self):
        return self.name


@audited
class Post(models.Model):
    """A police office, workstation or kiosk of a station (警务室/警务工作站/警务亭)."""

    class Kind(models.TextChoices):
        COMMUNITY_OFFICE = "community_office", _("community police office")
        RURAL_OFFICE = "rural_office", _("rural central police office")
        WORKSTATION = "workstation", _("village police workstation")
        KIOSK = "kiosk", _("central police kiosk")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    station = models.ForeignKey(
        Station, models.PROTECT, related_name="posts", verbose_name=_("station")
    )
    location = models.JSONField(
        _("location"),
        null=True,
        blank=True,
        validators=[validate_point],
        help_text=_("GeoJSON Point, WGS84."),
    )
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    serves = models.ManyToManyField(
        "grids.Area",
        related_name="posts",
        blank=True,
        verbose_name=_("serves"),
        help_text=_("Communities or villages this post serves."),
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["station", "name"]

    def __str__(self):
        return self.name


@audited_links
class PostServes(Post.serves.through):
    """The areas a post serves, as links (audited as ``PostServesEvent``)."""

    class Meta:
        proxy = True


@audited
class Person(models.Model):
    """A member of staff. Without a station, a person is bureau staff."""

    class Kind(models.TextChoices):
        OFFICER = "officer", _("police officer")
        AUXILIARY = "auxiliary", _("auxiliary police")
        GRID_WORKER = "grid_worker", _("grid worker")
        MEDIATOR = "mediator", _("mediator")

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    bureau = models.ForeignKey(
        Bureau,
        models.PROTECT,
        related_name="persons",
        verbose_name=_("bureau"),
        blank=True,
        help_text=_("Taken from the station when left empty."),
    )
    station = models.ForeignKey(
        Station,
        models.PROTECT,
        related_name="persons",
        null=True,
        blank=True,
        verbose_name=_("station"),
        help_text=_("Empty for county bureau staff."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="person",
        null=True,
        blank=True,
        verbose_name=_("login"),
    )
    is_chief = models.BooleanField(_("station chief"), default=False)
    badge_number = models.CharField(_("badge number"), max_length=20, blank=True)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[validate_phone]
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["station", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_chief=False) | Q(station__isnull=False),
                name="person_chief_has_station",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.bureau_id is None and self.station_id is not None:
            self.bureau_id = self.station.bureau_id
        super().save(*args, **kwargs)

    def clean(self):
        if self.station_id is not None:
            station_bureau = (
                Station.objects.filter(pk=self.station_id)
                .values_list("bureau_id", flat=True)
                .first()
            )
            if self.bureau_id is None:
                self.bureau_id = station_bureau
            elif self.bureau_id != station_bureau:
                raise ValidationError({"station": WRONG_BUREAU})
        elif self.is_chief:
            raise ValidationError({"is_chief": CHIEF_NEEDS_STATION})
        elif self.bureau_id is None:
            raise ValidationError({"bureau": BUREAU_OR_STATION})

    def grid_ids_on(self, day: datetime.date) -> frozenset[int]:
        """Return the ids of the grids the person works in on ``day``.

        That is the grids the person is assigned to, plus the grids of the
        areas served by a post the person is assigned to: one query.
        """
        rows = (
            Assignment.objects.current(on=day)
            .filter(person=self)
            .values_list("grid", "post__serves__grids")
        )
        return frozenset(pk for row in rows for pk in row if pk is not None)


@audited
class Assignment(models.Model):
    """A person's posting to one grid or one post for a period.

    Rows are never rewritten when staff move: the old row gets an ``end`` and
    a new row starts, so a past month is assessed with the assignments valid
    then.
    """

    class Role(models.TextChoices):
        RESPONSIBLE = "responsible", _("responsible")
        ASSISTANT = "assistant", _("assistant")

    person = models.ForeignKey(
        Person, models.CASCADE, related_name="assignments", verbose_name=_("person")
    )
    grid = models.ForeignKey(
        "grids.Grid",
        models.PROTECT,
        related_name="assignments",
        null=True,
        blank=True,
        verbose_name=_("grid"),
    )
    post = models.ForeignKey(
        Post,
        models.PROTECT,
        related_name="assignments",
        null=True,
        blank=True,
        verbose_name=_("post"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    start = models.DateField(_("start"))
    end = models.DateField(
        _("end"),
        null=True,
        blank=True,
        help_text=_("Last day, inclusive; empty while it runs."),
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grid__isnull=False, post__isnull=True)
                | Q(grid__isnull=True, post__isnull=False),
                name="assignment_grid_xor_post",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="assignment_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} → {self.grid or self.post}"

    def clean(self):
        if (self.grid_id is None) == (self.post_id is None):
            raise ValidationError(GRID_OR_POST)
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": END_BEFORE_START})
        if self.person_id is None:
            return
        Grid = self._meta.get_field("grid").related_model
        person_station = _station_of(Person.objects, self.person_id, "station_id")
        if self.grid_id is not None:
            if (
                _station_of(Grid.objects, self.grid_id, "area__station_id")
                != person_station
            ):
                raise ValidationError({"grid": OTHER_STATION.format(target=_("grid"))})
            self._check_single_responsible()
        elif _station_of(Post.objects, self.post_id, "station_id") != person_station:
            raise ValidationError({"post": OTHER_STATION.format(target=_("post"))})

    def _check_single_responsible(self):
        """One responsible person per grid at any time ("一格一警")."""
        if self.role != self.Role.RESPONSIBLE or self.start is None:
            return
        overlapping = (
            Assignment.objects.filter(grid_id=self.grid_id, role=self.Role.RESPONSIBLE)
            .exclude(pk=self.pk)
            .filter(Q(end__isnull=True) | Q(end__gte=self.start))
        )
        if self.end is not None:
            overlapping = overlapping.filter(start__lte=self.end)
        other = overlapping.select_related("person").first()
        if other is not None:
            raise ValidationError(
                {"role": SECOND_RESPONSIBLE.format(name=other.person.name)}
            )


def _station_of(manager, pk, path):
    return manager.filter(pk=pk).values_list(path, flat=True).first()


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Return the notifications addressed to ``user``'s staff record."""
        return (
            self.filter(recipient__user=user) if user.is_authenticated else self.none()
        )

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a member of staff must look at, e.g. a red or overdue dispute.

    ``key`` names the occasion (``dispute:42:red``); a person is told of an
    occasion once, however often the sweep that finds it runs. The text is
    made from ``kind`` when shown, so each reader gets it in their language.
    It is dated by its occasion (``occurred_at``), not by when a sweep
    noticed it (``created_at``).
    """

    recipient = models.ForeignKey(
        Person,
        models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )

    class Kind(models.TextChoices):
        RED_DISPUTE = "red_dispute", _("Red dispute")
        OVERDUE_DISPUTE = "overdue_dispute", _("Overdue dispute")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200)
    url = models.CharField(_("link"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(
        _("occurred at"),
        default=timezone.now,
        help_text=_("When the occasion arose: the report, or the missed deadline."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="notification_once_per_occasion"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"
