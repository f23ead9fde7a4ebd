"""Serializers of cases and the bodies of their transition endpoints."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases import workflow
from cases.models import Case, CaseEvent, CaseParty, CaseReturnVisit, Rating
from policing.serializers import (
    GeoJSONField,
    MaskedPartyPhonesMixin,
    PartySerializer,
    ScopedModelSerializer,
    ScopedSerializer,
    requester_person,
)

PERSON_REQUIRED = _("Only a member of staff can record or handle a case.")


class CasePartySerializer(PartySerializer):
    class Meta:
        model = CaseParty
        fields = ["id", "role", "resident", "name", "phone"]
        extra_kwargs = {"name": {"required": False, "allow_blank": True}}

    def check_party(self, attrs) -> None:
        if attrs.get("role") in workflow.TRACKING_ROLES and not attrs.get("phone"):
            raise serializers.ValidationError({"phone": workflow.TRACKING_NEEDS_PHONE})


class CaseEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "public", "text", "by", "at"]
        read_only_fields = fields


class CaseReturnVisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseReturnVisit
        fields = ["id", "party", "by", "visited_at", "outcome"]
        read_only_fields = fields


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "party", "officer", "score", "comment", "created_at"]
        read_only_fields = fields


class CaseSerializer(MaskedPartyPhonesMixin, ScopedModelSerializer):
    """A case; opened through ``workflow.open_case``, changed by transitions.

    The number, status, times and query code are the workflow's business;
    parties are given when the case is opened.
    """

    location = GeoJSONField(required=False, allow_null=True)
    parties = CasePartySerializer(many=True, allow_empty=False)
    events = CaseEventSerializer(many=True, read_only=True)
    return_visits = CaseReturnVisitSerializer(many=True, read_only=True)
    ratings = RatingSerializer(many=True, read_only=True)
    has_query_code = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "kind",
            "category",
            "summary",
            "grid",
            "location",
            "occurred_at",
            "reported_at",
            "status",
            "officer",
            "reported_by",
            "accepted_at",
            "solved_at",
            "closed_at",
            "has_query_code",
            "parties",
            "events",
            "return_visits",
            "ratings",
        ]
        read_only_fields = [
            "number",
            "reported_at",
            "status",
            "reported_by",
            "accepted_at",
            "solved_at",
            "closed_at",
        ]
        extra_kwargs = {"officer": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["parties"].read_only = True
            fields["kind"].read_only = True
        return fields

    def get_has_query_code(self, case) -> bool:
        return bool(case.query_code_hash)

    def validate(self, attrs):
        parties = attrs.pop("parties", None)
        if self.instance is None and not attrs.get("officer"):
            attrs["officer"] = requester_person(
                self.context["request"], refusal=PERSON_REQUIRED
            )
        grid = attrs.get("grid", getattr(self.instance, "grid", None))
        if grid is not None and "officer" in attrs:
            try:
                workflow.check_officer(attrs["officer"], grid)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.message_dict) from error
        attrs = super().validate(attrs)
        if parties is not None:
            attrs["parties"] = parties
        return attrs

    def create(self, validated_data):
        by = requester_person(self.context["request"], refusal=PERSON_REQUIRED)
        return workflow.open_case(**validated_data, by=by)


class CaseTextSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")


class CaseRequiredTextSerializer(serializers.Serializer):
    text = serializers.CharField()


class CaseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CaseProgressSerializer(serializers.Serializer):
    text = serializers.CharField()
    public = serializers.BooleanField(
        default=False, help_text=_("Shown to the parties on the public page.")
    )


class CaseReturnVisitBodySerializer(ScopedSerializer):
    party = serializers.PrimaryKeyRelatedField(queryset=CaseParty.objects.all())
    outcome = serializers.CharField()


class QueryCodeSerializer(serializers.Serializer):
    code = serializers.CharField(
        read_only=True,
        help_text=_("The new query code, shown this once: print it for the party."),
    )
