"""Serializers of disputes and the bodies of their transition endpoints."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from disputes import workflow
from disputes.models import (
    Agreement,
    Colour,
    Dispute,
    DisputeEvent,
    DisputeParty,
    MediationSession,
    ReturnVisit,
)
from policing.serializers import (
    MaskedPartyPhonesMixin,
    PartySerializer,
    ScopedModelSerializer,
    ScopedSerializer,
    requester_person,
)
from stations.models import Person

PERSON_REQUIRED = _("Only a member of staff can report or handle a dispute.")


class DisputeEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisputeEvent
        fields = ["id", "kind", "by", "at", "from_value", "to_value", "reason"]
        read_only_fields = fields


class ReturnVisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnVisit
        fields = ["id", "by", "visited_at", "outcome", "satisfaction"]
        read_only_fields = ["id", "by", "visited_at"]


class DisputePartySerializer(PartySerializer):
    class Meta:
        model = DisputeParty
        fields = ["id", "resident", "name", "phone"]
        extra_kwargs = {"name": {"required": False, "allow_blank": True}}


class MediationSessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MediationSession
        fields = ["id", "held_at", "place", "mediators", "participants", "notes"]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = [
            "id",
            "number",
            "terms",
            "signed_at",
            "place",
            "mediators",
            "consenting_parties",
        ]
        read_only_fields = fields


class DisputeSerializer(MaskedPartyPhonesMixin, ScopedModelSerializer):
    """A dispute; created through ``workflow.report``, changed by transitions.

    Status, level, times and due times are the workflow's business; the
    colour is set on report and changed afterwards by regrading only.
    """

    parties = DisputePartySerializer(many=True, allow_empty=False)
    events = DisputeEventSerializer(many=True, read_only=True)
    sessions = MediationSessionSerializer(many=True, read_only=True)
    agreement = AgreementSerializer(read_only=True, allow_null=True)  # until resolved
    return_visits = ReturnVisitSerializer(many=True, read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "grid",
            "household",
            "visit",
            "category",
            "summary",
            "parties",
            "colour",
            "level",
            "status",
            "reported_at",
            "reported_by",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "first_contact_due",
            "mediation_due",
            "return_visit_due",
            "events",
            "sessions",
            "agreement",
            "return_visits",
        ]
        read_only_fields = [
            "level",
            "status",
            "reported_at",
            "reported_by",
            "accepted_at",
            "resolved_at",
            "closed_at",
            "first_contact_due",
            "mediation_due",
            "return_visit_due",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["colour"].read_only = True
            fields["parties"].read_only = True
        return fields

    def validate(self, attrs):
        grid = attrs.get("grid", getattr(self.instance, "grid", None))
        household = attrs.get("household", getattr(self.instance, "household", None))
        if household is not None and grid is not None and household.grid_id != grid.pk:
            raise serializers.ValidationError(
                {"household": workflow.HOUSEHOLD_OF_ANOTHER_GRID}
            )
        # The parties are validated by their own serializer and saved by the
        # workflow; the dispute's model checks see the rest.
        parties = attrs.pop("parties", None)
        attrs = super().validate(attrs)
        if parties is not None:
            attrs["parties"] = parties
        return attrs

    def create(self, validated_data):
        by = requester_person(self.context["request"], refusal=PERSON_REQUIRED)
        return workflow.report(**validated_data, by=by)


def _mediators():
    return serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        many=True,
        required=False,
        help_text=_("Staff who mediated; default the requester."),
    )


class SessionBodySerializer(ScopedSerializer):
    mediators = _mediators()
    participants = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ResolveBodySerializer(ScopedSerializer):
    terms = serializers.CharField()
    consenting_parties = serializers.PrimaryKeyRelatedField(
        queryset=DisputeParty.objects.all(),
        many=True,
        required=False,
        help_text=_("Parties who signed; every party must. Default all."),
    )
    mediators = _mediators()
    place = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class RegradeSerializer(serializers.Serializer):
    colour = serializers.ChoiceField(choices=Colour.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnVisitBodySerializer(serializers.Serializer):
    outcome = serializers.CharField()
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
