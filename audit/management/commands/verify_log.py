"""`manage.py verify_log`: check that no evidence row was deleted, altered or
reordered (audit.chain). Exits with status 1 and names each broken row when
a chain is broken; every run is recorded (audit.models.LogVerification)."""

from django.core.management.base import BaseCommand, CommandError

from audit.verification import run_verification


class Command(BaseCommand):
    help = "Verify the hash chains of the access log, change history and account log."

    def handle(self, *args, **options):
        verification, reports = run_verification("command")
        for report in reports:
            state = "ok" if report.ok else f"BROKEN ({len(report.problems)} problems)"
            self.stdout.write(f"{report.table}: {report.rows} rows, ends at {report.head_seq}: {state}")
            for problem in report.problems:
                self.stderr.write(str(problem))
        if not verification.ok:
            raise CommandError(
                f"The log chain is broken (verification #{verification.pk}); see the rows named above.",
                returncode=1,
            )
        self.stdout.write(f"All log chains intact (verification #{verification.pk}).")
