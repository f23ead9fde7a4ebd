from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from policing.serializers import GeoJSONField, ScopedModelSerializer
from stations.models import Assignment, Bureau, Person, Post, Station
from stations.scoping import CHIEFS_BY_BUREAU, appoints_chiefs, scope_of

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


class PersonSerializer(ScopedModelSerializer):
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
