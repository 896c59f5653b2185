"""Corrections in the demo (issue 12 §6): one visit and one decision saved
twice by mistake, each annulled with a reason by the one who may, so that
the "Makulerad" pages, the change history and the figures that leave them
out can be seen. Written through the apps' own services (history and access
log as in real use). A second run adds nothing."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import translation

from accounts.roles import Role
from audit.context import AuditContext
from bolots.models import Visit, VisitChecklist, VisitOutcome
from bolots.services import visits as visit_services
from referrals.models import Decision
from referrals.services import decisions as decision_services

from .context import DemoContext

REASON = "Registrerat två gånger av misstag."
PATH = "/demo/makulering/"


def seed(ctx: DemoContext) -> None:
    with translation.override("sv"):
        if Visit.objects.annulled().exists() or Decision.objects.annulled().exists():
            ctx.log("Makulerade poster finns redan; inga nya skapas.")
            return
        # Each in its own transaction: a refusal (say, the bolots's account
        # is closed) leaves no unannulled copy behind.
        for make in (_visit_saved_twice, _decision_saved_twice):
            try:
                with transaction.atomic():
                    make(ctx)
            except (PermissionDenied, visit_services.VisitError, decision_services.DecisionError) as refusal:
                ctx.log(f"Ingen makulering i demodata: {refusal}")


def _visit_saved_twice(ctx: DemoContext) -> None:
    """The latest done visit of the first unit with one, logged again."""
    # "No checklist" as NOT EXISTS: PostgreSQL plans it as an anti join;
    # written as checklist__isnull (a left join) it estimated one row and
    # nested-looped over the national scale's visits (5 s).
    first = (
        Visit.objects.filter(outcome=VisitOutcome.DONE, order__state__in=visit_services.LOGGABLE_STATES)
        .filter(~Exists(VisitChecklist.objects.filter(visit=OuterRef("pk"))))
        .select_related("order").order_by("order__unit_id", "-visited_at", "-pk").first()
    )
    if first is None:
        return
    copy = Visit.objects.create(
        order=first.order, client=first.client, client_age=first.client_age, visited_at=first.visited_at,
        kind=first.kind, outcome=first.outcome, active_pilot=first.active_pilot, passive_pilot=first.passive_pilot,
        notes=first.notes, logged_by=first.logged_by,
    )
    visit_services.annul_visit(AuditContext(user=first.active_pilot, path=PATH), copy, REASON)
    ctx.log(f"Ett dubbelregistrerat besök är makulerat (besök {copy.pk}).")


def _decision_saved_twice(ctx: DemoContext) -> None:
    """A decision waiting for execution, registered again and annulled by a
    case officer of the client's unit."""
    first = (
        Decision.objects.not_executed().filter(orders__isnull=True, client__unit__isnull=False)
        .select_related("client").order_by("client__unit_id", "decided_on", "pk").first()
    )
    if first is None:
        return
    officer = ctx.users_by_unit.get(first.client.unit_id, {}).get(Role.CASE_OFFICER, [None])[0] or first.decided_by
    copy = Decision.objects.create(
        client=first.client, kind=first.kind, legal_basis=first.legal_basis, applied_on=first.applied_on,
        decided_on=first.decided_on, outcome=first.outcome, valid_from=first.valid_from, valid_to=first.valid_to,
        decided_by=first.decided_by, reasoning=first.reasoning,
    )
    decision_services.annul_decision(AuditContext(user=officer, path=PATH), copy, REASON,
                                     expected_version=copy.version)
    ctx.log(f"Ett dubbelregistrerat beslut är makulerat (beslut {copy.pk}).")
