from django.db import migrations

# The old act's special fee is 16 kap. 6 a § SoL (2001:453): the paragraph
# was inserted under the heading "Särskild avgift" by SFS 2002:437 (16 kap.
# 6 a–d §§), and later amendments widened it without renumbering. The row
# keeps its id (docs/ivo.md "Legal references"); only the code changes.
# SFS 2025:400 still names the act only: no paragraph of it was confirmed.
OLD = "SoL (2001:453) – särskild avgift"
NEW = "16 kap. 6 a § SoL (2001:453)"


def forwards(apps, schema_editor):
    LegalReference = apps.get_model("referrals", "LegalReference")
    if not LegalReference.objects.filter(code=NEW).exists():
        LegalReference.objects.filter(code=OLD).update(code=NEW)


def backwards(apps, schema_editor):
    LegalReference = apps.get_model("referrals", "LegalReference")
    if not LegalReference.objects.filter(code=OLD).exists():
        LegalReference.objects.filter(code=NEW).update(code=OLD)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0017_culling_paths")]

    operations = [migrations.RunPython(forwards, backwards)]
