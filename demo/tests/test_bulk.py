from datetime import date

from accounts.models import Unit
from core import personnummer
from demo.bulk import insert_many
from referrals.models import Client, LegalGender


def test_insert_many_gives_keys_and_fills_creation_times(db):
    unit = insert_many(Unit, [Unit(name="Enhet", municipality="Bulkby")])[0]
    birth = date(1990, 4, 2)
    clients = [
        Client(
            unit_id=unit.pk, first_name=f"Bulk{n}", last_name="Testsson",
            personal_number=personnummer.make_number(birth, n), birth_date=birth,
            legal_gender=LegalGender.MALE if n % 2 else LegalGender.FEMALE,
        )
        for n in range(3)
    ]

    insert_many(Client, clients)

    assert all(client.pk for client in clients)
    stored = {client.pk: client for client in Client.objects.filter(unit=unit)}
    assert set(stored) == {client.pk for client in clients}
    assert all(client.created_at is not None for client in stored.values())
    assert stored[clients[1].pk].first_name == "Bulk1"
    # The sequence moved on: an ordinary save gets a fresh key.
    fresh = Client.objects.create(unit=unit, first_name="Ny", last_name="Testsson",
                                  personal_number=personnummer.make_number(birth, 500))
    assert fresh.pk > max(stored)


def test_foreign_keys_checked_once_validates_the_rows_when_the_keys_come_back(db, unit):
    """The keys are dropped and re-added (PostgreSQL) or left alone (SQLite):
    either way a row written inside the block with a dangling key is refused
    by the end of the transaction, and good rows written just before the
    block, whose deferred checks were still queued, do not stop it."""
    import pytest
    from django.db import IntegrityError, connection, transaction

    from demo.bulk import foreign_keys_checked_once

    birth = date(1990, 4, 2)
    with transaction.atomic():
        Client.objects.create(unit=unit, first_name="Före", last_name="Testsson",
                              personal_number=personnummer.make_number(birth, 7))
        with foreign_keys_checked_once(Client):
            Client.objects.create(unit=unit, first_name="Inne", last_name="Testsson",
                                  personal_number=personnummer.make_number(birth, 8))
    assert Client.objects.filter(last_name="Testsson").count() == 2

    with pytest.raises(IntegrityError):
        with transaction.atomic():
            with foreign_keys_checked_once(Client):
                Client.objects.create(unit_id=unit.pk + 999, first_name="Fel", last_name="Testsson",
                                      personal_number=personnummer.make_number(birth, 9))
            if connection.vendor != "postgresql":
                connection.check_constraints()
    assert not Client.objects.filter(first_name="Fel").exists()


def _index_definitions(table):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [table])
        return cursor.fetchall()


def test_indexes_built_once_leaves_the_indexes_as_they_were(db, unit):
    """Rows written inside the block are kept and the table has the same
    indexes afterwards (dropped and created again by the owner; the suite's
    runtime role owns none, so there nothing is dropped)."""
    from django.db import connection, transaction

    from demo.bulk import indexes_built_once

    if connection.vendor != "postgresql":
        with indexes_built_once(Client):
            Client.objects.create(unit=unit, first_name="Inne", last_name="Indexsson",
                                  personal_number=personnummer.make_number(date(1990, 4, 2), 8))
        assert Client.objects.filter(last_name="Indexsson").count() == 1
        return
    before = _index_definitions("referrals_client")
    assert before  # the client table has plain indexes to drop
    with transaction.atomic():
        with indexes_built_once(Client):
            Client.objects.create(unit=unit, first_name="Inne", last_name="Indexsson",
                                  personal_number=personnummer.make_number(date(1990, 4, 2), 8))
        assert _index_definitions("referrals_client") == before
    assert Client.objects.filter(last_name="Indexsson").count() == 1


def test_write_records_gives_keys_defaults_and_creation_times(db, unit, case_officer):
    """Records (and unsaved instances) are written with every field: the
    keys they lack, the field defaults and auto_now_add times filled in,
    on PostgreSQL (COPY) and SQLite (executemany) alike."""
    import pytest

    from demo.bulk import RecordMaker, write_records
    from referrals.models import EvictionNotice, NoticeSource

    make = RecordMaker(EvictionNotice)
    with pytest.raises(KeyError):
        make(no_such_field=1)
    received = date(2026, 3, 2)
    records = [
        make(unit_id=unit.pk, received_on=received, source=NoticeSource.LANDLORD_TERMINATION,
             landlord=f"Värd {n}", tenant_name="Bulk Testsson", address="Gatan 1", reason="rent_arrears",
             registered_by_id=case_officer.pk)
        for n in range(3)
    ]
    instance = EvictionNotice(unit_id=unit.pk, received_on=received, source=NoticeSource.LANDLORD_TERMINATION,
                              landlord="Värd 3", tenant_name="Bulk Testsson", address="Gatan 1",
                              reason="rent_arrears", registered_by_id=case_officer.pk)

    write_records(EvictionNotice, [*records, instance])

    keys = [record.pk for record in records] + [instance.pk]
    assert all(keys) and len(set(keys)) == 4
    stored = {notice.pk: notice for notice in EvictionNotice.objects.filter(tenant_name="Bulk Testsson")}
    assert set(stored) == set(keys)
    assert stored[records[1].pk].landlord == "Värd 1"
    assert all(notice.created_at is not None and notice.version == 1 and notice.children_count == 0
               for notice in stored.values())
