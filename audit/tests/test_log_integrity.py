"""A log that cannot be rewritten (issue 10 §5).

1. On PostgreSQL the application runs as the runtime role (audit.testing)
   and every way of rewriting a log table is refused.
2. On SQLite, the ways around the model guards through the application's
   connection are refused (audit.db_guards).
3. The hash chain tells a deleted, altered or reordered row (audit.chain),
   by `manage.py verify_log` and the nightly task, which alerts.
"""

import io
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections, connection, transaction

from accounts.models import Notification
from audit import db_guards
from audit.chain import chain_key, link_hash, verify_chain
from audit.context import AuditContext
from audit.models import (
    AccessAction,
    AccessLogEntry,
    AccountEvent,
    AccountEventKind,
    AppendOnlyError,
    FieldChange,
    LogChainHead,
    LogVerification,
)
from audit.services import log_access, log_account_event, log_list_access
from audit.testing import RUNTIME_ROLE, owner_cursor
from audit.verification import run_verification

LOG_TABLES = ["audit_accesslogentry", "audit_accountevent", "audit_fieldchange", "audit_logverification"]
# Every evidence table: the logs and the redaction records (audit.redaction,
# tested in test_redaction.py).
EVIDENCE_TABLES = sorted([*LOG_TABLES, "audit_redactedrow"])

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and privileges exist on PostgreSQL")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite guards (audit.db_guards)")


def write_one_row_in_every_log(user):
    ctx = AuditContext(user=user, path="/klienter/1/", ip_address="10.0.0.7")
    log_access(ctx, AccessAction.VIEW, object_type="referrals.client")
    FieldChange.objects.create(user=user, object_type="t", object_id="1", field="f", field_label="f", old_value="a", new_value="b")
    log_account_event(ctx, user, AccountEventKind.PASSWORD_CHANGED)
    run_verification("test")


def sqlstate(error):
    cause = error.__cause__
    return getattr(cause, "sqlstate", None)


# --- 1. PostgreSQL: the runtime role cannot rewrite the log ------------------

# Every statement a hostile insider with the application's database login
# (or an SQL injection) would try. {table} is each log table in turn.
TAMPERING = {
    "update": "UPDATE {table} SET chain_hash = 'x'",
    "delete": "DELETE FROM {table}",
    "truncate": "TRUNCATE {table}",
    "disable trigger": "ALTER TABLE {table} DISABLE TRIGGER {table}_append_only",
    "drop trigger": "DROP TRIGGER {table}_append_only ON {table}",
    "replace trigger function": (
        "CREATE OR REPLACE FUNCTION audit_reject_change() RETURNS trigger AS $$ "
        "BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql"
    ),
    "rename table": "ALTER TABLE {table} RENAME TO {table}_old",
    "drop table": "DROP TABLE {table}",
    "add own trigger": (
        "CREATE TRIGGER {table}_rewrite BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION audit_reject_change()"
    ),
    "upsert over a row": (
        "INSERT INTO {table} SELECT * FROM {table} LIMIT 1 ON CONFLICT (id) DO UPDATE SET chain_hash = 'x'"
    ),
}
SESSION_TAMPERING = {
    "triggers off for the session": "SET session_replication_role = replica",
    "become the owner": "SET ROLE {owner}",
    "move a chain head back": "UPDATE audit_logchainhead SET seq = 0",
    "delete a chain head": "DELETE FROM audit_logchainhead",
    "shadow function in own schema": "CREATE SCHEMA evil",
}


@pytest.mark.postgres
@postgres_only
def test_the_suite_runs_as_the_runtime_role_logged_in_as_itself(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, session_user")
        assert cursor.fetchone() == (RUNTIME_ROLE, RUNTIME_ROLE)


@pytest.mark.postgres
@postgres_only
@pytest.mark.parametrize("table", LOG_TABLES)
@pytest.mark.parametrize("attempt", sorted(TAMPERING))
def test_every_way_of_rewriting_a_log_table_is_refused(case_officer, table, attempt):
    write_one_row_in_every_log(case_officer)
    # Creating the fixture user wrote account events too (accounts.users.signals).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        rows_before = cursor.fetchone()[0]

    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(TAMPERING[attempt].format(table=table))

    # 42501 insufficient_privilege; 42501 also from the triggers.
    assert sqlstate(error.value) == "42501", error.value
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] == rows_before >= 1
        cursor.execute(
            "SELECT t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = %s AND NOT t.tgisinternal",
            [table],
        )
        assert sorted(cursor.fetchall()) == [(f"{table}_append_only", "O"), (f"{table}_chain_head", "O")]
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'audit_reject_change'")
        assert "append-only" in cursor.fetchone()[0]
    assert run_verification("test")[0].ok


