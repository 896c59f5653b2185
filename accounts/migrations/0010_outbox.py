"""System administrators may see the operations status (issue 16 outbox):
the permission core.view_operations_status comes with core's outbox model,
accounts gives it to the role (sync_roles only adds)."""

from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0009_user_home_address"),
        ("core", "0001_outbox"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
