"""The token endpoint of SPEC §4: ``{"username", "password"}`` → ``{"token"}``.

Tokens are django-rest-knox tokens: stored as digests, expiring after
``REST_KNOX["TOKEN_TTL"]``, sent as ``Authorization: Token <token>``.
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

BAD_CREDENTIALS = _("Unable to log in with the provided username and password.")


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("username"), max_length=150)
    password = serializers.CharField(
        label=_("password"), max_length=4096, style={"input_type": "password"}
    )

    def validate(self, attrs):
        user = authenticate(
            request=self.context.get("request"),
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
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()})
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        _token, key = AuthToken.objects.create(serializer.validated_data["user"])
        return Response({"token": key}, status=status.HTTP_200_OK)
