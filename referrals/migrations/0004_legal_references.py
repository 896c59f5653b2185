from datetime import date

from django.db import migrations

# The legal bases for housing assistance, old act and new. Editable by the
# system administrator; decisions keep the reference they were made under.
REFERENCES = [
    ("4 kap. 1 § SoL (2001:453)", "Socialtjänstlagen (2001:453)",
     "Rätten till bistånd: försörjningsstöd och livsföring i övrigt", None, date(2025, 6, 30)),
    ("4 kap. 2 § SoL (2001:453)", "Socialtjänstlagen (2001:453)",
     "Bistånd utöver 4 kap. 1 §", None, date(2025, 6, 30)),
    ("3 kap. 2 § SoL (2025:400)", "Socialtjänstlagen (2025:400)",
     "Rätten till bistånd för livsföringen i övrigt", date(2025, 7, 1), None),
    ("3 kap. 5 § SoL (2025:400)", "Socialtjänstlagen (2025:400)",
     "Insatser utan föregående behovsprövning", date(2025, 7, 1), None),
]


def forwards(apps, schema_editor):
    LegalReference = apps.get_model("referrals", "LegalReference")
    for code, law, description, valid_from, valid_to in REFERENCES:
        LegalReference.objects.update_or_create(
            code=code,
            defaults={"law": law, "description": description, "valid_from": valid_from, "valid_to": valid_to},
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_decisions_plans_orders_notices")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
