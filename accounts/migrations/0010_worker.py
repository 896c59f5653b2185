"""System administrators get the permissions of the given-up e-mails page
(/drift/e-post/, core.models.mail.MailFailure; issue 16)."""

from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0009_user_home_address"),
        ("core", "0001_mail"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
