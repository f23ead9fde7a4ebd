from rest_framework import permissions

from policing.scope import Role, scope_of


class IsStaffMember(permissions.BasePermission):
    """Allow active logins that belong to a member of staff (or superusers).

    A login without a staff record, or a deactivated one, has no access at all
    (SPEC §6).
    """

    def has_permission(self, request, view):
        return scope_of(request.user).role is not Role.NONE


class RoleMayWrite(permissions.BasePermission):
    """Refuse writes to roles that may never write the view's model.

    This answers 403 whatever the id, so it reveals nothing; whether a given
    row is in scope is decided by the queryset, which answers 404.
    """

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return view.get_queryset().may_write(scope_of(request.user))
