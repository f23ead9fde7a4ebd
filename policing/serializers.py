"""Base serializers shared by every app's API."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from policing.parties import PARTY_NAME_REQUIRED
from policing.phones import shown_phone
from policing.querysets import ScopedQuerySet
from policing.scope import get_staff_model, scope_of


def requester_person(request, *, refusal: str):
    """Return the staff record of the requester, or refuse the request.

    ``refusal`` is the app's message, given on ``by``: a login without a
    staff record cannot report or handle anything.
    """
    person_id = scope_of(request.user).person_id
    if person_id is None:
        raise serializers.ValidationError({"by": refusal})
    return get_staff_model().objects.get(pk=person_id)


class ScopedRelatedFieldsMixin:
    """Every related field only accepts rows inside the requester's territory,
    so an out-of-scope id gets exactly the error of a nonexistent one."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        for field in fields.values():
            related = getattr(field, "child_relation", field)
            queryset = getattr(related, "queryset", None)
            if isinstance(queryset, models.Manager):
                queryset = queryset.all()
            if isinstance(queryset, ScopedQuerySet) and request is not None:
                related.queryset = queryset.in_scope_of(request.user)
        return fields


class ScopedSerializer(ScopedRelatedFieldsMixin, serializers.Serializer):
    """A plain serializer (e.g. an action's body) with scoped related fields."""


class ScopedModelSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    """A ModelSerializer that keeps requests inside the requester's scope.

    * Related fields are scoped (:class:`ScopedRelatedFieldsMixin`).
    * ``Model.full_clean()`` runs, so model rules hold for the API as for the
      admin (NetBox's ValidatedModelSerializer).
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {f.name for f in model._meta.many_to_many}
        plain = {k: v for k, v in attrs.items() if k not in many_to_many}
        # Validate a copy: a rejected request must not alter the instance.
        instance = copy.copy(self.instance) if self.instance else model()
        for name, value in plain.items():
            setattr(instance, name, value)
        try:
            instance.full_clean(
                exclude=self._not_validated(model), validate_unique=True
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                serializers.as_serializer_error(error)
            ) from error
        return attrs

    def _not_validated(self, model) -> list[str]:
        """Fields the client cannot send are the server's business."""
        writable = {name for name, field in self.fields.items() if not field.read_only}
        return [f.name for f in model._meta.concrete_fields if f.name not in writable]


class PartyPhoneField(serializers.CharField):
    """A party's, resident's or staff member's phone: checked as a phone
    number when written, but read back masked (``138****0001``) to most
    requesters (:func:`policing.phones.shown_phone`); ``policing.openapi``
    documents both."""


class MaskedPhoneMixin:
    """The model's ``phone`` as a :class:`PartyPhoneField` (issue 27, item 4)."""

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(
            field_name, model_field
        )
        if field_name == "phone":
            field_class = PartyPhoneField
        return field_class, field_kwargs


class PartySerializer(MaskedPhoneMixin, ScopedModelSerializer):
    """A party: a resident of the requester's territory, or a name and phone.

    A resident's name and phone stand in for those not given; a party needs
    a name. ``check_party(attrs)`` may refuse it for the app's own reasons
    before the model's checks run.
    """

    def validate(self, attrs):
        resident = attrs.get("resident")
        if resident is not None:
            attrs["name"] = attrs.get("name") or resident.name
            attrs["phone"] = attrs.get("phone") or resident.phone
        if not attrs.get("name", "").strip():
            raise serializers.ValidationError({"name": PARTY_NAME_REQUIRED})
        self.check_party(attrs)
        return super().validate(attrs)

    def check_party(self, attrs) -> None:
        """Raise a ``ValidationError`` if the party cannot be saved as given."""


class MaskedPartyPhonesMixin:
    """Mask the ``parties``' phones unless the requester sees them.

    For the serializer of a record of one grid (a dispute, a case) whose
    ``parties`` carry a ``phone``: see :func:`policing.phones.sees_phones`.
    """

    def to_representation(self, instance):
        data = super().to_representation(instance)
        scope = scope_of(self.context["request"].user)
        for party in data["parties"]:
            party["phone"] = shown_phone(scope, instance.grid_id, party["phone"])
        return data


@extend_schema_field(
    {
        "type": "object",
        "description": "GeoJSON geometry in WGS84 (longitude, latitude).",
        "properties": {
            "type": {"type": "string"},
            "coordinates": {"type": "array", "items": {}},
        },
        "required": ["type", "coordinates"],
        "example": {"type": "Point", "coordinates": [103.8, 25.49]},
    }
)
class GeoJSONField(serializers.JSONField):
    """A GeoJSON geometry object; validated by the model field's validators."""


class RowSerializer(serializers.Serializer):
    """An output serializer of plain rows (dataclasses or dicts), built fast.

    A metric's answer is thousands of rows of plain values; DRF's generic
    path costs a field lookup and a ``get_attribute`` per value (a fifth of
    a city-wide quota request). Here each field's conversion is looked up
    once per serializer and applied to the row's attribute of the same
    name; the declared fields still describe the OpenAPI schema.
    """

    def to_representation(self, row) -> dict:
        value_of = row.get if isinstance(row, dict) else row.__getattribute__
        return {
            name: None if (value := value_of(name)) is None else convert(value)
            for name, convert in self._conversions
        }

    @property
    def _conversions(self) -> list:
        conversions = getattr(self, "_cached_conversions", None)
        if conversions is None:
            conversions = []
            for field in self._readable_fields:
                # Only plain fields: a renamed source needs DRF's own path.
                assert field.source == field.field_name, field.field_name
                conversions.append((field.field_name, field.to_representation))
            self._cached_conversions = conversions
        return conversions


class RateSerializer(serializers.Serializer):
    """A share (:class:`policing.metrics.Rate`); a null rate when nothing counts."""

    numerator = serializers.IntegerField(min_value=0)
    denominator = serializers.IntegerField(min_value=0)
    rate = serializers.FloatField(
        allow_null=True,
        min_value=0,
        max_value=1,
        help_text=_("numerator / denominator, 4 decimals; null when nothing counts."),
    )


class TargetRateSerializer(RateSerializer):
    """A share against a target: null rate and verdict without data, null
    target and verdict for a figure without a target."""

    target = serializers.FloatField(
        allow_null=True, help_text=_("The target; null when there is none.")
    )
    met = serializers.BooleanField(
        allow_null=True,
        help_text=_("rate >= target; null when rate or target is null."),
    )
