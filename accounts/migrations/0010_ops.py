from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    """System administrators see the scheduled jobs' runs (/drift/jobb/, issue 16 §4)."""

    dependencies = [
        ("accounts", "0009_user_home_address"),
        ("core", "0001_jobs"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
