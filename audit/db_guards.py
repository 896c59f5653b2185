"""The append-only guards that SQLite can give (the demo database).

On PostgreSQL the guarantees come from the database: the runtime role may
only INSERT and SELECT the evidence tables (db_roles), and triggers refuse
UPDATE and DELETE even for the owner (migrations 0002, 0003, 0005).

SQLite has no roles: whoever can open the file can change anything, and
nothing here stops them. What it can do is refuse the ways around the
model/queryset guards that go through the application's own connections:

- triggers refusing UPDATE and DELETE on every evidence table (so raw SQL,
  `_base_manager`, `QuerySet._raw_delete` and `save(force_update=True)` on
  a row marked as new all fail), and refusing to move a chain head back;
- `PRAGMA recursive_triggers`, so that `INSERT OR REPLACE` over an existing
  row (a delete plus an insert) fires the DELETE trigger;
- the one exception (audit.redaction): the UPDATE trigger of the access log
  and the change history lets through setting a row's personal columns
  (audit.chain.REDACTABLE) to the redaction values when a `RedactedRow`
  for that row, client and reference exists and that redaction runs in
  this process now, every other column unchanged;
- an authorizer refusing UPDATE of any other column of an evidence table
  (at prepare time, before a trigger runs), DROP TABLE, ALTER TABLE (rename, add or drop a
  column), CREATE or DROP TRIGGER on those tables, and turning
  `writable_schema` or `recursive_triggers` off.

The triggers are (re)installed after every `migrate` rather than in a
migration, because SQLite drops a table's triggers whenever a migration
rebuilds the table. During `migrate` the guards are lifted (pre_migrate),
and installing them re-arms them.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

_lifted = 0
_migrating = False

HEAD_TABLE = "audit_logchainhead"


def guards_active() -> bool:
    return _lifted == 0 and not _migrating


@contextmanager
def lifted():
    """Lift the SQLite guards in this process (migrations, the test suite's
    flush, and tests that simulate tampering)."""
    global _lifted
    _lifted += 1
    try:
        yield
    finally:
        _lifted -= 1


def protected_tables() -> set[str]:
    from .chain import chained_models

    return {model._meta.db_table for model in chained_models()} | {HEAD_TABLE}


_tables_cache: set[str] | None = None


def _protected(name) -> bool:
    global _tables_cache
    if _tables_cache is None:
        _tables_cache = protected_tables()
    return name is not None and name.lower() in _tables_cache


_DDL_ON_TABLE = {
    # action code: index of the argument naming the table
    sqlite3.SQLITE_DROP_TABLE: 0,
    sqlite3.SQLITE_DROP_TEMP_TABLE: 0,
    sqlite3.SQLITE_ALTER_TABLE: 1,
    sqlite3.SQLITE_CREATE_TRIGGER: 1,
    sqlite3.SQLITE_CREATE_TEMP_TRIGGER: 1,
    sqlite3.SQLITE_DROP_TRIGGER: 1,
    sqlite3.SQLITE_DROP_TEMP_TRIGGER: 1,
}
_GUARDING_PRAGMAS = {"writable_schema", "recursive_triggers"}


_updatable: dict[str, set[str]] | None = None


def _update_refused(table, column) -> bool:
    """An UPDATE of an evidence table's column other than the redactable ones."""
    global _updatable
    if _updatable is None:
        from .chain import REDACTABLE

        _updatable = {table: set(columns) for table, columns in REDACTABLE.items()}
    if table is None or not _protected(table) or table.lower() == HEAD_TABLE:
        return False
    return column not in _updatable.get(table.lower(), ())


def _authorizer(action, arg1, arg2, dbname, source):
    if not guards_active():
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_UPDATE and _update_refused(arg1, arg2):
        return sqlite3.SQLITE_DENY
    index = _DDL_ON_TABLE.get(action)
    if index is not None and _protected((arg1, arg2)[index]):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg1 and arg1.lower() in _GUARDING_PRAGMAS and arg2 is not None:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _guard_function():
    # Called by the triggers: 1 refuses the change. Outside this process
    # (the sqlite3 shell) the function does not exist and the trigger fails,
    # which refuses the change too.
    return 1 if guards_active() else 0


