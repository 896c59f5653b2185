from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0004_legal_references"),
        ("accounts", "0003_notification"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
