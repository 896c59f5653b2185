"""The housing search's writes: the search record, the monthly check, queue
registrations and applications, each with its access-log row and field
history, and refused when someone saved in between."""

from datetime import date

import pytest
from django.db.models import F

from audit.models import AccessAction, AccessLogEntry, FieldChange
from audit.versioning import ConcurrentEditError
from bolots.models import ApplicationResult, HousingApplication, HousingSearchProfile, QueueRegistration
from bolots.services import search as services

from .factories import HousingApplicationFactory, HousingSearchProfileFactory, QueueRegistrationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.acting_as("pilot")]



def log_rows(client, object_type):
    return AccessLogEntry.objects.filter(client_id=client.pk, object_type=object_type).order_by("id")


def history(obj):
    return {
        change.field: (change.old_value, change.new_value)
        for change in FieldChange.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    }


def test_the_first_save_creates_the_search_record_with_its_history(ctx, client_record):
    profile = services.save_profile(ctx, client_record, nationwide=True, notes="  Söker i hela Sverige. ",
                                    expected_version=services.profile_of(client_record).version)

    assert HousingSearchProfile.objects.get(client=client_record) == profile
    assert profile.notes == "Söker i hela Sverige."
    assert history(profile) == {"nationwide": ("Nej", "Ja"), "notes": ("", "Söker i hela Sverige.")}
    row = log_rows(client_record, "bolots.housingsearchprofile").get()
    assert (row.action, row.user, row.client_label) == (AccessAction.CREATE, ctx.user, client_record.full_name)
    assert row.client_number == client_record.personal_number


def test_an_edit_keeps_the_old_value_in_the_history(ctx, client_record):
    profile = HousingSearchProfileFactory(client=client_record, nationwide=False, notes="Tvåor.")
    loaded = profile.version

    services.save_profile(ctx, client_record, nationwide=False, notes="Treor.", expected_version=loaded)

    assert history(profile) == {"notes": ("Tvåor.", "Treor.")}
    assert log_rows(client_record, "bolots.housingsearchprofile").get().action == AccessAction.UPDATE


def test_a_save_over_someone_elses_save_is_refused(ctx, client_record):
    profile = HousingSearchProfileFactory(client=client_record, notes="Tvåor.")
    loaded = profile.version
    # Someone else saves after the form was opened.
    services.save_profile(ctx, client_record, nationwide=True, notes="Tvåor.", expected_version=profile.version)

    with pytest.raises(ConcurrentEditError):
        services.save_profile(ctx, client_record, nationwide=False, notes="Ettor.", expected_version=loaded)

    profile.refresh_from_db()
    assert (profile.nationwide, profile.notes) == (True, "Tvåor.")


def test_the_monthly_check_keeps_the_latest_date(ctx, client_record):
    services.record_check(ctx, client_record, date(2026, 3, 5))
    # A check entered late for an earlier day does not move the date back.
    services.record_check(ctx, client_record, date(2026, 2, 20))

    profile = HousingSearchProfile.objects.get(client=client_record)
    assert profile.checked_on == date(2026, 3, 5)
    assert history(profile) == {"checked_on": ("", "2026-03-05")}
    assert [row.action for row in log_rows(client_record, "bolots.housingsearchprofile")] == [
        AccessAction.CREATE, AccessAction.UPDATE,
    ]

    services.record_check(ctx, client_record, date(2026, 4, 2))
    profile.refresh_from_db()
    assert profile.checked_on == date(2026, 4, 2)


def test_a_queue_registration_is_added_and_logged(ctx, client_record):
    registration = services.add_registration(
        ctx, client_record, QueueRegistration(queue=" Bostadsförmedlingen ", registered_since=date(2025, 1, 10))
    )

    assert registration.client == client_record
    assert registration.queue == "Bostadsförmedlingen"
    row = log_rows(client_record, "bolots.queueregistration").get()
    assert (row.action, row.object_id) == (AccessAction.CREATE, str(registration.pk))


def test_leaving_a_queue_before_registering_is_refused(ctx, client_record):
    with pytest.raises(services.SearchError) as refused:
        services.add_registration(
            ctx, client_record,
            QueueRegistration(queue="HSB", registered_since=date(2025, 1, 10), ended_on=date(2025, 1, 9)),
        )

    assert refused.value.field == "ended_on"
    assert "2025-01-10" in refused.value.messages[0]
    assert not QueueRegistration.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_an_edited_registration_keeps_its_history(ctx, client_record):
    registration = QueueRegistrationFactory(client=client_record, queue="HSB", registered_since=date(2024, 1, 15))
    loaded = registration.version
    registration.ended_on = date(2026, 2, 28)

    services.update_registration(ctx, registration, expected_version=loaded)

    assert history(registration) == {"ended_on": ("", "2026-02-28")}
    row = log_rows(client_record, "bolots.queueregistration").get()
    assert (row.action, row.note) == (AccessAction.UPDATE, "ended_on")


def test_an_edited_registration_over_someone_elses_save_is_refused(ctx, client_record):
    registration = QueueRegistrationFactory(client=client_record, queue="HSB")
    loaded = registration.version
    QueueRegistration.objects.filter(pk=registration.pk).update(queue="HSB Stockholm", version=F("version") + 1)
    registration.ended_on = date(2026, 2, 28)

    with pytest.raises(ConcurrentEditError):
        services.update_registration(ctx, registration, expected_version=loaded)

    registration.refresh_from_db()
    assert (registration.queue, registration.ended_on) == ("HSB Stockholm", None)


def test_applications_are_added_and_their_result_changed_with_history(ctx, client_record):
    application = services.add_application(
        ctx, client_record, HousingApplication(applied_on=date(2026, 2, 1), where=" Stångåstaden, Ryd ")
    )
    assert application.where == "Stångåstaden, Ryd"
    assert application.result == ApplicationResult.PENDING

    loaded = application.version
    application.result = ApplicationResult.NOT_CHOSEN
    services.update_application(ctx, application, expected_version=loaded)

    assert history(application) == {"result": ("Väntar på svar", "Inte vald")}
    assert [row.action for row in log_rows(client_record, "bolots.housingapplication")] == [
        AccessAction.CREATE, AccessAction.UPDATE,
    ]


def test_the_version_changes_with_any_tracked_field(ctx, client_record):
    # Was: the fingerprint changes with any tracked field. The lock is a
    # version now (issue 11): every save of the record moves it on.
    application = HousingApplicationFactory(client=client_record)
    before = application.version

    application.where = application.where + " B"
    services.update_application(ctx, application, expected_version=before)

    assert HousingApplication.objects.get(pk=application.pk).version != before
