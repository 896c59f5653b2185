"""Registering and editing eviction notices: the tenant found by personal
identity number among the user's clients, the amount typed in kronor and
stored in öre, field history, optimistic locking, contact attempts and the
outcome; a protected client's address never reaches users without the
permission."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.forms.notices import parse_kronor
from referrals.models import (
    ContactAttempt,
    ContactMethod,
    EvictionNotice,
    NoticeOutcome,
    NoticeReason,
    NoticeSource,
    ProtectionLevel,
)
from referrals.tests.factories import ClientFactory
from referrals.tests.factories_notices import EvictionNoticeFactory

# session, user, the user's and the groups' permissions, the count and the
# page of records, the page's orders (one prefetch), the notification count,
# and the session save (savepoint, update, release).
QUERIES = 12  # incl. the read log's one insert (audit.reads) and its chain lock (audit.chain)

CREATE = reverse("referrals:notice_create")


def form_data(**overrides):
    data = {
        "received_on": "2024-05-02",
        "source": NoticeSource.LANDLORD_TERMINATION,
        "landlord": "Fiktiva Bostäder AB",
        "tenant_personal_number": "",
        "tenant_name": "Påhittad Person",
        "address": "Låtsasgatan 4, Vallentuna",
        "reason": NoticeReason.RENT_ARREARS,
        "amount_owed": "12 500",
        "termination_date": "2024-05-01",
        "eviction_date": "",
        "children_count": "2",
        "notes": "",
    }
    data.update(overrides)
    return data


def edit_data(notice, **overrides):
    data = form_data(
        received_on=f"{notice.received_on:%Y-%m-%d}",
        landlord=notice.landlord,
        tenant_personal_number=notice.client.personal_number if notice.client_id else "",
        tenant_name=notice.tenant_name,
        address=notice.address,
        reason=notice.reason,
        amount_owed=str(notice.amount_owed // 100) if notice.amount_owed is not None else "",
        termination_date=f"{notice.termination_date:%Y-%m-%d}" if notice.termination_date else "",
        children_count=str(notice.children_count),
        version=notice.version,
    )
    data.update(overrides)
    return data


@pytest.fixture
def officer_client(client, case_officer):
    client.force_login(case_officer)
    return client


def test_register_with_a_tenant_who_is_not_a_client(officer_client, case_officer):
    response = officer_client.post(CREATE, form_data())

    notice = EvictionNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:notice_detail", args=[notice.pk])
    assert notice.client is None
    assert notice.tenant_name == "Påhittad Person"
    assert notice.unit == case_officer.unit
    assert notice.registered_by == case_officer
    assert notice.amount_owed == 1_250_000
    assert notice.children_count == 2
    # Rent arrears: three weeks after the termination of 2024-05-01.
    assert notice.pay_by_date == date(2024, 5, 22)
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == (
        AccessAction.CREATE, "referrals.evictionnotice", str(notice.pk)
    )
    assert entry.client_id is None and entry.client_label == "Påhittad Person"


def test_register_finds_the_client_by_personal_identity_number(officer_client, client_record):
    number = client_record.personal_number
    response = officer_client.post(
        CREATE, form_data(tenant_personal_number=f"{number[2:8]}-{number[8:]}", tenant_name="")
    )

    assert response.status_code == 302
    notice = EvictionNotice.objects.get()
    assert notice.client == client_record
    assert notice.tenant_name == ""
    entry = AccessLogEntry.objects.get()
    assert entry.client_id == client_record.pk and entry.client_number == number


def test_a_name_typed_beside_a_found_client_is_not_kept_twice(officer_client, client_record):
    officer_client.post(CREATE, form_data(tenant_personal_number=client_record.personal_number, tenant_name="Annat Namn"))

    notice = EvictionNotice.objects.get()
    assert notice.client == client_record and notice.tenant_name == ""


def test_a_client_of_another_unit_is_not_found_and_not_named(officer_client, other_unit):
    stranger = ClientFactory(unit=other_unit, first_name="Hemlig", last_name="Annanstad")

    response = officer_client.post(CREATE, form_data(tenant_personal_number=stranger.personal_number, tenant_name=""))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ingen klient som du har åtkomst till har det personnumret." in html
    assert "id_tenant_personal_number_error" in html
    assert "Hemlig" not in html
    assert EvictionNotice.objects.count() == 0


def test_a_wrong_check_digit_is_refused_beside_the_field(officer_client, client_record):
    number = client_record.personal_number
    wrong = number[:11] + str((int(number[11]) + 1) % 10)

    response = officer_client.post(CREATE, form_data(tenant_personal_number=wrong))

    html = response.content.decode()
    assert "Kontrollsiffran (den sista siffran) stämmer inte" in html
    assert "id_tenant_personal_number_error" in html
    assert EvictionNotice.objects.count() == 0


def test_a_tenant_is_required(officer_client):
    response = officer_client.post(CREATE, form_data(tenant_name=""))

    html = response.content.decode()
    assert "id_tenant_name_error" in html
    assert "Ange hyresgästens personnummer" in html
    assert EvictionNotice.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "ore"),
    [
        ("12 500", 1_250_000),
        ("12500", 1_250_000),
        ("12500,50", 1_250_050),
        ("12 500,5", 1_250_050),
        ("12\u00a0500 kr", 1_250_000),
        ("12.500", 1_250_000),
        ("1.234.567,89", 123_456_789),
        ("99.5", 9_950),
        ("0", 0),
    ],
)
def test_amounts_in_kronor_are_stored_in_ore(typed, ore):
    assert parse_kronor(typed) == ore


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("tolv tusen", "Ange ett belopp i kronor"),
        ("12,505", "högst två decimaler"),
        ("-100", "kan inte vara negativt"),
        ("99999999", "för stort"),
    ],
)
def test_bad_amounts_get_a_swedish_message_beside_the_field(officer_client, typed, message):
    response = officer_client.post(CREATE, form_data(amount_owed=typed))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "id_amount_owed_error" in html
    assert f'value="{typed}"' in html, "the input is kept"
    assert EvictionNotice.objects.count() == 0
    assert AccessLogEntry.objects.count() == 0


def test_the_amount_is_shown_in_kronor(officer_client):
    officer_client.post(CREATE, form_data(amount_owed="12500,50"))
    notice = EvictionNotice.objects.get()

    detail = officer_client.get(reverse("referrals:notice_detail", args=[notice.pk])).content.decode()
    edit = officer_client.get(reverse("referrals:notice_edit", args=[notice.pk])).content.decode()

    assert "12\u00a0500,50\u00a0kr" in detail
    assert 'value="12\u00a0500,50"' in edit


def test_the_received_date_cannot_be_in_the_future(officer_client):
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = officer_client.post(CREATE, form_data(received_on=f"{tomorrow:%Y-%m-%d}"))

    assert "Datumet kan inte ligga i framtiden." in response.content.decode()
    assert EvictionNotice.objects.count() == 0


def test_the_eviction_date_cannot_be_before_the_termination(officer_client):
    response = officer_client.post(CREATE, form_data(eviction_date="2024-04-01"))

    assert "id_eviction_date_error" in response.content.decode()
    assert EvictionNotice.objects.count() == 0


def test_edit_keeps_field_history_recomputes_pay_by_and_logs(officer_client, unit, case_officer):
    notice = EvictionNoticeFactory(unit=unit, registered_by=case_officer, amount_owed=1_250_000)
    url = reverse("referrals:notice_edit", args=[notice.pk])
    officer_client.get(url)

    response = officer_client.post(url, edit_data(notice, amount_owed="15 000", termination_date="2024-05-10"))

    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.amount_owed == 1_500_000
    assert notice.pay_by_date == date(2024, 5, 31)
    assert notice.version == 2
    changes = {change.field: change for change in FieldChange.objects.all()}
    assert (changes["amount_owed"].old_value, changes["amount_owed"].new_value) == ("12\u00a0500\u00a0kr", "15\u00a0000\u00a0kr")
    assert (changes["pay_by_date"].old_value, changes["pay_by_date"].new_value) == ("2024-05-22", "2024-05-31")
    assert "landlord" not in changes
    actions = list(AccessLogEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AccessAction.VIEW, AccessAction.UPDATE]
    detail = officer_client.get(reverse("referrals:notice_detail", args=[notice.pk])).content.decode()
    assert "Ändringshistorik" in detail and "15\u00a0000\u00a0kr" in detail


def test_concurrent_edit_is_detected_and_the_users_input_is_kept(officer_client, unit, case_officer):
    notice = EvictionNoticeFactory(unit=unit, registered_by=case_officer)
    url = reverse("referrals:notice_edit", args=[notice.pk])
    opened = edit_data(notice)
    officer_client.post(url, {**opened, "landlord": "Sparat Först AB"})

    response = officer_client.post(url, {**opened, "landlord": "Mitt Bolag AB"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Någon annan sparade" in html
    assert 'value="Mitt Bolag AB"' in html
    assert "Sparat Först AB" in html
    notice.refresh_from_db()
    assert notice.landlord == "Sparat Först AB"
    again = officer_client.post(url, {**opened, "landlord": "Mitt Bolag AB", "version": notice.version})
    assert again.status_code == 302
    notice.refresh_from_db()
    assert notice.landlord == "Mitt Bolag AB"


def test_contact_attempts_are_logged(officer_client, unit, case_officer):
    notice = EvictionNoticeFactory(unit=unit, registered_by=case_officer)

    response = officer_client.post(
        reverse("referrals:notice_contact", args=[notice.pk]),
        {"contact-at": "2024-05-03T09:30", "contact-method": ContactMethod.PHONE, "contact-reached": "on",
         "contact-note": "Lovade att ringa hyresvärden."},
    )

    assert response.status_code == 302
    attempt = ContactAttempt.objects.get()
    assert (attempt.notice, attempt.by, attempt.method, attempt.reached) == (notice, case_officer, ContactMethod.PHONE, True)
    assert timezone.localtime(attempt.at).strftime("%Y-%m-%d %H:%M") == "2024-05-03 09:30"
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_type) == (AccessAction.CREATE, "referrals.contactattempt")
    detail = officer_client.get(reverse("referrals:notice_detail", args=[notice.pk])).content.decode()
    assert "Lovade att ringa hyresvärden." in detail and "2024-05-03 09:30" in detail


def test_a_contact_attempt_needs_a_time(officer_client, unit, case_officer):
    notice = EvictionNoticeFactory(unit=unit, registered_by=case_officer)

    response = officer_client.post(
        reverse("referrals:notice_contact", args=[notice.pk]), {"contact-method": ContactMethod.LETTER}
    )

    assert response.status_code == 200
    assert "id_contact-at_error" in response.content.decode()
    assert ContactAttempt.objects.count() == 0


def test_the_outcome_is_set_with_its_date_and_closes_the_notice(officer_client, unit, case_officer):
    notice = EvictionNoticeFactory(unit=unit, registered_by=case_officer)

    response = officer_client.post(
        reverse("referrals:notice_outcome", args=[notice.pk]),
        {"outcome-outcome": NoticeOutcome.PREVENTED_REPAYMENT_PLAN, "outcome-outcome_on": "2024-05-20",
         "outcome-version": notice.version},
    )

    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.outcome == NoticeOutcome.PREVENTED_REPAYMENT_PLAN
    assert notice.outcome_on == date(2024, 5, 20)
    assert not EvictionNotice.objects.open().exists()
    assert FieldChange.objects.get(field="outcome").new_value == "Förhindrad: avbetalningsplan"


def test_an_outcome_from_an_old_page_is_refused(officer_client, unit, case_officer):
    notice = EvictionNoticeFactory(unit=unit, registered_by=case_officer)
    url = reverse("referrals:notice_outcome", args=[notice.pk])
    officer_client.post(url, {"outcome-outcome": NoticeOutcome.EVICTED, "outcome-outcome_on": "2024-06-20",
                              "outcome-version": notice.version})

    response = officer_client.post(url, {"outcome-outcome": NoticeOutcome.PREVENTED_PAID,
                                         "outcome-outcome_on": "2024-05-20", "outcome-version": notice.version})

    assert response.status_code == 200
    assert "Någon annan sparade" in response.content.decode()
    notice.refresh_from_db()
    assert notice.outcome == NoticeOutcome.EVICTED


def test_an_outcome_needs_a_date_not_before_the_notice(officer_client, unit, case_officer):
    notice = EvictionNoticeFactory(unit=unit, registered_by=case_officer, received_on=date(2024, 5, 2))

    response = officer_client.post(
        reverse("referrals:notice_outcome", args=[notice.pk]),
        {"outcome-outcome": NoticeOutcome.EVICTED, "outcome-outcome_on": "2024-04-30", "outcome-version": notice.version},
    )

    assert "id_outcome-outcome_on_error" in response.content.decode()
    notice.refresh_from_db()
    assert notice.outcome == ""


# --- Protected personal data ---------------------------------------------


@pytest.fixture
def protected_notice(unit, case_officer):
    protected = ClientFactory(unit=unit, protection_level=ProtectionLevel.PROTECTED_REGISTRATION,
                              first_name="Skyddad", last_name="Person")
    return EvictionNoticeFactory(unit=unit, registered_by=case_officer, client=protected, tenant_name="",
                                 address="Hemliga gränd 7")


def test_a_protected_clients_address_is_hidden_in_list_detail_and_edit(officer_client, protected_notice):
    pages = [
        reverse("referrals:notice_list"),
        reverse("referrals:notice_detail", args=[protected_notice.pk]),
        reverse("referrals:notice_edit", args=[protected_notice.pk]),
        reverse("referrals:client_notices", args=[protected_notice.client.pk]),
    ]
    for url in pages:
        html = officer_client.get(url).content.decode()
        assert "Hemliga gränd" not in html, url
        assert "Skyddad Person" in html, url


def test_the_address_is_shown_with_the_permission(officer_client, case_officer, protected_notice):
    case_officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))

    for url in (reverse("referrals:notice_list"), reverse("referrals:notice_detail", args=[protected_notice.pk])):
        assert "Hemliga gränd 7" in officer_client.get(url).content.decode()


def test_editing_a_protected_notice_keeps_the_hidden_address_and_hides_its_history(
    officer_client, case_officer, protected_notice
):
    url = reverse("referrals:notice_edit", args=[protected_notice.pk])
    data = edit_data(protected_notice, landlord="Nytt Bolag AB", address="Försök att skriva över")

    assert officer_client.post(url, data).status_code == 302

    protected_notice.refresh_from_db()
    assert protected_notice.address == "Hemliga gränd 7", "the field is not in the form"
    assert protected_notice.landlord == "Nytt Bolag AB"
    assert not FieldChange.objects.filter(field="address").exists()


def test_address_history_of_a_protected_notice_is_marked_protected(officer_client, case_officer, protected_notice):
    case_officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    url = reverse("referrals:notice_edit", args=[protected_notice.pk])

    officer_client.post(url, edit_data(protected_notice, address="Ny hemlig väg 1"))

    change = FieldChange.objects.get(field="address")
    assert change.is_protected
    officer_client.logout()
    case_officer.user_permissions.clear()
    other = type(case_officer).objects.get(pk=case_officer.pk)
    officer_client.force_login(other)
    html = officer_client.get(reverse("referrals:notice_detail", args=[protected_notice.pk])).content.decode()
    assert "Ny hemlig väg" not in html and "Hemliga gränd" not in html


# --- Query counts ----------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_does_not_grow_with_rows(client, case_officer, unit, rows, django_assert_num_queries):
    clients = [ClientFactory(unit=unit) for _ in range(3)]
    for n in range(rows):
        notice = EvictionNoticeFactory(
            unit=unit, registered_by=case_officer, client=clients[n % 3] if n % 2 else None,
            tenant_name="" if n % 2 else f"Påhittad {n}", children_count=n % 3,
            eviction_date=date(2024, 6, 1) + timedelta(days=n),
        )
        notice.orders.model.objects.create(
            unit=unit, kind="eviction_prevention", eviction_notice=notice, client=notice.client,
            subject_name=notice.tenant_name, ordered_by=case_officer, assignment="Fiktivt.",
        )
    client.force_login(case_officer)

    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("referrals:notice_list"))

    assert response.status_code == 200

