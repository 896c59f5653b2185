import pytest
from django.db import connection

from audit.context import AuditContext
from audit.models import AccessAction, AccessLogEntry, AccountEvent, AccountEventKind, AppendOnlyError, FieldChange
from audit.services import log_access, log_account_event


@pytest.fixture
def entry(case_officer, client_record):
    return log_access(AuditContext(user=case_officer, path="/x/"), AccessAction.VIEW, client_record)


def test_saving_an_existing_row_is_refused(entry):
    entry.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()


def test_deleting_a_row_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AccessLogEntry.objects.count() == 1


def test_bulk_update_and_delete_are_refused(entry):
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        FieldChange.objects.all().delete()


def test_admin_offers_no_add_change_or_delete(rf, manager):
    from django.contrib.admin.sites import site

    model_admin = site._registry[AccessLogEntry]
    request = rf.get("/")
    request.user = manager
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL; the SQLite pass checks audit.db_guards in test_log_integrity")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("table", ["audit_accesslogentry", "audit_fieldchange", "audit_accountevent", "audit_logverification"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET chain_hash = 'x'", "DELETE FROM {table}"])
def test_postgresql_trigger_rejects_update_and_delete_even_by_the_owner(case_officer, table, statement):
    # The runtime role has no UPDATE or DELETE at all (test_log_integrity);
    # the trigger is the second wall, against the owner's own mistakes.
    from audit.testing import owner_cursor
    from audit.verification import run_verification

    log_access(AuditContext(user=case_officer, path="/x/"), AccessAction.VIEW)
    FieldChange.objects.create(user=case_officer, object_type="t", object_id="1", field="f", field_label="f")
    log_account_event(AuditContext(user=case_officer), case_officer, AccountEventKind.PASSWORD_CHANGED)
    run_verification("test")
    # Creating the fixture users wrote account events too (accounts.users.signals).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        rows_before = cursor.fetchone()[0]

    with pytest.raises(Exception) as error, owner_cursor(triggers_off=False) as cursor:
        cursor.execute(statement.format(table=table))

    assert "append-only" in str(error.value)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] == rows_before >= 1


def test_account_events_record_actor_subject_and_unit_and_refuse_changes(manager, case_officer):
    ctx = AuditContext(user=manager, path="/konto/anvandare/1/", ip_address="10.0.0.7")
    event = log_account_event(
        ctx, case_officer, AccountEventKind.ROLES_CHANGED, before="Bolots", after="Bolots, Handläggare"
    )

    stored = AccountEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.subject, stored.unit_id_snapshot) == (manager, case_officer, case_officer.unit_id)
    assert (stored.before, stored.after, stored.ip_address) == ("Bolots", "Bolots, Handläggare", "10.0.0.7")
    event.after = "Chef"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AccountEvent.objects.all().delete()


def test_an_account_event_without_a_logged_in_user_has_no_actor(case_officer):
    from django.contrib.auth.models import AnonymousUser

    log_account_event(AuditContext(user=AnonymousUser()), case_officer, AccountEventKind.PASSWORD_RESET_REQUESTED)

    assert AccountEvent.objects.get(kind=AccountEventKind.PASSWORD_RESET_REQUESTED).actor is None
