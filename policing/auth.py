"""The token endpoint of SPEC §4: ``{"username", "password"}`` → ``{"token"}``.

Tokens are django-rest-knox tokens: stored as digests, expiring after
``REST_KNOX["TOKEN_TTL"]``, sent as ``Authorization: Token <token>``.
"""

from django.contrib.auth import authenticate
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from policing.openapi import ErrorSerializer

BAD_CREDENTIALS = _("Unable to log in with the provided username and password.")


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("username"), max_length=150)
    password = serializers.CharField(
        label=_("password"), max_length=4096, style={"input_type": "password"}
    )

    def validate(self, attrs):
        request = self.context.get("request")
        user = authenticate(
            # The HttpRequest, not DRF's wrapper: django-axes reads the
            # address from it and records the failure against it.
            request=getattr(request, "_request", request),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None:
            raise serializers.ValidationError(BAD_CREDENTIALS, code="authorization")
        attrs["user"] = user
        return attrs


class ObtainTokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many failed logins: the account is locked "
                "on this device for 15 minutes.",
            ),
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(
            data=request.data, context={"request": request}
        )
        if not serializer.is_valid():
            # Answered, not raised: DRF rolls the request's transaction back
            # on an exception, and django-axes' record of the failure with it.
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        _token, key = AuthToken.objects.create(serializer.validated_data["user"])
        return Response({"token": key}, status=status.HTTP_200_OK)


LOCKED_OUT = _(
    "Too many failed logins: this account is locked on this device for 15 minutes."
)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked login: JSON for the API, a page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(LOCKED_OUT)}, status=429)
    return render(request, "registration/locked_out.html", status=429)
