from django.contrib import admin

from .models import LegalReference, TargetGroup

# Case data (clients and their records) is deliberately not in the admin:
# system administrators see no case data, and every read of it must pass the
# access helpers that write the access log. Reference tables are.


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order")
    prepopulated_fields = {"code": ("name",)}


@admin.register(LegalReference)
class LegalReferenceAdmin(admin.ModelAdmin):
    list_display = ("code", "law", "valid_from", "valid_to", "is_active")
    list_filter = ("law", "is_active")
    search_fields = ("code", "description")
