"""The OpenAPI schema documents the error answers every operation can give.

drf-spectacular documents only the success of an operation, so a client (or
schemathesis, SECURITY.md G-IV1) reading the schema would not know that a
list answers 404 for a page past the end or that any write can answer 409.
The answers below follow from DRF and from ``policing.exceptions``:

- 400: a request body or a query parameter failed validation, or a workflow
  step is not allowed in the record's current status (accepting a dispute
  twice);
- 401 and 403: the operation needs a login, and a staff record;
- 404: the id in the path is unknown or out of scope, or the page is past
  the end;
- 409: a write lost a race to a concurrent one (``IntegrityError``), or hit
  a protected reference;
- 429: the view is throttled.

An answer an operation documents itself (with ``extend_schema``) wins.
"""

from drf_spectacular import openapi
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from policing.viewsets import WorkflowActionsMixin


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


#: DRF's validation errors: field name (or ``non_field_errors``, or
#: ``detail`` for a body that is not JSON) to messages, nested for nested
#: fields.
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {},
    "description": "Field names mapped to their error messages.",
}

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    response, code, direction=direction
                )
        return responses

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        errors = {}
        if self._takes_input():
            errors["400"] = OpenApiResponse(
                VALIDATION_ERROR_SCHEMA, description="Invalid input."
            )
        elif self._is_workflow_step():
            errors["400"] = OpenApiResponse(
                VALIDATION_ERROR_SCHEMA,
                description="The record's current status does not allow this "
                "step; the reason is on `status`.",
            )
        if any(requirement for requirement in self.get_auth()):
            errors["401"] = OpenApiResponse(
                ErrorSerializer, description="No valid login or token."
            )
            errors["403"] = OpenApiResponse(
                ErrorSerializer,
                description="The login has no staff record, or its role may "
                "not do this.",
            )
        if "{" in self.path or self._is_paginated_list():
            errors["404"] = OpenApiResponse(
                ErrorSerializer,
                description="Unknown or out-of-scope id, or a page past the end.",
            )
        if self.method in {"POST", "PUT", "PATCH"} and self.get_request_serializer():
            errors["415"] = OpenApiResponse(
                ErrorSerializer,
                description="The body is not JSON, a form or a multipart form "
                "that can be read.",
            )
        if self.method in WRITE_METHODS:
            errors["409"] = OpenApiResponse(
                ErrorSerializer,
                description="Conflicts with a record stored meanwhile, or the "
                "record is still referenced.",
            )
        if self.view.get_throttles():
            errors["429"] = OpenApiResponse(
                ErrorSerializer, description="Too many requests."
            )
        return errors

    def _takes_input(self) -> bool:
        if self.method in {"POST", "PUT", "PATCH"} and self.get_request_serializer():
            return True
        return bool(self._get_filter_parameters())

    def _is_workflow_step(self) -> bool:
        # A step without a body (accept, close) is refused by status alone.
        return (
            self.method == "POST"
            and isinstance(self.view, WorkflowActionsMixin)
            and getattr(self.view, "action", None) not in {None, "create"}
        )

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and bool(
            self._is_list_view() and self._get_paginator()
        )


class PartyPhoneFieldExtension(OpenApiSerializerFieldExtension):
    """A party's phone is a phone number when written, and may be masked when
    read, so the read side documents no phone pattern."""

    target_class = "policing.serializers.PartyPhoneField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(
            self.target, direction, bypass_extensions=True
        )
        if direction == "response":
            # A pattern of its own keeps drf-spectacular from adding the
            # write side's phone pattern.
            return {
                "type": "string",
                "pattern": "^[0-9*-]+$",
                "maxLength": self.target.max_length,
                "description": "Masked as 138****0001 unless the requester is "
                "the grid's own field staff (issue 27: residents, staff and "
                "parties alike).",
            }
        return schema


class TokenScheme(KnoxTokenScheme):
    """The knox tokens of ``policing.authentication``: the same scheme."""

    target_class = "policing.authentication.TokenAuthentication"
