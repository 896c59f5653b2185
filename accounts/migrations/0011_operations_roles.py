"""System administrators get the permissions of the operations pages of
issue 16: the given-up e-mails (/drift/e-post/, core.models.mail.MailFailure),
the detailed status (/drift/status/, core.models.outbox) and the scheduled
jobs (/drift/jobb/, core.models.jobs.ScheduledJobRun)."""

from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0010_oidc_subject"),
        ("core", "0003_jobs"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
