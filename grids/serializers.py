from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grids import national_id, reveal, services
from grids.models import NO_GRID_AT_POINT, Area, Grid, Household, Resident
from policing import geometry
from policing.phones import shown_phone
from policing.scope import scope_of
from policing.serializers import (
    GeoJSONField,
    MaskedPhoneMixin,
    ScopedModelSerializer,
)

NOT_IN_YOUR_GRIDS = _("This location is not inside any grid you work in.")


class AreaSerializer(ScopedModelSerializer):
    boundary = GeoJSONField(required=False, allow_null=True)

    class Meta:
        model = Area
        fields = ["id", "name", "kind", "station", "boundary"]


class GridSerializer(ScopedModelSerializer):
    boundary = GeoJSONField()

    class Meta:
        model = Grid
        fields = ["id", "name", "code", "area", "boundary", "population", "complexity"]

    def create(self, validated_data):
        grid = super().create(validated_data)
        services.schedule_relocation(grid)
        return grid

    def update(self, instance, validated_data):
        boundary_changed = validated_data.get("boundary", instance.boundary) != (
            Grid.objects.values_list("boundary", flat=True).get(pk=instance.pk)
        )
        grid = super().update(instance, validated_data)
        if boundary_changed:
            services.schedule_relocation(grid)
        return grid


class MatchedResidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class HouseholdSerializer(ScopedModelSerializer):
    location = GeoJSONField(required=False, allow_null=True)
    matched_resident = serializers.SerializerMethodField(
        help_text=_(
            "With ?q=, the resident whose name matched; null when the address did."
        )
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "address",
            "location",
            "grid",
            "member_count",
            "matched_resident",
        ]
        extra_kwargs = {"grid": {"required": False}}

    @extend_schema_field(MatchedResidentSerializer(allow_null=True))
    def get_matched_resident(self, household) -> dict | None:
        resident_id = getattr(household, "matched_resident_id", None)
        if resident_id is None:
            return None
        return {"id": resident_id, "name": household.matched_resident_name}

    def validate(self, attrs):
        # The grid follows the location unless the request names the grid.
        if attrs.get("grid") is None and attrs.get("location"):
            grid = self._grid_at(attrs["location"])
            if grid is not None:
                attrs["grid"] = grid
        return super().validate(attrs)

    def _grid_at(self, location):
        """Find the grid of a point among the grids the requester works in."""
        try:
            geometry.validate_point(location)
        except DjangoValidationError:
            return None  # reported on the field by the model's own validation
        among = Grid.objects.in_scope_of(self.context["request"].user)
        grid = Grid.locate(location, among=among)
        if grid is None:
            everywhere = Grid.locate(location)
            raise serializers.ValidationError(
                {
                    "location": NO_GRID_AT_POINT
                    if everywhere is None
                    else NOT_IN_YOUR_GRIDS
                }
            )
        return grid


class NationalIdField(serializers.CharField):
    """Accept a full national ID number; always represent it masked."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return national_id.validate(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from None

    def to_representation(self, value):
        return value  # the model's ``id_number`` property is already the mask


class ResidentSerializer(MaskedPhoneMixin, ScopedModelSerializer):
    id_number = NationalIdField(
        label=_("national ID"),
        help_text=_("Write the full 18-character number; it is read back masked."),
    )

    class Meta:
        model = Resident
        fields = [
            "id",
            "name",
            "id_number",
            "phone",
            "household",
            "is_key_person",
            "key_person_category",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        scope = scope_of(self.context["request"].user)
        data["phone"] = shown_phone(scope, instance.household.grid_id, data["phone"])
        return data


class ResidentLookupSerializer(serializers.Serializer):
    id_number = NationalIdField(label=_("national ID"))


class RevealRequestSerializer(serializers.Serializer):
    """Why the full national ID is needed: recorded with the reveal (G-AD6)."""

    reason = serializers.CharField(
        label=_("reason"),
        max_length=reveal.REASON_MAX_LENGTH,
        help_text=_("Why you need the full number; it is recorded."),
    )

    def validate_reason(self, value):
        try:
            return reveal.clean_reason(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["reason"]) from None


class RevealedIdSerializer(serializers.Serializer):
    id = serializers.IntegerField(label=_("resident"))
    id_number = serializers.CharField(label=_("national ID"))
    phone = serializers.CharField(label=_("phone"))
