from django.db import migrations

# The target groups named in the unit's guidelines; editable in the admin.
TARGET_GROUPS = [
    ("missbruk", "Missbruk", 10),
    ("psykisk-ohalsa", "Psykisk ohälsa", 20),
    ("samsjuklighet", "Samsjuklighet", 30),
    ("barnfamilj", "Barnfamilj", 40),
    ("unga-vuxna", "Unga vuxna (18–25 år)", 50),
    ("aldre", "Äldre", 60),
    ("valdsutsatt", "Våldsutsatt", 70),
]


def forwards(apps, schema_editor):
    TargetGroup = apps.get_model("referrals", "TargetGroup")
    for code, name, order in TARGET_GROUPS:
        TargetGroup.objects.update_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
