"""/drift/status/: the installation's status for system administrators.

The same checks as /healthz/status (config.health), in Swedish, with the
oldest work waiting in the outbox: task names, times and error classes
only (outbox rows hold ids, never personal data). Permission
core.view_operations_status (the Systemadministratör role).
"""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.access import permission_required
from core.models import OutboxMessage

from .health import EAGER, ERROR, LOCAL, OK, collect_status

OLDEST_SHOWN = 20

COMPONENT_LABELS = {
    "database": _("Database (PostgreSQL)"),
    "cache": _("Cache (Redis)"),
    "broker": _("Task queue (Redis)"),
    "outbox": _("Work waiting for the task queue"),
    "worker": _("Background workers and schedule"),
}
STATUS_LABELS = {
    OK: _("Working"),
    ERROR: _("Not working"),
    EAGER: _("No task queue: work runs in the web process"),
    LOCAL: _("Local memory (no Redis configured)"),
}


@never_cache
@permission_required("core.view_operations_status")
def status(request):
    current = collect_status()
    components = [
        {"name": name, "label": COMPONENT_LABELS[name], "status": value,
         "status_label": STATUS_LABELS[value], "failing": name in current.failing}
        for name, value in current.components.items()
    ]
    waiting = list(OutboxMessage.objects.pending().order_by("created_at", "pk")[:OLDEST_SHOWN])
    return render(request, "operations/status.html", {
        "status": current,
        "components": components,
        "waiting": waiting,
        "oldest_shown": OLDEST_SHOWN,
    })
