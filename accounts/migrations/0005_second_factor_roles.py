from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    # System administrators ask for and managers approve second-factor
    # resets (accounts.login): the new permissions go to their roles.
    dependencies = [
        ("accounts", "0004_second_factor"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
