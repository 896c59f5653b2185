from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("tenancies", "0002_no_overlap_on_postgresql"),
        ("referrals", "0005_roles"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
