from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from policing.phones import mask_phone, sees_staff_phone
from policing.scope import CHIEFS_BY_BUREAU, Role, appoints_chiefs, scope_of
from policing.serializers import (
    GeoJSONField,
    MaskedPhoneMixin,
    ScopedModelSerializer,
)
from stations.models import Assignment, Bureau, Person, Post, Station

AREA_OF_OTHER_STATION = _("A post can only serve areas of its own station.")


class BureauSerializer(ScopedModelSerializer):
    class Meta:
        model = Bureau
        fields = ["id", "name", "code"]


class StationSerializer(ScopedModelSerializer):
    location = GeoJSONField(required=False, allow_null=True)

    class Meta:
        model = Station
        fields = ["id", "name", "code", "bureau", "location"]


class PostSerializer(ScopedModelSerializer):
    location = GeoJSONField(required=False, allow_null=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "name",
            "kind",
            "station",
            "location",
            "opening_hours",
            "serves",
        ]
        extra_kwargs = {"serves": {"required": False}}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        station = attrs.get("station", getattr(self.instance, "station", None))
        serves = attrs.get("serves", [])
        if any(area.station_id != station.pk for area in serves):
            raise serializers.ValidationError({"serves": AREA_OF_OTHER_STATION})
        return attrs


class PersonSerializer(MaskedPhoneMixin, ScopedModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "kind",
            "bureau",
            "station",
            "user",
            "is_chief",
            "badge_number",
            "phone",
        ]
        # Linking a login to a person grants that login the person's scope:
        # only an administrator does it, in the admin.
        read_only_fields = ["user"]
        extra_kwargs = {"bureau": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        scope = scope_of(self.context["request"].user)
        if not sees_staff_phone(scope, instance.pk, self.colleagues(scope)):
            data["phone"] = mask_phone(data["phone"])
        return data

    def colleagues(self, scope) -> set[int]:
        """The persons on the requester's grids today, once per request."""
        if "colleagues" not in self.context:
            self.context["colleagues"] = (
                set(
                    Assignment.objects.current()
                    .filter(grid__in=scope.grid_ids)
                    .values_list("person_id", flat=True)
                )
                if scope.role is Role.FIELD and scope.grid_ids
                else set()
            )
        return self.context["colleagues"]

    def validate_is_chief(self, value: bool) -> bool:
        current = self.instance.is_chief if self.instance else False
        if value != current and not appoints_chiefs(
            scope_of(self.context["request"].user)
        ):
            raise PermissionDenied(CHIEFS_BY_BUREAU)
        return value


class AssignmentSerializer(ScopedModelSerializer):
    class Meta:
        model = Assignment
        fields = ["id", "person", "grid", "post", "role", "start", "end"]
        extra_kwargs = {"grid": {"required": False}, "post": {"required": False}}
