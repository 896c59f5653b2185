from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Unit, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Unit"), {"fields": ("unit",)}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("Unit"), {"fields": ("unit",)}),)
    list_display = ("username", "first_name", "last_name", "unit", "is_active")
    list_filter = ("is_active", "groups", "unit")
    list_select_related = ("unit",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality")
    search_fields = ("name", "municipality")
