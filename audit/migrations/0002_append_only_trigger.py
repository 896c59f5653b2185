"""On PostgreSQL, refuse UPDATE and DELETE on the audit tables in the
database itself, whoever asks (admin, shell, raw SQL).

SQLite gets no trigger: Django's test flush empties tables with DELETE there,
and the model/queryset guards in audit.models give the same behaviour to the
application. TRUNCATE is left allowed on PostgreSQL for the same reason (the
test flush); culling of old log rows, when it comes, must be done by a
database role with the rights to drop the trigger, on purpose.
"""

from django.db import migrations

TABLES = ("audit_accesslogentry", "audit_fieldchange")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_reject_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Through a plain cursor without parameters: the function body's '%'
    # are PL/pgSQL's placeholders, not the driver's.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(CREATE_FUNCTION)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_reject_change();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_reject_change();")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
