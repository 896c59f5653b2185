"""On PostgreSQL, make overlapping tenancies of one apartment impossible in
the database: an exclusion constraint over the apartment and the date range
(both ends inclusive: the move-out day is still the old tenant's; an open end
is unbounded).

SQLite has no exclusion constraints; there the move-in service's check (the
same rule, under a lock on the apartment row) is the guard. The service also
runs first on PostgreSQL so that users get a clear message, and translates a
violation of this constraint (two simultaneous move-ins) into one.
"""

from django.db import migrations

CONSTRAINT = "tenancies_tenancy_no_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # btree_gist lets a GiST index compare the apartment id with "="; it is a
    # trusted extension, so the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE tenancies_tenancy ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(apartment_id WITH =, daterange(start_date, end_date, '[]') WITH &&)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE tenancies_tenancy DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("tenancies", "0001_apartments_tenancies")]

    operations = [migrations.RunPython(forwards, backwards)]
