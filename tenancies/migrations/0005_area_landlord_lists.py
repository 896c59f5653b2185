# Issue 12 §7: an apartment's area and first-hand landlord come from fixed
# lists per unit instead of free text, which had created both "centrum" and
# "Centrum". The existing texts are merged: spellings that differ only in
# case or whitespace become one entry, named by the spelling most apartments
# used (tenancies.models.lists.merge_spellings).

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

from tenancies.models.lists import merge_spellings, name_key


def texts_to_lists(apps, schema_editor):
    Apartment = apps.get_model("tenancies", "Apartment")
    for field, model_name in (("area_text", "Area"), ("landlord_text", "Landlord")):
        Entry = apps.get_model("tenancies", model_name)
        rows = list(Apartment.objects.exclude(**{field: ""}).values_list("pk", "unit_id", field))
        by_unit = {}
        for _pk, unit_id, text in rows:
            by_unit.setdefault(unit_id, []).append(text)
        entries = {}
        for unit_id, texts in by_unit.items():
            for key, name in merge_spellings(texts).items():
                entries[(unit_id, key)] = Entry.objects.create(unit_id=unit_id, name=name)
        target = field.removesuffix("_text")
        for pk, unit_id, text in rows:
            entry = entries.get((unit_id, name_key(text)))
            if entry is not None:
                Apartment.objects.filter(pk=pk).update(**{target: entry})


def lists_to_texts(apps, schema_editor):
    Apartment = apps.get_model("tenancies", "Apartment")
    for apartment in Apartment.objects.select_related("area", "landlord"):
        apartment.area_text = apartment.area.name if apartment.area_id else ""
        apartment.landlord_text = apartment.landlord.name if apartment.landlord_id else ""
        apartment.save(update_fields=["area_text", "landlord_text"])


def entry_model(name, verbose, verbose_plural, constraint):
    return migrations.CreateModel(
        name=name,
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("name", models.CharField(max_length=200, verbose_name="name")),
            ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                       to="accounts.unit", verbose_name="unit")),
        ],
        options={
            "verbose_name": verbose,
            "verbose_name_plural": verbose_plural,
            "ordering": ["name", "pk"],
            "abstract": False,
            "constraints": [
                models.UniqueConstraint(models.F("unit"), django.db.models.functions.text.Lower("name"),
                                        name=constraint),
            ],
        },
    )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("tenancies", "0004_complaint_version"),
    ]

    operations = [
        entry_model("Area", "area", "areas", "tenancies_area_unique_name"),
        entry_model("Landlord", "landlord", "landlords", "tenancies_landlord_unique_name"),
        migrations.RemoveIndex(model_name="apartment", name="tenancies_apartment_area_idx"),
        migrations.RenameField(model_name="apartment", old_name="area", new_name="area_text"),
        migrations.RenameField(model_name="apartment", old_name="landlord", new_name="landlord_text"),
        migrations.AlterField(
            model_name="apartment", name="landlord_text",
            field=models.CharField(blank=True, max_length=200, verbose_name="first-hand landlord"),
        ),
        migrations.AddField(
            model_name="apartment",
            name="area",
            field=models.ForeignKey(blank=True, help_text="District or part of the municipality.", null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="apartments",
                                    to="tenancies.area", verbose_name="area"),
        ),
        migrations.AddField(
            model_name="apartment",
            name="landlord",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="apartments", to="tenancies.landlord",
                                    verbose_name="first-hand landlord"),
        ),
        migrations.RunPython(texts_to_lists, lists_to_texts),
        migrations.RemoveField(model_name="apartment", name="area_text"),
        migrations.RemoveField(model_name="apartment", name="landlord_text"),
        migrations.AddIndex(
            model_name="apartment",
            index=models.Index(fields=["unit", "area"], name="tenancies_apartment_area_idx"),
        ),
    ]
