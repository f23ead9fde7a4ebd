from typing import ClassVar

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grids.models import Grid, Household
from policing.scope import Role, scope_of
from policing.serializers import GeoJSONField, ScopedModelSerializer
from stations.models import Person
from visits import workflow
from visits.models import Inspection, Patrol, Service, Venue, Visit

NOT_WORKING_THERE = _("{person} does not work in this grid on {date}.")
ONLY_OWN_WORK = _("You can only record your own work.")
PERSON_REQUIRED = _("Give the member of staff whose work this is.")
HOUSEHOLD_OF_ANOTHER_GRID = _("This household is not in the given grid.")
GRID_OR_HOUSEHOLD = _("Give the grid, or a household to take it from.")


class FieldWorkSerializer(ScopedModelSerializer):
    """Field work recorded by a person in a grid they work in at the time.

    ``person`` defaults to the requester's own staff record; field staff may
    record only their own work. The place (household, grid or venue) must lie
    in a grid the person works in on the local date of the work.
    """

    #: the model's timestamp field (visited_at, started_at ...)
    time_field: ClassVar[str]
    #: the field that names the place, where a wrong grid is reported
    place_field: ClassVar[str]
    #: whether a new record without a time happened now; SPEC §4 makes
    #: fields that §2 does not name optional on create
    time_defaults_to_now: ClassVar[bool] = False

    def validate(self, attrs):
        attrs = self._with_person(attrs)
        if (
            self.time_defaults_to_now
            and self.instance is None
            and attrs.get(self.time_field) is None
        ):
            attrs[self.time_field] = timezone.now()
        attrs = super().validate(attrs)
        changed = {"person", self.time_field, self.place_field}
        if self.instance is None or attrs.keys() & changed:
            self._check_works_there(attrs)
        return attrs

    def grid_of(self, attrs) -> Grid:
        """Return the grid the work took place in."""
        return self._value(attrs, "grid")

    def place_field_of(self, attrs) -> str:
        """Return the field to report a place outside the person's grids on."""
        return self.place_field

    def _value(self, attrs, name):
        if name in attrs:
            return attrs[name]
        return getattr(self.instance, name, None)

    def _with_person(self, attrs):
        scope = scope_of(self.context["request"].user)
        if self.instance is None and attrs.get("person") is None:
            if scope.person_id is None:
                raise serializers.ValidationError({"person": PERSON_REQUIRED})
            attrs["person"] = Person.objects.get(pk=scope.person_id)
        person = attrs.get("person")
        if (
            person is not None
            and scope.role is Role.FIELD
            and person.pk != scope.person_id
        ):
            raise serializers.ValidationError({"person": ONLY_OWN_WORK})
        return attrs

    def _check_works_there(self, attrs):
        person = self._value(attrs, "person")
        day = timezone.localdate(self._value(attrs, self.time_field))
        if not self._works_in(person, self.grid_of(attrs), on=day):
            raise serializers.ValidationError(
                {
                    self.place_field_of(attrs): NOT_WORKING_THERE.format(
                        person=person, date=day.isoformat()
                    )
                }
            )

    def _works_in(self, person, grid, *, on) -> bool:
        scope = scope_of(self.context["request"].user)
        # Work of today by the requester: their grids of today are their
        # scope's, already read for this request.
        if person.pk == scope.person_id and on == scope.grids_on:
            return grid.pk in scope.grid_ids
        return workflow.works_in(person, grid, on=on)

    def _not_validated(self, model) -> list[str]:
        excluded = super()._not_validated(model)
        if self.instance is None:
            # A stored client id on create is a replay, not an error: the view
            # answers it through workflow.record (SPEC §4).
            excluded.append("client_uuid")
        return excluded


class VisitSerializer(FieldWorkSerializer):
    time_field = "visited_at"
    place_field = "household"

    location = GeoJSONField(required=False, allow_null=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "person",
            "household",
            "grid",
            "resident",
            "visited_at",
            "kind",
            "info_items",
            "notes",
            "location",
            "client_uuid",
        ]
        extra_kwargs = {
            "person": {"required": False},
            # The household's grid is the visit's: read with it, in one query.
            "household": {
                "queryset": Household.objects.select_related("grid").defer(
                    "grid__boundary"
                )
            },
        }
        # Idempotency is the view's business (workflow.record), not a 400.
        validators: list = []

    def validate(self, attrs):
        if "household" in attrs:
            # The grid worked in is the household's grid at the time.
            attrs["grid"] = attrs["household"].grid
        return super().validate(attrs)


class PatrolSerializer(FieldWorkSerializer):
    time_field = "started_at"
    place_field = "grid"

    duration_hours = serializers.SerializerMethodField()
    is_night = serializers.BooleanField(read_only=True)

    class Meta:
        model = Patrol
        fields = [
            "id",
            "person",
            "grid",
            "started_at",
            "ended_at",
            "notes",
            "client_uuid",
            "duration_hours",
            "is_night",
        ]
        extra_kwargs = {"person": {"required": False}}
        validators: list = []

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_duration_hours(self, patrol) -> float | None:
        """Return the duration in hours, 2 decimals; None while it runs."""
        if patrol.duration is None:
            return None
        return round(patrol.duration.total_seconds() / 3600, 2)


class VenueSerializer(ScopedModelSerializer):
    location = GeoJSONField(required=False, allow_null=True)

    class Meta:
        model = Venue
        fields = ["id", "name", "kind", "address", "grid", "location"]


class InspectionSerializer(FieldWorkSerializer):
    time_field = "inspected_at"
    place_field = "venue"
    time_defaults_to_now = True

    class Meta:
        model = Inspection
        fields = [
            "id",
            "person",
            "venue",
            "inspected_at",
            "kind",
            "hazards_found",
            "hazards_removed",
            "notes",
            "client_uuid",
        ]
        extra_kwargs = {
            "person": {"required": False},
            "inspected_at": {"required": False},
        }
        validators: list = []

    def grid_of(self, attrs) -> Grid:
        return self._value(attrs, "venue").grid


class ServiceSerializer(FieldWorkSerializer):
    time_field = "served_at"
    place_field = "grid"
    time_defaults_to_now = True

    class Meta:
        model = Service
        fields = [
            "id",
            "person",
            "grid",
            "household",
            "served_at",
            "kind",
            "quantity",
            "notes",
            "client_uuid",
        ]
        extra_kwargs = {
            "person": {"required": False},
            "grid": {"required": False},
            "served_at": {"required": False},
        }
        validators: list = []

    def validate(self, attrs):
        if "household" in attrs and "grid" not in attrs and attrs["household"]:
            attrs["grid"] = attrs["household"].grid
        household, grid = self._value(attrs, "household"), self._value(attrs, "grid")
        if grid is None:
            raise serializers.ValidationError({"grid": GRID_OR_HOUSEHOLD})
        if household is not None and household.grid_id != grid.pk:
            raise serializers.ValidationError({"household": HOUSEHOLD_OF_ANOTHER_GRID})
        return super().validate(attrs)

    def place_field_of(self, attrs) -> str:
        # Report on the field the client sent: the grid may come from the
        # household.
        sent = getattr(self, "initial_data", {})
        return "household" if "household" in sent and "grid" not in sent else "grid"


class PatrolStopSerializer(serializers.Serializer):
    """The body of a stop: empty, or the moment the officer tapped stop."""

    ended_at = serializers.DateTimeField(
        required=False,
        help_text=_("When the patrol ended; now if left out."),
    )
