"""Base viewsets: the access rule of SPEC §6 applied once for every resource."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework import viewsets

from policing.permissions import IsStaffMember, RoleMayWrite

OUTSIDE_SCOPE = _("The change would move this record outside your area of work.")


class ScopedModelViewSet(viewsets.ModelViewSet):
    """CRUD over the rows visible to the requesting user.

    Rows outside the user's scope are simply absent from the queryset, so any
    method on them answers 404, exactly as for an id that does not exist.
    After a write the row must still be inside the writer's scope, or the
    request is refused and its transaction rolled back (NetBox does the same
    in ``perform_create``/``perform_update``).
    """

    permission_classes = [IsStaffMember, RoleMayWrite]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

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
