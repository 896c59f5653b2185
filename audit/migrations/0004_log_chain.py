"""The tamper-evident hash chain (audit.chain): chain columns on every
evidence table, the chain heads, the verification record; existing rows are
numbered and hashed in id order.

The columns are added nullable here and made NOT NULL in 0005, after the
backfill, each in its own transaction.
"""

from django.db import migrations, models
from django.utils import timezone

TABLES = ("audit_accesslogentry", "audit_fieldchange", "audit_accountevent")
MODELS = ("AccessLogEntry", "FieldChange", "AccountEvent")


def seal_existing_rows(apps, schema_editor):
    from audit.chain import seal_existing

    head_model = apps.get_model("audit", "LogChainHead")
    postgres = schema_editor.connection.vendor == "postgresql"
    using = schema_editor.connection.alias
    for name, table in zip(MODELS, TABLES, strict=True):
        # The owner role (migrations only) may lift its own append-only
        # trigger for the one UPDATE that writes the chain columns.
        if postgres:
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        seal_existing(apps.get_model("audit", name), head_model, using=using)
        if postgres:
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
    head_model.objects.using(using).get_or_create(table="audit_logverification")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_account_events")]

    operations = [
        *[
            op
            for name in ("accesslogentry", "fieldchange", "accountevent")
            for op in (
                migrations.AddField(
                    model_name=name,
                    name="chain_seq",
                    field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="chain position"),
                ),
                migrations.AddField(
                    model_name=name,
                    name="chain_hash",
                    field=models.CharField(default="", editable=False, max_length=64, verbose_name="chain hash"),
                    preserve_default=False,
                ),
            )
        ],
        migrations.CreateModel(
            name="LogChainHead",
            fields=[
                ("table", models.CharField(max_length=100, primary_key=True, serialize=False, verbose_name="table")),
                ("seq", models.PositiveBigIntegerField(default=0, verbose_name="last position")),
                ("hash", models.CharField(blank=True, max_length=64, verbose_name="last hash")),
            ],
            options={"verbose_name": "log chain head", "verbose_name_plural": "log chain heads"},
        ),
        migrations.CreateModel(
            name="LogVerification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("chain_seq", models.PositiveBigIntegerField(editable=False, verbose_name="chain position")),
                ("chain_hash", models.CharField(editable=False, max_length=64, verbose_name="chain hash")),
                ("at", models.DateTimeField(default=timezone.now, verbose_name="time")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished")),
                ("trigger", models.CharField(max_length=20, verbose_name="started by")),
                ("ok", models.BooleanField(verbose_name="intact")),
                ("rows_checked", models.PositiveBigIntegerField(default=0, verbose_name="rows checked")),
                ("problems", models.TextField(blank=True, verbose_name="problems")),
                ("heads", models.JSONField(blank=True, default=dict, verbose_name="chain ends")),
            ],
            options={
                "verbose_name": "log verification",
                "verbose_name_plural": "log verifications",
                "ordering": ["-at", "-id"],
                "abstract": False,
                "constraints": [
                    models.UniqueConstraint(fields=("chain_seq",), name="audit_logverification_chain_seq_uniq")
                ],
            },
        ),
        migrations.RunPython(seal_existing_rows, migrations.RunPython.noop),
    ]
