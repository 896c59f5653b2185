"""Checking every evidence table's hash chain and recording that it was
checked (audit.chain explains the chain)."""

from django.db import transaction
from django.utils import timezone

from .chain import chained_models, verify_chain
from .models import LogVerification

# A broken chain can produce one problem per row; the record keeps the first
# ones (each names its table and row) and the count.
MAX_RECORDED_PROBLEMS = 200


def run_verification(trigger: str) -> tuple[LogVerification, list]:
    """Verify every chain; append a LogVerification saying how it went.

    The previous intact run's chain ends are the anchors: each must still
    be there with the same hash. Returns the record and the per-table
    reports (audit.chain.ChainReport)."""
    previous = LogVerification.objects.filter(ok=True).order_by("-chain_seq").first()
    anchors = previous.heads if previous is not None else {}
    started = timezone.now()
    reports = []
    for model in sorted(chained_models(), key=lambda m: m._meta.db_table):
        anchor = anchors.get(model._meta.db_table)
        reports.append(verify_chain(model, anchor=tuple(anchor) if anchor else None))
    problems = [str(problem) for report in reports for problem in report.problems]
    text = "\n".join(problems[:MAX_RECORDED_PROBLEMS])
    if len(problems) > MAX_RECORDED_PROBLEMS:
        text += f"\n… {len(problems) - MAX_RECORDED_PROBLEMS} more"
    with transaction.atomic():
        verification = LogVerification.objects.create(
            at=started,
            finished_at=timezone.now(),
            trigger=trigger,
            ok=not problems,
            rows_checked=sum(report.rows for report in reports),
            problems=text,
            heads={report.table: [report.head_seq, report.head_hash] for report in reports},
        )
    return verification, reports
