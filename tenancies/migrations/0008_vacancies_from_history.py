"""Vacancy rows for the history registered before vacancies were kept: the
gaps between each apartment's tenancies and the current empty period of a
vacant apartment, by the rule the services follow
(tenancies.services.vacancies.vacancy_gaps, a pure function of plain values
shared with rebuild_vacancies, so that an upgraded database agrees with one
built by the move services). An apartment that left the programme by hand
is taken to have left at the end of its first-hand lease (the day it left
was not recorded)."""

from collections import defaultdict

from django.db import migrations
from django.utils import timezone


def build(apps, schema_editor):
    from tenancies.services.vacancies import vacancy_gaps

    Apartment = apps.get_model("tenancies", "Apartment")
    Tenancy = apps.get_model("tenancies", "Tenancy")
    Vacancy = apps.get_model("tenancies", "Vacancy")
    if Vacancy.objects.exists():
        return
    tenancies = defaultdict(list)
    for row in Tenancy.objects.values_list("apartment_id", "pk", "start_date", "end_date", "end_reason"):
        tenancies[row[0]].append(row[1:])
    rows = []
    for apartment in Apartment.objects.order_by("pk").iterator(chunk_size=2000):
        start = apartment.lease_start or timezone.localdate(apartment.created_at)
        left = apartment.status == "left_programme"
        for gap in vacancy_gaps(start, tenancies.get(apartment.pk, []), left_programme=left,
                                left_on=apartment.lease_end if left else None):
            rows.append(Vacancy(apartment_id=apartment.pk, vacant_from=gap.vacant_from, ended_on=gap.ended_on,
                                ended_by_id=gap.ended_by, reason=gap.reason))
    Vacancy.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("tenancies", "0007_housing_chain"),
    ]

    operations = [
        # Going back keeps the rows: offers may point at them.
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
