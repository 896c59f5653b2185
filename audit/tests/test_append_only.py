import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from audit.context import AuditContext
from audit.models import AccessAction, AccessLogEntry, AppendOnlyError, FieldChange
from audit.services import log_access


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
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL; the SQLite pass checks the model guard above")
@pytest.mark.parametrize("table", ["audit_accesslogentry", "audit_fieldchange"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET object_type = 'x'", "DELETE FROM {table}"])
def test_postgresql_trigger_rejects_raw_update_and_delete(entry, case_officer, table, statement):
    FieldChange.objects.create(user=case_officer, object_type="t", object_id="1", field="f", field_label="f")

    with pytest.raises((InternalError, ProgrammingError, IntegrityError)) as error:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement.format(table=table))

    assert "append-only" in str(error.value)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] == 1
