from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.fields import empty

from policing.phones import mask_phone, sees_staff_phone
from policing.scope import CHIEFS_BY_BUREAU, Role, appoints_chiefs, scope_of
from policing.serializers import (
    GeoJSONField,
    MaskedPhoneMixin,
    ScopedModelSerializer,
)
from stations.models import Assignment, Bureau, Person, Post, Station

AREA_OF_OTHER_STATION = _("A post can only serve areas of its own station.")
LOGINS_BY_ADMINISTRATORS = _(
    "Only an administrator links a login to a staff record or unlinks it."
)


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


class LoginField(serializers.PrimaryKeyRelatedField):
    """A person's login (SPEC §2).

    Linking a login grants it the person's scope, so only a superuser links
    or unlinks one (an account-provisioning system works as one). Anyone
    else may send the value the person already has, as a PUT of what a GET
    returned does, and is refused before the id is looked up: a refusal
    must not tell which user ids exist.
    """

    def run_validation(self, data=empty):
        if data is not empty and not self.may_set(data):
            raise PermissionDenied(LOGINS_BY_ADMINISTRATORS)
        return super().run_validation(data)

    def may_set(self, data) -> bool:
        if scope_of(self.context["request"].user).role is Role.SUPERUSER:
            return True
        instance = self.parent.instance
        current = instance.user_id if instance is not None else None
        return str(data) == str(current) if data is not None else current is None


class PersonSerializer(MaskedPhoneMixin, ScopedModelSerializer):
    user = LoginField(
        queryset=get_user_model().objects.all(),
        allow_null=True,
        required=False,
        label=_("login"),
    )

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
