from django.contrib import admin

from .models import TargetGroup

# Case data (clients and their records) is deliberately not in the admin:
# system administrators see no case data, and every read of it must pass the
# access helpers that write the access log.


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order")
    prepopulated_fields = {"code": ("name",)}
