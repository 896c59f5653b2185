from datetime import date

from django.db import migrations

OLD_ACT = "Socialtjänstlagen (2001:453)"
NEW_ACT = "Socialtjänstlagen (2025:400)"
OLD_END = date(2025, 6, 30)
NEW_START = date(2025, 7, 1)

# Paragraph numbers are printed only where a source confirmed them
# (docs/ivo.md "Legal references"): the old act's 4 kap. 1 § (IVO's page on
# "ej verkställda beslut") and 16 kap. 6 f § (JO dnr 2299-2017). The others
# name the act only, until someone checks the paragraph in SFS 2025:400 and
# edits the code in the admin (decisions keep their reference by id).
RENAMED = {
    # 0004 printed these numbers without a source; the references keep their
    # rows (decisions point at them), only the code changes.
    "4 kap. 2 § SoL (2001:453)": "SoL (2001:453) – bistånd utöver rätten till bistånd",
    "3 kap. 2 § SoL (2025:400)": "SoL (2025:400) – rätten till bistånd",
    "3 kap. 5 § SoL (2025:400)": "SoL (2025:400) – insatser utan föregående behovsprövning",
}

# code, act, description, topic, in force from, until, selectable as a decision's basis
REFERENCES = [
    ("4 kap. 1 § SoL (2001:453)", OLD_ACT,
     "Rätten till bistånd: försörjningsstöd och livsföring i övrigt", "assistance", None, OLD_END, True),
    ("SoL (2001:453) – bistånd utöver rätten till bistånd", OLD_ACT,
     "Bistånd utöver rätten till bistånd", "", None, OLD_END, True),
    ("16 kap. 6 f § SoL (2001:453)", OLD_ACT,
     "Skyldighet att rapportera ej verkställda beslut till IVO", "ivo_report_duty", None, OLD_END, False),
    ("SoL (2001:453) – särskild avgift", OLD_ACT,
     "Särskild avgift när ett beslut inte verkställts inom skälig tid", "special_fee", None, OLD_END, False),
    ("SoL (2025:400) – rätten till bistånd", NEW_ACT,
     "Rätten till bistånd för livsföringen i övrigt", "assistance", NEW_START, None, True),
    ("SoL (2025:400) – insatser utan föregående behovsprövning", NEW_ACT,
     "Insatser utan föregående behovsprövning", "", NEW_START, None, True),
    ("SoL (2025:400) – rapportering av ej verkställda beslut", NEW_ACT,
     "Skyldighet att rapportera ej verkställda beslut till IVO", "ivo_report_duty", NEW_START, None, False),
    ("SoL (2025:400) – särskild avgift", NEW_ACT,
     "Särskild avgift när ett beslut inte verkställts inom skälig tid", "special_fee", NEW_START, None, False),
]


def forwards(apps, schema_editor):
    LegalReference = apps.get_model("referrals", "LegalReference")
    for old, new in RENAMED.items():
        if not LegalReference.objects.filter(code=new).exists():
            LegalReference.objects.filter(code=old).update(code=new)
    for code, law, description, topic, valid_from, valid_to, selectable in REFERENCES:
        LegalReference.objects.update_or_create(
            code=code,
            defaults={"law": law, "description": description, "topic": topic, "valid_from": valid_from,
                      "valid_to": valid_to, "is_active": selectable},
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0011_legal_topic_offer_version")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
