from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")
    navigation = [
        {"group": _("Follow-up"), "label": _("Access log"), "url_name": "audit:log",
         "perm": "audit.view_accesslogentry", "order": 90},
        {"group": _("Follow-up"), "label": _("Account log"), "url_name": "audit:account_events",
         "perm": "audit.view_accesslogentry", "order": 91},
    ]

    def ready(self):
        # SQLite's share of the append-only guards (audit.db_guards).
        from . import db_guards

        connection_created.connect(db_guards.on_connection_created, dispatch_uid="audit_db_guards")
        pre_migrate.connect(db_guards.on_pre_migrate, dispatch_uid="audit_db_guards_pre")
        post_migrate.connect(db_guards.on_post_migrate, dispatch_uid="audit_db_guards_post")
        # A culled person's name, number and changed values leave the
        # evidence tables, inside the person's transaction (audit.redaction).
        from core.signals import client_culled

        client_culled.connect(_redact_culled_client, dispatch_uid="audit_redact_culled_client")


def _redact_culled_client(sender, client_id, reference, **kwargs):
    from .redaction import redact_client

    redact_client(client_id, reference)