@pytest.mark.postgres
@postgres_only
@pytest.mark.parametrize("attempt", sorted(SESSION_TAMPERING))
def test_the_runtime_role_cannot_switch_the_guards_off_or_rewind_a_chain(case_officer, attempt):
    write_one_row_in_every_log(case_officer)
    from audit import testing

    owner = testing.owner_role

    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SESSION_TAMPERING[attempt].format(owner=owner))

    assert sqlstate(error.value) == "42501", error.value
    assert run_verification("test")[0].ok


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_db_roles_is_idempotent_and_grants_exactly_what_the_runtime_role_needs():
    from audit.management.commands.db_roles import grant
    from audit.testing import owner_connection

    owner = owner_connection()
    try:
        with owner.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            owner_name, database = cursor.fetchone()
            first = grant(cursor, database, owner_name, RUNTIME_ROLE)
            second = grant(cursor, database, owner_name, RUNTIME_ROLE)
    finally:
        owner.close()

    assert first == second
    assert first["evidence"] == len(EVIDENCE_TABLES)
    with connection.cursor() as cursor:
        for table in EVIDENCE_TABLES:
            cursor.execute(
                "SELECT privilege_type FROM information_schema.role_table_grants "
                "WHERE grantee = %s AND table_name = %s ORDER BY 1",
                [RUNTIME_ROLE, table],
            )
            assert [row[0] for row in cursor.fetchall()] == ["INSERT", "SELECT"], table
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = 'referrals_client' ORDER BY 1",
            [RUNTIME_ROLE],
        )
        assert [row[0] for row in cursor.fetchall()] == ["DELETE", "INSERT", "SELECT", "UPDATE"]
        cursor.execute(
            "SELECT COUNT(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)",
            [RUNTIME_ROLE],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", [RUNTIME_ROLE])
        assert cursor.fetchone()[0] is False


def test_db_roles_refuses_sqlite_and_a_single_role(db):
    if connection.vendor == "sqlite":
        with pytest.raises(CommandError, match="PostgreSQL only"):
            call_command("db_roles", owner="a", runtime="b")
    with pytest.raises(CommandError):
        call_command("db_roles", owner="same", runtime="same")


# --- 2. SQLite: what can be closed is closed ------------------------------

SQLITE_TAMPERING = {
    "update": "UPDATE {table} SET chain_hash = 'x'",
    "delete": "DELETE FROM {table}",
    "delete everything (truncate)": "DELETE FROM {table} WHERE 1",
    "replace a row": "INSERT OR REPLACE INTO {table} SELECT * FROM {table} LIMIT 1",
    "upsert over a row": "INSERT INTO {table} SELECT * FROM {table} WHERE 1 ON CONFLICT(id) DO UPDATE SET chain_hash = 'x'",
    "drop trigger": "DROP TRIGGER {table}_no_update",
    "add own trigger": "CREATE TRIGGER {table}_evil AFTER INSERT ON {table} BEGIN SELECT 1; END",
    "add temporary trigger": "CREATE TEMP TRIGGER {table}_evil AFTER INSERT ON {table} BEGIN SELECT 1; END",
    "rename table": "ALTER TABLE {table} RENAME TO {table}_old",
    "add column": "ALTER TABLE {table} ADD COLUMN evil text",
    "drop table": "DROP TABLE {table}",
}
SQLITE_SESSION_TAMPERING = {
    "recursive triggers off (REPLACE without DELETE trigger)": "PRAGMA recursive_triggers = OFF",
    "writable schema": "PRAGMA writable_schema = ON",
    "move a chain head back": "UPDATE audit_logchainhead SET seq = 0",
    "delete a chain head": "DELETE FROM audit_logchainhead",
}


@sqlite_only
@pytest.mark.parametrize("table", LOG_TABLES)
@pytest.mark.parametrize("attempt", sorted(SQLITE_TAMPERING))
def test_sqlite_refuses_rewriting_a_log_table_through_the_application(case_officer, table, attempt):
    write_one_row_in_every_log(case_officer)
    # Creating the fixture user wrote account events too (accounts.users.signals).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        rows_before = cursor.fetchone()[0]

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SQLITE_TAMPERING[attempt].format(table=table))

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] == rows_before >= 1
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s ORDER BY name", [table])
        assert [row[0] for row in cursor.fetchall()] == [f"{table}_chain_head", f"{table}_no_delete", f"{table}_no_update"]
    assert run_verification("test")[0].ok


