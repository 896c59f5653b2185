"""`manage.py cull --dry-run [--unit ID]`: print the list a dry run would
make (the same service and order as the page: culling.services.runs.due_list).
`manage.py cull --run N`: execute approved run N (refused without approval).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Unit
from audit.context import AuditContext

from ...models import CullingRun
from ...registry import kind_labels
from ...services.execution import NotApproved, execute_run
from ...services.runs import due_list
from ...views import _reason_text


class Command(BaseCommand):
    help = "Culling: print the dry-run list, or execute an approved culling run."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--dry-run", action="store_true", help="Print who is due and who is kept; change nothing.")
        group.add_argument("--run", type=int, metavar="N", help="Execute approved culling run N.")
        parser.add_argument("--unit", type=int, help="Only this unit (id).")

    def handle(self, *args, dry_run=False, run=None, unit=None, **options):
        if run is not None:
            return self._execute(run)
        units = Unit.objects.order_by("pk")
        if unit is not None:
            units = units.filter(pk=unit)
            if not units.exists():
                raise CommandError(f"No unit {unit}.")
        today = timezone.localdate()
        labels = kind_labels()
        # Client ids, not names: the command has no logged-in user whose
        # reads the access log could record (docs/culling.md).
        columns = ["unit", "status", "client_id", "last_entry", "due_on", "deadline", "records", "reasons"]
        self.stdout.write("\t".join(columns))
        for each in units:
            found = due_list(each, as_of=today)
            for item in found:
                records = ", ".join(f"{labels.get(kind, kind)}: {n}" for kind, n in sorted(item.counts.items()))
                self.stdout.write("\t".join([
                    str(each.pk), "due" if item.is_due else "kept", str(item.client_id),
                    item.last_entry.isoformat(), item.due_on.isoformat(), item.deadline.isoformat(), records,
                    "; ".join(str(_reason_text(code, labels)) for code in item.reasons),
                ]))

    def _execute(self, run_id):
        found = CullingRun.objects.filter(pk=run_id).select_related("approved_by").first()
        if found is None:
            raise CommandError(f"No culling run {run_id}.")
        try:
            done = execute_run(AuditContext.system(found.approved_by, f"manage.py cull --run {run_id}"), run_id)
        except NotApproved as refused:
            raise CommandError(refused.messages[0]) from None
        self.stdout.write(done.events.order_by("-at", "-id").first().note)