def _redacting_function(reference):
    # 1 while audit.redaction.redact_client runs for `reference` here.
    from .redaction import is_open

    return 1 if reference is not None and is_open(reference) else 0


def on_connection_created(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("bolots_log_guard", 0, _guard_function)
    raw.create_function("bolots_redacting", 1, _redacting_function)
    raw.execute("PRAGMA recursive_triggers = ON")
    raw.set_authorizer(_authorizer)


def on_pre_migrate(sender, **kwargs):
    global _migrating
    if sender.name == "audit":
        _migrating = True


def on_post_migrate(sender, using="default", **kwargs):
    global _migrating
    if sender.name != "audit":
        return
    from django.db import connections

    try:
        install_triggers(connections[using])
    finally:
        _migrating = False


def redaction_allowed_sql(table: str, columns: list[str]) -> str:
    """SQLite condition: this UPDATE is a redaction (audit.redaction): the
    personal columns get the redaction values of a RedactedRow recorded for
    this row and client by a redaction running now; every other column
    (`columns` is all of them) unchanged."""
    from .chain import REDACTABLE, redaction_values

    personal = REDACTABLE[table]
    unchanged = " AND ".join(f'NEW."{column}" IS OLD."{column}"' for column in columns if column not in personal)
    values = redaction_values(table, "\0")
    wanted = " AND ".join(
        f'NEW."{column}" IS r.reference' if value == "\0" else f"NEW.\"{column}\" IS '{value}'"
        for column, value in values.items()
    )
    return (
        f"({unchanged} AND EXISTS (SELECT 1 FROM audit_redactedrow r WHERE r.\"table\" = '{table}' "
        f"AND r.row_seq = OLD.chain_seq AND r.client_id IS OLD.client_id AND bolots_redacting(r.reference) "
        f"AND {wanted}))"
    )


def trigger_sql(tables, columns=None) -> list[str]:
    """`columns`: every column of each redactable table (for the exception)."""
    from .chain import REDACTABLE

    statements = []
    for table in sorted(tables):
        for operation in ("UPDATE", "DELETE"):
            condition = "bolots_log_guard()"
            if operation == "UPDATE" and table in REDACTABLE:
                # Dropped and created anew each time: a column added since
                # must be in the "unchanged" list, and without the records'
                # table (migrated back before 0006) the exception must go.
                statements.append(f"DROP TRIGGER IF EXISTS {table}_no_update")
                if columns and table in columns:
                    condition += f" AND NOT {redaction_allowed_sql(table, columns[table])}"
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"WHEN {condition} BEGIN "
                f"SELECT RAISE(ABORT, 'audit rows are append-only: {operation} on {table} refused'); END"
            )
        # The chain head follows the last row inserted (audit.chain).
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS {table}_chain_head AFTER INSERT ON {table} BEGIN "
            f"UPDATE {HEAD_TABLE} SET seq = NEW.chain_seq, hash = NEW.chain_hash "
            f"WHERE \"table\" = '{table}' AND seq < NEW.chain_seq; END"
        )
    statements.append(
        f"CREATE TRIGGER IF NOT EXISTS {HEAD_TABLE}_no_delete BEFORE DELETE ON {HEAD_TABLE} "
        f"WHEN bolots_log_guard() BEGIN SELECT RAISE(ABORT, 'log chain heads only move forwards'); END"
    )
    statements.append(
        f"CREATE TRIGGER IF NOT EXISTS {HEAD_TABLE}_forward_only BEFORE UPDATE ON {HEAD_TABLE} "
        f"WHEN bolots_log_guard() AND (NEW.seq < OLD.seq OR NEW.\"table\" <> OLD.\"table\") "
        f"BEGIN SELECT RAISE(ABORT, 'log chain heads only move forwards'); END"
    )
    return statements


