"""Redaction of a culled person's data in the access log and the change
history (audit.redaction, docs/culling.md "The access log after culling"):

- the `RedactedRow` table (chained and append-only like the other evidence
  tables; audit.db_guards and db_roles pick it up as such);
- the access log and the change history move to the link format that hashes
  the personal columns apart (audit.chain): their chains are first verified
  in the old format, then re-sealed (audit.chain.reseal_redactable; a broken
  chain stops the migration). The other evidence tables keep their format
  and hashes. Re-sealing rather than a format version per row: a row sealed
  in the old format could never be redacted and still verified, and one
  format keeps the verifier simple;
- on PostgreSQL the append-only trigger of those two tables runs
  audit_reject_change_except_redaction() (audit.db_guards).
"""

import django.utils.timezone
from django.db import migrations, models

TABLES = ("audit_accesslogentry", "audit_fieldchange")


def reseal(apps, schema_editor):
    from audit.chain import reseal_redactable

    postgres = schema_editor.connection.vendor == "postgresql"
    # The owner (migrations only) lifts its own trigger for the re-seal,
    # as 0004 did; SQLite's guards are lifted while migrating.
    if postgres:
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    reseal_redactable(lambda name: apps.get_model("audit", name), using=schema_editor.connection.alias)
    if postgres:
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def guard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from audit.db_guards import POSTGRESQL_REDACTION_GUARD

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(POSTGRESQL_REDACTION_GUARD)
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_reject_change_except_redaction()"
        )


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_reject_change()"
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_reject_change_except_redaction()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_log_chain_constraints"),
    ]

    operations = [
        migrations.CreateModel(
            name="RedactedRow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("chain_seq", models.PositiveBigIntegerField(editable=False, verbose_name="chain position")),
                ("chain_hash", models.CharField(editable=False, max_length=64, verbose_name="chain hash")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="time")),
                ("table", models.CharField(max_length=100, verbose_name="table")),
                ("row_seq", models.PositiveBigIntegerField(verbose_name="row's chain position")),
                ("client_id", models.PositiveBigIntegerField(verbose_name="client id")),
                ("reference", models.CharField(max_length=40, verbose_name="culling reference")),
                ("personal_digest", models.CharField(max_length=64, verbose_name="digest of the removed values")),
            ],
            options={
                "verbose_name": "redacted log row",
                "verbose_name_plural": "redacted log rows",
                "ordering": ["table", "row_seq"],
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(fields=("chain_seq",), name="audit_redactedrow_chain_seq_uniq"),
                    models.UniqueConstraint(fields=("table", "row_seq"), name="audit_redactedrow_row_uniq"),
                ],
            },
        ),
        migrations.RunPython(reseal, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
