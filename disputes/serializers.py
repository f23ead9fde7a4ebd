"""Serializers of disputes and the bodies of their transition endpoints."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from disputes import workflow
from disputes.models import Colour, Dispute, DisputeEvent, ReturnVisit
from policing.serializers import ScopedModelSerializer
from stations.models import Person
from stations.scoping import scope_of

PERSON_REQUIRED = _("Only a member of staff can report or handle a dispute.")


def requester_person(request) -> Person:
    """Return the staff record of the requester, or refuse the request."""
    person_id = scope_of(request.user).person_id
    if person_id is None:
        raise serializers.ValidationError({"by": PERSON_REQUIRED})
    return Person.objects.get(pk=person_id)


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


class DisputeSerializer(ScopedModelSerializer):
    """A dispute; created through ``workflow.report``, changed by transitions.

    Status, level, times and due times are the workflow's business; the
    colour is set on report and changed afterwards by regrading only.
    """

    events = DisputeEventSerializer(many=True, read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "grid",
            "household",
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
        return fields

    def validate(self, attrs):
        grid = attrs.get("grid", getattr(self.instance, "grid", None))
        household = attrs.get("household", getattr(self.instance, "household", None))
        if household is not None and grid is not None and household.grid_id != grid.pk:
            raise serializers.ValidationError(
                {"household": workflow.HOUSEHOLD_OF_ANOTHER_GRID}
            )
        return super().validate(attrs)

    def create(self, validated_data):
        return workflow.report(
            **validated_data, by=requester_person(self.context["request"])
        )


class NotesSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class RegradeSerializer(serializers.Serializer):
    colour = serializers.ChoiceField(choices=Colour.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnVisitBodySerializer(serializers.Serializer):
    outcome = serializers.CharField()
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