def install_postgresql_triggers(connection):
    """Every evidence table, also one added after migrations 0002–0005, gets
    the append-only trigger and the chain-head trigger (run as the owner,
    after migrate; does nothing when they exist)."""
    tables = {model._meta.db_table for model in _chained_models()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'audit_chain_move_head'")
        if cursor.fetchone() is None:
            return  # before migration 0005
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = ANY(%s) AND NOT t.tgisinternal",
            [sorted(tables)],
        )
        existing = set(cursor.fetchall())
        present = set(connection.introspection.table_names(cursor))
        for table in sorted(tables & present):
            if (table, f"{table}_append_only") not in existing:
                cursor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION audit_reject_change()"
                )
            if (table, f"{table}_chain_head") not in existing:
                cursor.execute(
                    f"CREATE TRIGGER {table}_chain_head AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
                    "FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_move_head()"
                )


def _chained_models():
    from .chain import chained_models

    return chained_models()


def install_triggers(connection):
    if connection.vendor == "postgresql":
        install_postgresql_triggers(connection)
        return
    if connection.vendor != "sqlite":
        return
    global _tables_cache
    _tables_cache = None
    existing = set(connection.introspection.table_names())
    tables = {table for table in protected_tables() if table in existing and table != HEAD_TABLE}
    if HEAD_TABLE not in existing:
        return
    columns = {}
    with lifted(), connection.cursor() as cursor:
        if "audit_redactedrow" in existing:
            for table in tables:
                columns[table] = [
                    column.name for column in connection.introspection.get_table_description(cursor, table)
                ]
        for statement in trigger_sql(tables, columns):
            cursor.execute(statement)


# PostgreSQL's share of the redaction exception (migration 0006): the
# append-only trigger of the access log and the change history runs this
# function instead of audit_reject_change(). It lets an UPDATE through only
# when every column but the personal ones (audit.chain.REDACTABLE) is
# unchanged, a RedactedRow for this row and client was inserted by this
# very transaction (its xmin is in progress, and rows of other transactions
# in progress are invisible), and the personal columns get that record's
# redaction values (audit.chain.redaction_values). The runtime role may
# UPDATE only those columns anyway (db_roles' column grants).
POSTGRESQL_REDACTION_GUARD = """
CREATE OR REPLACE FUNCTION audit_reject_change_except_redaction() RETURNS trigger AS $$
DECLARE
    personal text[];
    new_row jsonb;
    ref text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF TG_TABLE_NAME = 'audit_accesslogentry' THEN
            personal := ARRAY['client_label', 'client_number'];
        ELSIF TG_TABLE_NAME = 'audit_fieldchange' THEN
            personal := ARRAY['old_value', 'new_value'];
        END IF;
        new_row := to_jsonb(NEW);
        IF personal IS NOT NULL AND (new_row - personal) = (to_jsonb(OLD) - personal) THEN
            -- The table name as a literal in each branch: compared with
            -- TG_TABLE_NAME the cached plan did not use the unique index
            -- (audit_redactedrow_row_uniq) and scanned every record per row.
            IF TG_TABLE_NAME = 'audit_accesslogentry' THEN
                SELECT r.reference INTO ref FROM audit_redactedrow r
                WHERE r."table" = 'audit_accesslogentry' AND r.row_seq = OLD.chain_seq
                  AND r.client_id = (new_row ->> 'client_id')::bigint
                  AND pg_xact_status(
                      (((pg_current_xact_id()::text::bigint >> 32) << 32) | r.xmin::text::bigint)::text::xid8
                  ) = 'in progress';
                IF FOUND AND new_row ->> 'client_label' = ref AND new_row ->> 'client_number' = '' THEN
                    RETURN NEW;
                END IF;
            ELSE
                SELECT r.reference INTO ref FROM audit_redactedrow r
                WHERE r."table" = 'audit_fieldchange' AND r.row_seq = OLD.chain_seq
                  AND r.client_id = (new_row ->> 'client_id')::bigint
                  AND pg_xact_status(
                      (((pg_current_xact_id()::text::bigint >> 32) << 32) | r.xmin::text::bigint)::text::xid8
                  ) = 'in progress';
                IF FOUND AND new_row ->> 'old_value' = '' AND new_row ->> 'new_value' = '' THEN
                    RETURN NEW;
                END IF;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
