"""`manage.py db_roles --owner OWNER --runtime RUNTIME`: the two PostgreSQL
roles production runs with (docs/deploy.md, "Database roles").

- OWNER owns the schema, every table, sequence and trigger function; it is
  used only to run `migrate` (and this command).
- RUNTIME is what the web processes and workers log in as: SELECT, INSERT,
  UPDATE and DELETE on ordinary tables, but only SELECT and INSERT on the
  evidence tables (every AppendOnlyModel: access log, change history,
  account log, log verifications, redacted rows) with one exception:
  UPDATE of just the redactable columns of the access log and the change
  history (audit.chain.REDACTABLE; culling's redaction, audit.redaction,
  which a trigger still checks row by row), SELECT and UPDATE on the chain heads,
  SELECT on django_migrations, and no DDL at all: as it owns nothing it can
  neither TRUNCATE, ALTER, DROP, disable a trigger nor replace a function.

Idempotent: run it once as a superuser (it creates the roles and hands the
objects to OWNER), then as OWNER after every `migrate` (it re-grants, so a
new table gets exactly the rights above, and nothing more survives).
Passwords are never arguments (they would show in the process list): they
are read from BOLOTS_DB_OWNER_PASSWORD / BOLOTS_DB_RUNTIME_PASSWORD when
set, otherwise left as they are.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from psycopg import sql

from audit.chain import REDACTABLE, chained_models
from audit.db_guards import HEAD_TABLE

READ_ONLY_TABLES = {"django_migrations"}


def role_exists(cursor, name):
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    return cursor.fetchone() is not None


def ensure_role(cursor, name, password_env, *, stdout=None):
    """Create `name` (LOGIN, no special rights) unless it exists. Two test
    processes may race to create the shared test role: the loser's error is
    swallowed inside the DO block."""
    if not role_exists(cursor, name):
        cursor.execute(
            sql.SQL(
                "DO $$ BEGIN CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            ).format(sql.Identifier(name))
        )
        if stdout:
            stdout.write(f"Created role {name}.")
    password = os.environ.get(password_env)
    if password:
        cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(name), sql.Literal(password)))


def evidence_tables():
    return sorted(model._meta.db_table for model in chained_models())


def grant(cursor, database, owner, runtime, *, stdout=None):
    ident = sql.Identifier
    cursor.execute("SELECT current_user")
    current = cursor.fetchone()[0]
    cursor.execute(
        "SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')"
    )
    relations = cursor.fetchall()
    if owner != current or any(rel_owner != owner for _, _, rel_owner in relations):
        # Hand everything to the owner (needs a superuser, or the current
        # owner being a member of OWNER).
        cursor.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(ident(database), ident(owner)))
        cursor.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(ident(owner)))
        for name, kind, rel_owner in relations:
            if rel_owner != owner and kind != "S":
                # A table's owned sequences follow it.
                cursor.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(ident(name), ident(owner)))
        for name, kind, _rel_owner in relations:
            if kind == "S":
                cursor.execute(
                    "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = %s AND relkind = 'S'", [name]
                )
                if cursor.fetchone()[0] != owner:
                    cursor.execute(sql.SQL("ALTER SEQUENCE {} OWNER TO {}").format(ident(name), ident(owner)))
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND p.proname LIKE 'audit\\_%%' AND pg_get_userbyid(p.proowner) <> %s",
            [owner],
        )
        for (signature,) in cursor.fetchall():
            cursor.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(signature), ident(owner)))

    # Nobody but the owner creates objects (before PostgreSQL 15 everybody
    # could in `public`, which would let the runtime role shadow a function).
    cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    cursor.execute(sql.SQL("REVOKE ALL ON SCHEMA public FROM {}").format(ident(runtime)))
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident(runtime)))
    cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(ident(database), ident(runtime)))
    # Start from nothing on every table and sequence, then grant exactly.
    cursor.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(ident(runtime)))
    cursor.execute(sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(ident(runtime)))
    cursor.execute(sql.SQL("REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM {}").format(ident(runtime)))
    evidence = set(evidence_tables())
    summary = {"evidence": 0, "heads": 0, "read-only": 0, "ordinary": 0}
    for name, kind, _owner in relations:
        if kind == "S":
            continue
        if name in evidence:
            privileges, group = "SELECT, INSERT", "evidence"
        elif name == HEAD_TABLE:
            privileges, group = "SELECT, INSERT, UPDATE", "heads"
        elif name in READ_ONLY_TABLES or kind in ("v", "m"):
            privileges, group = "SELECT", "read-only"
        else:
            privileges, group = "SELECT, INSERT, UPDATE, DELETE", "ordinary"
        cursor.execute(sql.SQL("GRANT {} ON TABLE {} TO {}").format(sql.SQL(privileges), ident(name), ident(runtime)))
        if name in evidence and name in REDACTABLE:
            # Column-level: REVOKE ALL above removes these too, so re-running
            # grants exactly this again (idempotent).
            cursor.execute(sql.SQL("GRANT UPDATE ({}) ON TABLE {} TO {}").format(
                sql.SQL(", ").join(ident(column) for column in REDACTABLE[name]), ident(name), ident(runtime),
            ))
        summary[group] += 1
    # nextval() for the id columns; not UPDATE (setval).
    cursor.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident(runtime)))
    if stdout:
        redactable = ", ".join(f"{table}({', '.join(columns)})" for table, columns in sorted(REDACTABLE.items()))
        stdout.write(
            f"{runtime}: INSERT and SELECT only on {summary['evidence']} evidence tables "
            f"({', '.join(sorted(evidence))}), UPDATE of the redactable columns "
            f"({redactable}); "
            f"SELECT, INSERT, UPDATE on the chain heads; "
            f"SELECT only on {summary['read-only']}; full DML on {summary['ordinary']} other tables; no DDL."
        )
    return summary


class Command(BaseCommand):
    help = "Create and grant the PostgreSQL owner and runtime roles (idempotent; see docs/deploy.md)."

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="Role that owns the schema; used only for migrations.")
        parser.add_argument("--runtime", required=True, help="Role the application logs in as.")
        parser.add_argument("--database", default="default", help="Connection alias (default: default).")

    def handle(self, *args, owner, runtime, database, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only; on SQLite nothing can be granted.")
        if owner == runtime:
            raise CommandError("The owner and the runtime role must differ: that is the point.")
        with transaction.atomic(using=database), connection.cursor() as cursor:
            ensure_role(cursor, owner, "BOLOTS_DB_OWNER_PASSWORD", stdout=self.stdout)
            ensure_role(cursor, runtime, "BOLOTS_DB_RUNTIME_PASSWORD", stdout=self.stdout)
            cursor.execute(
                "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls FROM pg_roles WHERE rolname = %s",
                [runtime],
            )
            if cursor.fetchone()[0]:
                raise CommandError(f"{runtime} has superuser, CREATEROLE, CREATEDB or BYPASSRLS: remove them first.")
            cursor.execute(
                "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
                "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s",
                [runtime],
            )
            if cursor.fetchone() is not None:
                raise CommandError(f"{runtime} is a member of another role and could inherit its rights: revoke that.")
            grant(cursor, connection.settings_dict["NAME"], owner, runtime, stdout=self.stdout)
