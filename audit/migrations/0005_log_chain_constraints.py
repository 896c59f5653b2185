"""Chain columns NOT NULL and unique once every row has them (0004), and
on PostgreSQL: the verification record is append-only like the logs; an
insert into an evidence table moves its chain head (so audit.chain.sealing
needs no UPDATE of its own); a chain head only moves forwards."""

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


MOVE_HEAD = """
CREATE OR REPLACE FUNCTION audit_chain_move_head() RETURNS trigger AS $$
BEGIN
    UPDATE audit_logchainhead h SET seq = n.chain_seq, hash = n.chain_hash
    FROM (SELECT chain_seq, chain_hash FROM new_rows ORDER BY chain_seq DESC LIMIT 1) n
    WHERE h."table" = TG_TABLE_NAME AND n.chain_seq > h.seq;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

TABLES = ("audit_accesslogentry", "audit_fieldchange", "audit_accountevent", "audit_logverification")


def guards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(HEAD_GUARD)
        cursor.execute(MOVE_HEAD)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_chain_head AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_move_head();"
        )
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
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_chain_head ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_chain_move_head();")
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
