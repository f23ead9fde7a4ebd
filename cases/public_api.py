"""The public progress query as JSON: ``/api/v1/track/`` (SECURITY G-PII7).

No account and no session, hence no authentication and no CSRF token: the
code and the phone's tail in the JSON body are the credentials, checked by
:func:`cases.tracking.find` with its limits on every call. Every failure is
the same 404. Failures are answered, never raised, so that the request's
transaction commits the attempt log the limits count (an exception would
roll it back).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from cases import tracking
from cases.models import Category, EventKind, Kind, Status
from cases.public import (
    COMMENT_MAX_LENGTH,
    GENERIC_FAILURE,
    clean_code,
    clean_phone_tail,
    client_address,
    protect,
    public_view,
)
from policing.parsers import JSONParser

#
# Serializers
#


def enum_field(choices, **kwargs) -> serializers.CharField:
    """Return a string field documented as an inline enum of ``choices``.

    A ChoiceField would add an enum component named after the field, and
    "kind", "category" and "status" already name other choice sets in the
    staff API: the collision would rename those enums.
    """
    field_class = type(f"{choices.__name__}Field", (serializers.CharField,), {})
    schema = {"type": "string", "enum": list(choices.values)}
    return extend_schema_field(schema)(field_class)(**kwargs)


class TrackQuerySerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=40,
        help_text=_(
            "The query code on the receipt, e.g. 7K3M-9QX2-H4PA, in any case, "
            "with or without separators."
        ),
    )
    phone_tail = serializers.CharField(
        max_length=20,
        help_text=_("The last four digits of the party's phone number."),
    )

    def validate_code(self, value):
        return clean_code(value)

    def validate_phone_tail(self, value):
        return clean_phone_tail(value)


class TrackRatingSerializer(TrackQuerySerializer):
    score = serializers.IntegerField(
        min_value=1, max_value=5, help_text=_("From 1 (very dissatisfied) to 5 stars.")
    )
    comment = serializers.CharField(
        max_length=COMMENT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class PublicOfficerSerializer(serializers.Serializer):
    name = serializers.CharField()
    badge_number = serializers.CharField()


class PublicEventSerializer(serializers.Serializer):
    kind = enum_field(EventKind)
    kind_display = serializers.CharField()
    at = serializers.DateTimeField()
    text = serializers.CharField()


class PublicRatingSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()


class PublicCaseSerializer(serializers.Serializer):
    """A case as its party sees it (:func:`cases.public.public_view`)."""

    number = serializers.CharField()
    kind = enum_field(Kind)
    kind_display = serializers.CharField()
    category = enum_field(Category)
    category_display = serializers.CharField()
    status = enum_field(Status)
    status_display = serializers.CharField()
    reported_at = serializers.DateTimeField()
    station = serializers.CharField()
    officer = PublicOfficerSerializer()
    events = PublicEventSerializer(
        many=True, help_text=_("The public timeline, oldest first.")
    )
    may_rate = serializers.BooleanField(
        help_text=_("The case is solved or closed and the party has not rated it.")
    )
    rating = PublicRatingSerializer(
        allow_null=True, help_text=_("The party's rating, once given.")
    )


class TrackFailureSerializer(serializers.Serializer):
    detail = serializers.CharField()


#
# Views
#

FAILURE = OpenApiResponse(
    TrackFailureSerializer,
    description="Every failure alike: unknown or retired code, a phone tail "
    "of no reporter or victim, a locked code, or a client over its limit "
    "(5 failures per code and 30 per client address in an hour).",
)
EXAMPLE = OpenApiExample(
    "Query", value={"code": "7k3m-9qx2-h4pa", "phone_tail": "1234"}, request_only=True
)


class PublicTrackApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return protect(response)

    @staticmethod
    def failure():
        return Response({"detail": GENERIC_FAILURE}, status=status.HTTP_404_NOT_FOUND)


class TrackQueryApi(PublicTrackApi):
    """The progress of a case, for a party holding its code."""

    @extend_schema(
        operation_id="track_query",
        tags=["track"],
        summary="Follow a case",
        description="The public view of the case whose query code is given, "
        "for a reporter or victim whose phone ends in the given digits: "
        "status, public timeline, officer in charge, and the party's rating. "
        "Both go in the body, never the URL.",
        request=TrackQuerySerializer,
        responses={
            200: PublicCaseSerializer,
            400: OpenApiResponse(description="A code or tail of the wrong form."),
            404: FAILURE,
        },
        examples=[EXAMPLE],
    )
    def post(self, request):
        query = TrackQuerySerializer(data=request.data)
        query.is_valid(raise_exception=True)
        found = tracking.find(**query.validated_data, client=client_address(request))
        if found is None:
            return self.failure()
        return Response(PublicCaseSerializer(public_view(found)).data)


class TrackRatingApi(PublicTrackApi):
    """The party's rating of the officer in charge, once per case."""

    @extend_schema(
        operation_id="track_rating",
        tags=["track"],
        summary="Rate the officer in charge",
        description="Once the case is solved or closed, each reporter or "
        "victim may rate the officer in charge once. The code and phone tail "
        "are checked again, and count against the same limits.",
        request=TrackRatingSerializer,
        responses={
            201: PublicRatingSerializer,
            400: OpenApiResponse(
                description="Invalid score or comment, a case not yet solved, "
                "or a rating given already."
            ),
            404: FAILURE,
        },
        examples=[
            OpenApiExample(
                "Rating",
                value={
                    "code": "7k3m-9qx2-h4pa",
                    "phone_tail": "1234",
                    "score": 5,
                    "comment": "",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        body = TrackRatingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        found = tracking.find(
            data["code"], data["phone_tail"], client=client_address(request)
        )
        if found is None:
            return self.failure()
        try:
            rating = tracking.rate(found, score=data["score"], comment=data["comment"])
        except ValidationError as error:
            return Response(
                as_serializer_error(error), status=status.HTTP_400_BAD_REQUEST
            )
        return Response(
            PublicRatingSerializer(rating).data, status=status.HTTP_201_CREATED
        )
