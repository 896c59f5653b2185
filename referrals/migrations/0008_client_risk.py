"""Risk information moves to the client (issue 12, point 5).

Rule for existing data: each client gets the risk information of their most
recent order (latest sent_at, then highest id; whatever its state, since it
is the newest thing the unit knew), with risk_changed_at/by set to that
order's sending time and case officer. Clients without orders start with no
risks and no "changed" stamp. No change-history rows are written: the
orders keep their snapshots, which is the history before this migration.
Then the roles get the new permission change_client_risk (sync_roles).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from accounts.roles import sync_roles
from referrals.models.risks import apply_latest_order_risks



def copy_latest_order_risks(apps, schema_editor):
    apply_latest_order_risks(apps.get_model("referrals", "Client"), apps.get_model("referrals", "Order"))


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0007_reassignment_split'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='client',
            options={'ordering': ['last_name', 'first_name', 'id'], 'permissions': [('view_protected_client', 'Can see protected personal data'), ('change_client_risk', "Can update clients' risk information")], 'verbose_name': 'client', 'verbose_name_plural': 'clients'},
        ),
        migrations.AddField(
            model_name='client',
            name='risk_animals',
            field=models.BooleanField(default=False, verbose_name='animals in the home'),
        ),
        migrations.AddField(
            model_name='client',
            name='risk_changed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='risk information changed'),
        ),
        migrations.AddField(
            model_name='client',
            name='risk_changed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='risk information changed by'),
        ),
        migrations.AddField(
            model_name='client',
            name='risk_children',
            field=models.BooleanField(default=False, verbose_name='children in the home'),
        ),
        migrations.AddField(
            model_name='client',
            name='risk_notes',
            field=models.TextField(blank=True, verbose_name='other risks'),
        ),
        migrations.AddField(
            model_name='client',
            name='risk_substance_use',
            field=models.BooleanField(default=False, verbose_name='known or suspected substance use'),
        ),
        migrations.AddField(
            model_name='client',
            name='risk_threats',
            field=models.BooleanField(default=False, verbose_name='threats or weapons'),
        ),
        migrations.AddField(
            model_name='client',
            name='risk_violence',
            field=models.BooleanField(default=False, verbose_name='violence in close relationships'),
        ),
        migrations.RunPython(copy_latest_order_risks, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
