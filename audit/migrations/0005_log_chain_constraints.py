"""Chain columns NOT NULL and unique once every row has them (0004), and
the database-side guards for the two new tables on PostgreSQL: the
verification record is append-only like the logs, and a chain head may only
move forwards (the runtime role may UPDATE it, audit.chain.sealing does)."""

from django.db import migrations, models

HEAD_GUARD = """
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq OR NEW."table" <> OLD."table" THEN
        RAISE EXCEPTION 'log chain heads only move forwards: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(HEAD_GUARD)
    schema_editor.execute(
        "CREATE TRIGGER audit_logverification_append_only BEFORE UPDATE OR DELETE ON audit_logverification "
        "FOR EACH ROW EXECUTE FUNCTION audit_reject_change();"
    )
    schema_editor.execute(
        "CREATE TRIGGER audit_logchainhead_forward_only BEFORE UPDATE OR DELETE ON audit_logchainhead "
        "FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();"
    )


def drop_guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_logverification_append_only ON audit_logverification;")
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_logchainhead_forward_only ON audit_logchainhead;")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_head_forward_only();")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_log_chain")]

    operations = [
        *[
            op
            for name in ("accesslogentry", "fieldchange", "accountevent")
            for op in (
                migrations.AlterField(
                    model_name=name,
                    name="chain_seq",
                    field=models.PositiveBigIntegerField(editable=False, verbose_name="chain position"),
                ),
                migrations.AddConstraint(
                    model_name=name,
                    constraint=models.UniqueConstraint(fields=("chain_seq",), name=f"audit_{name}_chain_seq_uniq"),
                ),
            )
        ],
        migrations.RunPython(guards, drop_guards),
    ]
