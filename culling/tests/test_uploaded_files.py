"""Uploaded files of a culled person are removed from storage, after the
person's transaction commits; files of other clients stay
(docs/culling.md "Uploaded files").

The one model holding a client's uploaded document is rent's
LetterDelivery (`proof`, the scanned receipt of a termination letter).
"""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models

from core.signals import client_culled
from culling.models import CandidateOutcome
from culling.registry import sources
from culling.services.execution import execute_run
from culling.services.runs import approve_run, make_run
from rent.models import ArrearsTermination, LetterDelivery
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .files import date_back, full_file, person

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("manager")]

OLD = date(2019, 6, 3)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def receipt(name: str) -> str:
    return default_storage.save(f"rent/deliveries/2018/{name}", ContentFile(b"%PDF-1.4 fiktivt kvitto"))


def attach_proof(client) -> str:
    """The scanned receipt on the person's letter delivery (full_file's is
    signed in the app instead)."""
    name = receipt(f"leverans-{client.pk}.pdf")
    assert LetterDelivery.objects.filter(termination__tenancy__client=client).update(proof=name) == 1
    return name


def delivery_of_another_client(unit, officer, pilot) -> str:
    """A client with a running tenancy (kept) and a delivery with its receipt."""
    other = person(unit, officer, date(1975, 7, 8))
    tenancy = TenancyFactory(apartment=ApartmentFactory(unit=unit), client=other, created_by=officer,
                             start_date=date(2017, 1, 1))
    termination = ArrearsTermination.objects.create(tenancy=tenancy, decided_on=date(2024, 3, 1),
                                                    amount_owed=100000, status="lapsed", created_by=officer)
    name = receipt("leverans-annan.pdf")
    LetterDelivery.objects.create(termination=termination, letter="termination", method="registered_mail",
                                  delivered_on=date(2024, 3, 4), proof=name, recorded_by=pilot)
    return name


@pytest.fixture
def old_file(unit, case_officer, pilot, second_pilot, other_unit):
    client = full_file(unit, case_officer, pilot, second_pilot, other_unit)
    date_back(client.pk, OLD)
    return client


def test_the_only_file_field_on_a_persons_records_is_the_delivery_receipt():
    """If another declared record gains a FileField, this test names it:
    add its file to the tests below and to docs/culling.md."""
    found = {(s.kind, f.name) for s in sources() for f in s.model._meta.concrete_fields
             if isinstance(f, models.FileField)}
    assert found == {("rent.letterdelivery", "proof")}


def test_a_culled_persons_receipt_is_deleted_and_others_stay(
        ctx, unit, case_officer, pilot, old_file, django_capture_on_commit_callbacks):
    culled = attach_proof(old_file)
    kept = delivery_of_another_client(unit, case_officer, pilot)
    assert default_storage.exists(culled) and default_storage.exists(kept)
    run = approve_run(ctx, make_run(ctx, unit))
    assert run.candidates.get().client_id == old_file.pk

    with django_capture_on_commit_callbacks(execute=True):
        run = execute_run(ctx, run.pk)

    assert run.candidates.get().outcome == CandidateOutcome.CULLED
    assert not default_storage.exists(culled)
    assert default_storage.exists(kept)
    assert LetterDelivery.objects.filter(proof=kept).exists()


def test_the_receipt_is_deleted_only_after_the_commit(ctx, unit, old_file, django_capture_on_commit_callbacks):
    """Deleted in the person's transaction, the file would be lost if the
    transaction then rolled back: the deletion waits for the commit."""
    culled = attach_proof(old_file)
    run = approve_run(ctx, make_run(ctx, unit))
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        execute_run(ctx, run.pk)
        assert default_storage.exists(culled)
    assert waiting, "the deletion was not deferred to the commit"
    for callback in waiting:
        callback()
    assert not default_storage.exists(culled)


def test_a_rolled_back_person_keeps_the_receipt(ctx, unit, old_file, django_capture_on_commit_callbacks):
    culled = attach_proof(old_file)
    run = approve_run(ctx, make_run(ctx, unit))

    def refuse(sender, client_id, reference, **kwargs):
        raise RuntimeError("receiver refused")

    client_culled.connect(refuse, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = execute_run(ctx, run.pk)
    finally:
        client_culled.disconnect(refuse)
    assert run.candidates.get().outcome == CandidateOutcome.FAILED
    assert default_storage.exists(culled)
    assert LetterDelivery.objects.filter(proof=culled).exists()


def test_the_receipts_of_linked_records_go_with_the_person(
        ctx, unit, case_officer, pilot, second_pilot, other_unit, django_capture_on_commit_callbacks):
    """Two files of one person (linked as the same person), each with a
    receipt: culled together, both receipts are removed."""
    from referrals.models import PersonLink, PersonLinkKind

    first = full_file(unit, case_officer, pilot, second_pilot, other_unit)
    second = full_file(unit, case_officer, pilot, second_pilot, other_unit, birth=date(1970, 3, 16))
    PersonLink.objects.create(client=first, other_client=second, kind=PersonLinkKind.SAME_PERSON,
                              linked_by=case_officer)
    # full_file makes each a recent "someone else"; those files are not due.
    for client in (first, second):
        date_back(client.pk, OLD)
    names = [attach_proof(first), attach_proof(second)]
    run = approve_run(ctx, make_run(ctx, unit))
    with django_capture_on_commit_callbacks(execute=True):
        run = execute_run(ctx, run.pk)
    assert {row.outcome for row in run.candidates.all()} == {CandidateOutcome.CULLED}
    assert not any(default_storage.exists(name) for name in names)


def test_a_storage_failure_keeps_the_culling_and_the_other_files(
        ctx, unit, case_officer, pilot, second_pilot, other_unit, old_file, monkeypatch, caplog,
        django_capture_on_commit_callbacks):
    """The person is culled (committed) when their files are removed: a
    storage that fails on one file is logged, and the other files still go."""
    second = full_file(unit, case_officer, pilot, second_pilot, other_unit, birth=date(1972, 8, 9))
    date_back(second.pk, OLD)
    failing, other = attach_proof(old_file), attach_proof(second)
    # The storage behind default_storage (set up by the saves above).
    storage_class = type(default_storage._wrapped)
    delete = storage_class.delete

    def flaky(self, name):
        if name == failing:
            raise OSError("storage unreachable")
        return delete(self, name)

    monkeypatch.setattr(storage_class, "delete", flaky)
    run = approve_run(ctx, make_run(ctx, unit))
    with django_capture_on_commit_callbacks(execute=True):
        run = execute_run(ctx, run.pk)
    assert {row.outcome for row in run.candidates.all()} == {CandidateOutcome.CULLED}
    assert default_storage.exists(failing) and not default_storage.exists(other)
    assert "could not delete the stored file" in caplog.text
