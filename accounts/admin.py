from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .models import AccessRequest, Unit, User


class SuperuserOnlyMixin:
    """Users, roles and permissions are administered through the project's
    own pages (accounts.users), which refuse self-grants, never make anyone
    superuser and require a manager's approval for access to case data.
    Django's generic forms would bypass all of that, so only superusers
    (the operator) may use them; the account log's signals record what
    they change."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(User)
class UserAdmin(SuperuserOnlyMixin, DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Unit"), {"fields": ("unit",)}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("Unit"), {"fields": ("unit",)}),)
    list_display = ("username", "first_name", "last_name", "unit", "is_active")
    list_filter = ("is_active", "groups", "unit")
    list_select_related = ("unit",)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(SuperuserOnlyMixin, DjangoGroupAdmin):
    pass


@admin.register(AccessRequest)
class AccessRequestAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    """Read-only even for superusers: requests are decided on the managers'
    page, where the two-person rule is enforced."""

    list_display = ("subject", "kind", "value", "unit", "state", "requested_by", "decided_by")
    # The fields in the order of the page before the shared columns moved to
    # accounts.two_person.TwoPersonRequest (inherited fields come first).
    fields = ("subject", "unit", "kind", "value", "requested_by", "state", "decided_by", "decided_at", "decision_note")
    list_filter = ("state", "kind")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality")
    search_fields = ("name", "municipality")
