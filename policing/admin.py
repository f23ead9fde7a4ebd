"""Shared admin pieces: the access rule of SPEC §6 and GDAL-free map widgets.

The admin serves superusers and, with ``is_staff``, station chiefs and bureau
staff, who see and change only their own station or bureau: every admin
queryset and every choice list goes through the same queryset methods as the
API, and the add/change/delete buttons follow the role's write rights instead
of Django's per-model permissions.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models

from policing.querysets import ScopedQuerySet
from policing.scope import Role, scope_of
from policing.viewsets import OUTSIDE_SCOPE
from policing.widgets import GeoJSONMapWidget


class ScopedAdminMixin:
    """Restrict an admin (or inline) to the requesting user's scope."""

    #: geometry field name -> type drawn on the map ("Point", "Polygon" ...)
    map_fields: dict[str, str] = {}

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        geom_type = self.map_fields.get(db_field.name)
        if geom_type and isinstance(db_field, models.JSONField):
            kwargs["widget"] = GeoJSONMapWidget(
                geom_type=geom_type, csp_nonce=getattr(request, "csp_nonce", None)
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", _choices(db_field, request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", _choices(db_field, request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return scope_of(request.user).role is not Role.NONE

    def has_view_permission(self, request, obj=None):
        return scope_of(request.user).role is not Role.NONE

    def has_add_permission(self, request, *args):
        return self.model.objects.may_write(scope_of(request.user))

    def has_change_permission(self, request, obj=None):
        return self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_change(request, obj)

    def _may_change(self, request, obj):
        if not self.model.objects.may_write(scope_of(request.user)):
            return False
        if obj is None or obj.pk is None:
            return True
        if not isinstance(obj, self.model):  # an inline asked about its parent
            return True
        return self.model.objects.editable_by(request.user).filter(pk=obj.pk).exists()


def _choices(db_field, request):
    queryset = db_field.remote_field.model._default_manager.all()
    if isinstance(queryset, ScopedQuerySet):
        return queryset.in_scope_of(request.user)
    return queryset


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A value derived on save (a household's grid from its location) may
        # still fall outside the scope; the admin view's transaction then
        # rolls the save back.
        if not self.model.objects.editable_by(request.user).filter(pk=obj.pk).exists():
            raise PermissionDenied(OUTSIDE_SCOPE)


class ScopedTabularInline(ScopedAdminMixin, admin.TabularInline):
    pass


def related_only(field: str):
    """Return a list filter offering only values present in the scoped list.

    The default filter would list every station of every bureau.
    """
    return (field, admin.RelatedOnlyFieldListFilter)
