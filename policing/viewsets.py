"""Base viewsets: the access rule of SPEC §6 applied once for every resource."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from policing.permissions import IsStaffMember, RoleMayWrite
from policing.serializers import requester_person
from policing.views import ScopedReadsMixin

OUTSIDE_SCOPE = _("The change would move this record outside your area of work.")


class ScopedModelViewSet(ScopedReadsMixin, viewsets.ModelViewSet):
    """CRUD over the rows visible to the requesting user.

    Rows outside the user's scope are simply absent from the queryset, so any
    method on them answers 404, exactly as for an id that does not exist.
    After a write the row must still be inside the writer's scope, or the
    request is refused and its transaction rolled back (NetBox does the same
    in ``perform_create``/``perform_update``).
    """

    permission_classes = [IsStaffMember, RoleMayWrite]

    def get_queryset(self):
        return self.visible(super().get_queryset())

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._check_still_in_scope(serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        self._check_still_in_scope(serializer.instance)

    def _check_still_in_scope(self, instance):
        model = type(instance)
        if (
            not model.objects.editable_by(self.request.user)
            .filter(pk=instance.pk)
            .exists()
        ):
            raise PermissionDenied(OUTSIDE_SCOPE)


class ScopedAPIView(ScopedReadsMixin, APIView):
    """An API view that is not CRUD (metrics, assessments, reports).

    Staff only; rows are read through :class:`ScopedReadsMixin`, so a
    station, grid or bureau id outside the scope answers 404.
    """

    permission_classes = [IsStaffMember]


class WorkflowActionsMixin:
    """Transition endpoints of a viewset over the app's workflow module.

    ``workflow`` has ``ACTIONS`` (status -> the functions it allows) and
    ``not_allowed(record)``; ``person_required`` is the app's refusal of a
    login without a staff record. The state is checked first, so a refused
    step says why, not which body fields it would have needed.
    """

    workflow = None
    person_required = ""

    def transition(self, function, body_serializer=None, **kwargs):
        """Apply ``function`` to the record with the body; return what it returns."""
        record = self.get_object()
        if function.__name__ not in self.workflow.ACTIONS[record.status]:
            raise self.workflow.not_allowed(record)
        if body_serializer is not None:
            body = body_serializer(
                data=self.request.data, context=self.get_serializer_context()
            )
            body.is_valid(raise_exception=True)
            kwargs.update(body.validated_data)
        by = requester_person(self.request, refusal=self.person_required)
        return function(record, by=by, **kwargs)

    def transition_response(self, function, body_serializer=None):
        """Apply ``function`` and answer with the record as it is now."""
        self.transition(function, body_serializer)
        return Response(self.get_serializer(self.get_object()).data)