@sqlite_only
@pytest.mark.parametrize("attempt", sorted(SQLITE_SESSION_TAMPERING))
def test_sqlite_refuses_switching_the_guards_off(case_officer, attempt):
    write_one_row_in_every_log(case_officer)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SQLITE_SESSION_TAMPERING[attempt])

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA recursive_triggers")
        assert cursor.fetchone()[0] == 1
    assert run_verification("test")[0].ok


def test_the_orm_back_doors_are_closed_by_the_database_too(case_officer):
    """Ways around AppendOnlyModel's own guard: the base manager, a raw
    delete, and saving an existing row marked as new."""
    write_one_row_in_every_log(case_officer)
    entry = AccessLogEntry.objects.get()

    with pytest.raises((DatabaseError, AppendOnlyError)), transaction.atomic():
        AccessLogEntry._base_manager.filter(pk=entry.pk).update(note="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry._base_manager.all()._raw_delete(connection.alias)
    entry.note = "rewritten"
    entry._state.adding = True
    with pytest.raises((DatabaseError, AppendOnlyError)), transaction.atomic():
        entry.save(force_update=True)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry._base_manager.bulk_create([AccessLogEntry(user=case_officer, action="view", object_type="x")])

    assert AccessLogEntry.objects.get().note == ""
    assert run_verification("test")[0].ok


# --- 3. The chain ---------------------------------------------------------


def test_rows_are_chained_by_save_create_and_bulk_create_in_order(case_officer, client_record):
    ctx = AuditContext(user=case_officer, path="/x/", ip_address="2001:DB8::1")
    first = log_access(ctx, AccessAction.VIEW, client_record)
    bulk = log_list_access(ctx, [client_record], object_type="referrals.client")
    last = AccessLogEntry(user=case_officer, action=AccessAction.EXPORT, object_type="x")
    last.save()

    rows = list(AccessLogEntry.objects.order_by("chain_seq"))
    assert [row.chain_seq for row in rows] == [1, 2, 3]
    assert [row.pk for row in rows] == [first.pk, bulk[0].pk, last.pk]
    previous = ""
    for row in rows:
        assert row.chain_hash == link_hash(previous, row, chain_key())
        previous = row.chain_hash
    head = LogChainHead.objects.get(table="audit_accesslogentry")
    assert (head.seq, head.hash) == (3, previous)
    assert verify_chain(AccessLogEntry).ok


def test_a_chain_append_costs_one_query_whatever_the_batch(case_officer, django_assert_num_queries):
    rows = [AccessLogEntry(user=case_officer, action="view", object_type="x") for _ in range(50)]
    # lock the heads, insert (its trigger moves the head)
    with django_assert_num_queries(2):
        AccessLogEntry.objects.bulk_create(rows)
    with django_assert_num_queries(2):
        log_access(AuditContext(user=case_officer), AccessAction.VIEW, object_type="x")
    head = LogChainHead.objects.get(table="audit_accesslogentry")
    assert (head.seq, head.hash) == (51, AccessLogEntry.objects.get(chain_seq=51).chain_hash)


def test_the_key_comes_from_log_chain_key_or_else_from_secret_key(settings):
    settings.LOG_CHAIN_KEY = ""
    derived = chain_key()
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789abcdef"
    assert chain_key() != derived
    settings.LOG_CHAIN_KEY = "explicit-chain-key"
    assert chain_key() == b"explicit-chain-key"


def tamper(statement, params=()):
    with owner_cursor() as cursor:
        cursor.execute(statement, params)


def problems_of(model=AccessLogEntry):
    return [str(problem) for problem in verify_chain(model).problems]


@pytest.fixture
def chain_of_five(case_officer):
    ctx = AuditContext(user=case_officer, path="/x/")
    return [log_access(ctx, AccessAction.VIEW, object_type="referrals.client", note=f"rad {n}") for n in range(5)]


# Tampering is simulated with the owner's rights and the triggers off, as a
# database administrator could; on PostgreSQL that is another connection,
# which sees only committed rows, hence transactional tests.
tampering_test = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@tampering_test
def test_an_altered_row_is_found(chain_of_five):
    tamper("UPDATE audit_accesslogentry SET note = 'ändrad' WHERE id = %s", [chain_of_five[2].pk])

    assert problems_of() == [
        f"audit_accesslogentry: row id {chain_of_five[2].pk}, position 3: does not match its hash: "
        "the row was altered, or moved from another position"
    ]


@tampering_test
def test_an_altered_timestamp_or_user_is_found(chain_of_five, manager):
    tamper("UPDATE audit_accesslogentry SET at = at - interval '1 day' WHERE id = %s" if connection.vendor == "postgresql"
           else "UPDATE audit_accesslogentry SET at = '2020-01-01 00:00:00' WHERE id = %s", [chain_of_five[0].pk])
    tamper("UPDATE audit_accesslogentry SET user_id = %s WHERE id = %s", [manager.pk, chain_of_five[4].pk])

    assert [problem.row_id for problem in verify_chain(AccessLogEntry).problems] == [chain_of_five[0].pk, chain_of_five[4].pk]


@tampering_test
def test_a_deleted_row_is_found(chain_of_five):
    tamper("DELETE FROM audit_accesslogentry WHERE id = %s", [chain_of_five[1].pk])

    assert problems_of() == ["audit_accesslogentry: position 2: rows at positions 2–2 are missing (deleted)"]


@tampering_test
def test_rows_deleted_at_the_end_are_found(chain_of_five):
    tamper("DELETE FROM audit_accesslogentry WHERE id >= %s", [chain_of_five[3].pk])

    assert problems_of() == [
        "audit_accesslogentry: position 4: rows at positions 4–5 are missing: the chain should end at 5 "
        "(rows deleted at the end)"
    ]


@tampering_test
def test_a_chain_shortened_with_its_head_is_found_by_the_previous_verification(chain_of_five):
    assert run_verification("test")[0].ok
    fourth = AccessLogEntry.objects.get(pk=chain_of_five[3].pk)
    tamper("DELETE FROM audit_accesslogentry WHERE id = %s", [chain_of_five[4].pk])
    tamper("UPDATE audit_logchainhead SET seq = 4, hash = %s WHERE \"table\" = 'audit_accesslogentry'", [fourth.chain_hash])
    assert problems_of() == []  # the chain alone looks whole …

    verification, _ = run_verification("test")  # … but not against the last run's end

    assert not verification.ok
    assert "the previous verification found the chain ending at position 5; it is now shorter" in verification.problems


@tampering_test
def test_reordered_rows_are_found(chain_of_five):
    second, fourth = chain_of_five[1], chain_of_five[3]
    tamper("UPDATE audit_accesslogentry SET chain_seq = 1000 WHERE id = %s", [second.pk])
    tamper("UPDATE audit_accesslogentry SET chain_seq = 2 WHERE id = %s", [fourth.pk])
    tamper("UPDATE audit_accesslogentry SET chain_seq = 4 WHERE id = %s", [second.pk])

    problems = verify_chain(AccessLogEntry).problems
    assert {problem.seq for problem in problems} == {2, 3, 4, 5}
    assert any("out of order" in problem.message for problem in problems)


@tampering_test
def test_a_row_swapped_by_id_is_found(chain_of_five):
    """Changing two rows' ids moves them in the log review's order."""
    a, b = chain_of_five[1].pk, chain_of_five[2].pk
    tamper("UPDATE audit_accesslogentry SET id = 999999 WHERE id = %s", [a])
    tamper("UPDATE audit_accesslogentry SET id = %s WHERE id = %s", [a, b])
    tamper("UPDATE audit_accesslogentry SET id = %s WHERE id = 999999", [b])

    assert any("out of order" in problem for problem in problems_of())


@tampering_test
def test_a_row_slipped_in_outside_the_application_is_found(chain_of_five, case_officer):
    tamper(
        "INSERT INTO audit_accesslogentry (at, user_id, action, client_label, client_number, object_type, object_id, "
        "path, note, chain_seq, chain_hash) SELECT at, user_id, action, client_label, client_number, object_type, "
        "object_id, path, 'inskjuten', 6, chain_hash FROM audit_accesslogentry WHERE id = %s",
        [chain_of_five[4].pk],
    )
    tamper("UPDATE audit_logchainhead SET seq = 6 WHERE \"table\" = 'audit_accesslogentry'")

    problems = verify_chain(AccessLogEntry).problems
    assert [(problem.row_id, problem.seq) for problem in problems] == [(chain_of_five[4].pk + 1, 6)]


@tampering_test
def test_verify_log_exits_non_zero_and_names_table_and_row(chain_of_five, case_officer):
    write_one_row_in_every_log(case_officer)
    out = io.StringIO()
    call_command("verify_log", stdout=out, stderr=io.StringIO())
    assert "All log chains intact" in out.getvalue()

    # The password change written above (creating the fixture user wrote
    # account events before it: accounts.users.signals).
    event = AccountEvent.objects.get(kind=AccountEventKind.PASSWORD_CHANGED)
    position = event.chain_seq
    tamper(f"UPDATE audit_accountevent SET \"after\" = 'Chef' WHERE id = {event.pk}")
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("verify_log", stdout=io.StringIO(), stderr=err)

    assert error.value.returncode == 1
    assert f"audit_accountevent: row id {event.pk}, position {position}: does not match its hash" in err.getvalue()
    assert list(LogVerification.objects.order_by("chain_seq").values_list("ok", "trigger")) == [
        (True, "test"), (True, "command"), (False, "command"),
    ]


def test_the_nightly_task_is_scheduled_at_half_past_two():
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE["verify-log-chains"]
    assert schedule["task"] == "audit.tasks.verify_log_chains"
    assert (schedule["schedule"].hour, schedule["schedule"].minute) == ({2}, {30})


def test_the_nightly_task_records_an_intact_run_and_alerts_nobody(users):
    from audit.tasks import verify_log_chains

    write_one_row_in_every_log(users["case_officer"])
    verify_log_chains()

    assert LogVerification.objects.filter(trigger="nightly", ok=True).count() == 1
    assert not Notification.objects.exists()


@tampering_test
def test_the_nightly_task_alerts_every_manager_and_system_administrator_when_broken(users, django_capture_on_commit_callbacks):
    from accounts.roles import Role
    from accounts.tests.factories import UnitFactory, UserFactory
    from audit.tasks import verify_log_chains

    other_manager = UserFactory(username="chef_annan", unit=UnitFactory(municipality="Täby"), roles=[Role.MANAGER])
    write_one_row_in_every_log(users["case_officer"])
    tamper("DELETE FROM audit_fieldchange")

    with django_capture_on_commit_callbacks(execute=True):
        verification_id = verify_log_chains()

    verification = LogVerification.objects.get(pk=verification_id)
    assert not verification.ok and verification.trigger == "nightly"
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {users["manager"].username, users["system_admin"].username, other_manager.username}
    text = Notification.objects.first().text
    assert f"#{verification_id}" in text and "nattens kontroll" in text
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        user.email for user in (users["manager"], users["system_admin"], other_manager) if user.email
    )


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_never_fork_the_chain(case_officer):
    """Eight threads, each appending single rows and batches while the
    others do: the head lock serialises them into one chain."""
    errors = []

    def writer(n):
        try:
            ctx = AuditContext(user=case_officer, path=f"/t/{n}/")
            for i in range(5):
                with transaction.atomic():
                    log_access(ctx, AccessAction.VIEW, object_type="x", note=f"{n}-{i}")
                    FieldChange.objects.create(user=case_officer, object_type="t", object_id=str(n), field="f", field_label="f")
                AccessLogEntry.objects.bulk_create(
                    [AccessLogEntry(user=case_officer, action="view", object_type="y") for _ in range(3)]
                )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AccessLogEntry.objects.count() == 8 * 5 * 4
    assert verify_chain(AccessLogEntry).ok and verify_chain(FieldChange).ok


def test_guards_are_lifted_only_inside_the_context(db):
    assert db_guards.guards_active()
    with db_guards.lifted():
        assert not db_guards.guards_active()
    assert db_guards.guards_active()
