from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    """The managers' review permissions (LogReviewConfig.role_permissions):
    0001 created the models but gave no role their permissions."""

    dependencies = [
        ("logreview", "0001_initial"),
        ("accounts", "0008_form_submission_tokens"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
