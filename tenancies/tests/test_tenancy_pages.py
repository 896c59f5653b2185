"""The tenancy pages: the client's "Boende" tab, the move-in form, the tenancy
page with move-out, insurance and income, the internal move and the terms.
Refused rules come back as Swedish messages beside the field; nothing is
half-saved; query counts are pinned."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.models import Decision, DecisionKind, ProtectionLevel
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, ApartmentStatus, EndReason, HomeInsurance, IncomeKind, IncomeSource, Tenancy

from .factories import ApartmentFactory, TenancyFactory, add_income, add_insurance, granted_decision

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def officer(client, case_officer):
    client.force_login(case_officer)
    return client


@pytest.fixture
def decision(client_record, case_officer):
    return granted_decision(client_record, decided_on=TODAY - timedelta(days=20), decided_by=case_officer)


@pytest.fixture
def vacant(unit):
    return ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, street_address="Ledigvägen 1", rent=600_000)


@pytest.fixture
def tenancy(unit, client_record, case_officer):
    return TenancyFactory(
        apartment=ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED, street_address="Bovägen 3"),
        client=client_record, start_date=date(2023, 1, 1), created_by=case_officer,
    )


# --- The client's tab ---------------------------------------------------------------------


def test_the_tab_lists_the_current_tenancy_first(officer, unit, client_record):
    TenancyFactory(apartment=ApartmentFactory(unit=unit, street_address="Förstagatan 1"), client=client_record,
                   start_date=date(2019, 1, 1), end_date=date(2020, 6, 30), end_reason=EndReason.MOVED_WITHIN_PROGRAMME)
    TenancyFactory(apartment=ApartmentFactory(unit=unit, street_address="Andragatan 2"), client=client_record,
                   start_date=date(2020, 7, 1), end_date=date(2022, 12, 31), end_reason=EndReason.TERMINATED_ARREARS)
    TenancyFactory(apartment=ApartmentFactory(unit=unit, street_address="Tredjegatan 3"), client=client_record,
                   start_date=date(2023, 1, 1))

    html = html_of(officer.get(reverse("tenancies:client_tenancies", args=[client_record.pk])))

    assert html.index("Tredjegatan 3") < html.index("Andragatan 2") < html.index("Förstagatan 1")
    assert "Uppsagd för hyresskuld" in html
    assert "Pågående" in html


def test_the_move_in_button_needs_a_waiting_decision_and_no_current_tenancy(officer, client, users, client_record, decision):
    url = reverse("tenancies:client_tenancies", args=[client_record.pk])
    move_in = reverse("tenancies:tenancy_move_in", args=[client_record.pk])

    assert move_in in html_of(officer.get(url))

    client.force_login(users["manager"])
    assert move_in not in html_of(client.get(url)), "managers view only"


def test_without_a_waiting_decision_the_tab_says_why_there_is_no_move_in(officer, client_record):
    html = html_of(officer.get(reverse("tenancies:client_tenancies", args=[client_record.pk])))

    assert reverse("tenancies:tenancy_move_in", args=[client_record.pk]) not in html
    assert "En inflyttning kräver ett beviljat beslut om lägenhet" in html


@pytest.mark.parametrize("count", [2, 12])
def test_the_tab_query_count_does_not_grow(officer, unit, client_record, count, django_assert_num_queries):
    for year in range(count):
        TenancyFactory(apartment=ApartmentFactory(unit=unit), client=client_record, start_date=date(2000 + year, 1, 1),
                       end_date=date(2000 + year, 12, 31), end_reason=EndReason.OWN_HOUSING)
    # base 8 + the client (annotated) + its access-log row + count and page = 12
    with django_assert_num_queries(12):
        html_of(officer.get(reverse("tenancies:client_tenancies", args=[client_record.pk])))


# --- The move-in form ---------------------------------------------------------------------


def test_the_form_offers_only_vacant_apartments_matching_a_waiting_decision(officer, unit, other_unit, client_record,
                                                                              decision, vacant, case_officer):
    offered = {
        vacant,
        # an emergency apartment, for the client's waiting emergency decision
        ApartmentFactory(unit=unit, kind=ApartmentKind.EMERGENCY, street_address="Jourvägen 1"),
    }
    granted_decision(client_record, kind=DecisionKind.EMERGENCY_HOUSING, decided_on=TODAY, decided_by=case_officer)
    not_offered = [
        ApartmentFactory(unit=unit, kind=ApartmentKind.TRIAL),  # no trial decision
        ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED),
        ApartmentFactory(unit=unit, status=ApartmentStatus.REPAIR),
        ApartmentFactory(unit=unit, status=ApartmentStatus.LEFT_PROGRAMME),
        ApartmentFactory(unit=other_unit),
    ]
    # A Housing First decision already executed does not count.
    used = granted_decision(client_record, kind=DecisionKind.HOUSING_FIRST, decided_on=TODAY, decided_by=case_officer)
    Decision.objects.filter(pk=used.pk).update(executed_on=TODAY)
    not_offered.append(ApartmentFactory(unit=unit, kind=ApartmentKind.HOUSING_FIRST))

    response = officer.get(reverse("tenancies:tenancy_move_in", args=[client_record.pk]))

    form = response.context["form"]
    assert set(form.fields["apartment"].queryset) == offered
    assert not set(not_offered) & set(form.fields["apartment"].queryset)
    assert {d.kind for d in form.fields["decision"].queryset} == {DecisionKind.TRAINING_APARTMENT,
                                                                  DecisionKind.EMERGENCY_HOUSING}
    assert "Ledigvägen 1" in html_of(response)
    assert "hyra 6\xa0000\xa0kr" in html_of(response)


def test_the_move_in_form_page_stays_within_the_budget(officer, unit, client_record, decision,
                                                      django_assert_num_queries):
    ApartmentFactory.create_batch(5, unit=unit)
    # base 8 + the client + its access-log row + apartments + decisions = 12,
    # + the waiting decisions' defaults (the only one, the first start; issue 12)
    with django_assert_num_queries(13):
        html_of(officer.get(reverse("tenancies:tenancy_move_in", args=[client_record.pk])))


def move_in_data(vacant, decision, **extra):
    data = {
        "apartment": vacant.pk, "decision": decision.pk, "start_date": TODAY.isoformat(), "rent_kr": "",
        "contract_months": "1", "notice_weeks": "2", "renews_automatically": "on",
    }
    data.update(extra)
    return data


def test_moving_in_through_the_form(officer, client_record, decision, vacant):
    response = officer.post(
        reverse("tenancies:tenancy_move_in", args=[client_record.pk]),
        move_in_data(vacant, decision, rent_kr="6 123,50", contract_months="3"),
    )

    tenancy = Tenancy.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tenancies:tenancy_detail", args=[tenancy.pk])
    assert (tenancy.client, tenancy.apartment, tenancy.start_date) == (client_record, vacant, TODAY)
    assert tenancy.rent == 612_350, "kronor typed with a decimal comma, stored in öre"
    assert tenancy.contract_months == 3
    decision.refresh_from_db()
    assert decision.executed_on == TODAY


def test_an_empty_rent_charges_the_apartments(officer, client_record, decision, vacant):
    officer.post(reverse("tenancies:tenancy_move_in", args=[client_record.pk]), move_in_data(vacant, decision))

    assert Tenancy.objects.get().rent == 600_000


def test_a_refused_move_in_shows_the_message_beside_the_field_and_saves_nothing(officer, client_record, decision, vacant):
    before = decision.valid_from - timedelta(days=1)

    response = officer.post(
        reverse("tenancies:tenancy_move_in", args=[client_record.pk]),
        move_in_data(vacant, decision, start_date=before.isoformat()),
    )

    form = response.context["form"]
    assert form.errors["start_date"][0].startswith("Inflyttningsdatumet måste ligga inom beslutets giltighetstid")
    html = html_of(response)
    assert 'id="id_start_date"' in html and "is-invalid" in html
    assert Tenancy.objects.count() == 0
    vacant.refresh_from_db()
    decision.refresh_from_db()
    assert (vacant.status, decision.executed_on) == (ApartmentStatus.VACANT, None)
    # The refused form was shown again: a view of the client, no write.
    assert list(AccessLogEntry.objects.values_list("action", "object_type")) == [(AccessAction.VIEW, "referrals.client")]


def test_a_client_with_a_current_tenancy_gets_the_message_on_top(officer, client_record, decision, vacant, tenancy):
    response = officer.post(reverse("tenancies:tenancy_move_in", args=[client_record.pk]), move_in_data(vacant, decision))

    assert response.context["form"].non_field_errors()[0].startswith("Klienten har redan ett pågående hyresförhållande")
    assert Tenancy.objects.count() == 1


def test_contract_months_below_one_is_refused_beside_the_field(officer, client_record, decision, vacant):
    response = officer.post(
        reverse("tenancies:tenancy_move_in", args=[client_record.pk]), move_in_data(vacant, decision, contract_months="0")
    )

    assert "contract_months" in response.context["form"].errors
    assert Tenancy.objects.count() == 0


# --- The tenancy page ---------------------------------------------------------------------------


def test_the_page_shows_self_support_and_insurance_today(officer, tenancy):
    add_income(tenancy, IncomeKind.SALARY, valid_from=TODAY - timedelta(days=30))
    add_insurance(tenancy, valid_until=TODAY)

    html = html_of(officer.get(reverse("tenancies:tenancy_detail", args=[tenancy.pk])))

    assert "Självförsörjande: ja" in html
    assert "Hemförsäkring: giltig" in html


def test_the_page_says_when_neither_holds(officer, tenancy):
    add_income(tenancy, IncomeKind.FINANCIAL_ASSISTANCE, valid_from=TODAY - timedelta(days=30))
    add_income(tenancy, IncomeKind.SALARY, valid_from=date(2023, 1, 1), valid_to=TODAY - timedelta(days=1))
    add_insurance(tenancy, valid_until=TODAY - timedelta(days=1))

    html = html_of(officer.get(reverse("tenancies:tenancy_detail", args=[tenancy.pk])))

    assert "Självförsörjande: nej" in html
    assert "Hemförsäkring: saknas" in html


def test_an_ended_tenancy_shows_no_today_box_and_no_move_out(officer, tenancy):
    Tenancy.objects.filter(pk=tenancy.pk).update(end_date=date(2024, 1, 31), end_reason=EndReason.EVICTED)

    html = html_of(officer.get(reverse("tenancies:tenancy_detail", args=[tenancy.pk])))

    assert "Självförsörjande" not in html.split("Inkomstkällor")[0]
    assert reverse("tenancies:tenancy_move_out", args=[tenancy.pk]) not in html
    assert "Avhyst" in html


def test_viewers_get_no_forms(client, users, tenancy):
    client.force_login(users["manager"])

    html = html_of(client.get(reverse("tenancies:tenancy_detail", args=[tenancy.pk])))

    assert "<form method=\"post\" action=\"/boende/" not in html
    assert reverse("tenancies:tenancy_internal_move", args=[tenancy.pk]) not in html


def test_a_housing_admin_sees_the_tenancy_without_the_client_file(client, users, tenancy):
    client.force_login(users["housing_admin"])

    html = html_of(client.get(reverse("tenancies:tenancy_detail", args=[tenancy.pk])))

    assert tenancy.client.full_name in html
    assert reverse("referrals:client_detail", args=[tenancy.client_id]) not in html, "no link to a file they cannot open"
    assert tenancy.client.personal_number_display not in html


def test_a_protected_tenants_address_is_not_in_the_page(officer, client, users, tenancy, case_officer):
    tenancy.client.protection_level = ProtectionLevel.PROTECTED_REGISTRATION
    tenancy.client.save()
    url = reverse("tenancies:tenancy_detail", args=[tenancy.pk])

    html = html_of(officer.get(url))
    assert "Bovägen 3" not in html, "the apartment's address is the tenant's address"
    # Which apartment is address data too (referrals.protection): no object number either.
    assert tenancy.apartment.object_number not in html
    assert "Lägenheten visas inte: skyddade personuppgifter" in html
    assert "Bovägen 3" not in html_of(officer.get(reverse("tenancies:client_tenancies", args=[tenancy.client_id])))

    case_officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    client.force_login(type(case_officer).objects.get(pk=case_officer.pk))
    assert "Bovägen 3" in html_of(client.get(url))


@pytest.mark.parametrize("rows", [1, 10])
def test_the_page_query_count_does_not_grow(officer, tenancy, rows, django_assert_num_queries):
    for n in range(rows):
        add_income(tenancy, IncomeKind.SALARY, valid_from=date(2023, 1, 1) + timedelta(days=n))
        add_insurance(tenancy, valid_until=date(2024, 1, 1) + timedelta(days=n))
    # base 8 + the tenancy (annotated: self-supporting today) + insurances
    # + its access-log row + the income sources of the stay = 12
    with django_assert_num_queries(12):
        html_of(officer.get(reverse("tenancies:tenancy_detail", args=[tenancy.pk])))


# --- Move-out from the tenancy page ---------------------------------------------------------------


def move_out(client, tenancy, **data):
    values = {"move_out-end_date": "2024-06-30", "move_out-end_reason": EndReason.OWN_HOUSING,
              "move_out-note": "", "move_out-version": str(tenancy.version)}
    values.update({f"move_out-{key}": value for key, value in data.items()})
    return client.post(reverse("tenancies:tenancy_move_out", args=[tenancy.pk]), values)


def test_moving_out_through_the_form(officer, tenancy):
    response = move_out(officer, tenancy, note="Fick egen lägenhet.")

    assert response.status_code == 302
    tenancy.refresh_from_db()
    assert (tenancy.end_date, tenancy.end_reason, tenancy.end_note) == (date(2024, 6, 30), EndReason.OWN_HOUSING,
                                                                        "Fick egen lägenhet.")
    tenancy.apartment.refresh_from_db()
    assert tenancy.apartment.status == ApartmentStatus.VACANT


def test_the_end_reason_list_is_the_catalogue_and_required(officer, tenancy):
    response = move_out(officer, tenancy, end_reason="")

    form = response.context["move_out_form"]
    assert [value for value, _label in form.fields["end_reason"].choices][1:] == list(EndReason.values)
    assert form.errors["end_reason"] == ["Detta fält måste fyllas i."]
    assert Tenancy.objects.get(pk=tenancy.pk).end_date is None


def test_a_move_out_before_the_move_in_is_refused_beside_the_date(officer, tenancy):
    response = move_out(officer, tenancy, end_date="2022-12-31")

    assert response.context["move_out_form"].errors["end_date"] == [
        "Utflyttningsdatumet kan inte vara före inflyttningsdatumet (2023-01-01)."
    ]
    assert Tenancy.objects.get(pk=tenancy.pk).end_date is None


def test_a_stale_move_out_form_is_refused_and_the_input_kept(officer, tenancy):
    Tenancy.objects.filter(pk=tenancy.pk).update(version=2, rent=1)

    response = move_out(officer, tenancy, version="1", note="Min anteckning")

    form = response.context["move_out_form"]
    assert "Någon annan ändrade hyresförhållandet" in form.non_field_errors()[0]
    assert form["note"].value() == "Min anteckning"
    assert form["version"].value() == "2", "saving again is possible after checking"
    assert Tenancy.objects.get(pk=tenancy.pk).end_date is None


# --- Internal move ------------------------------------------------------------------------------------------


def test_the_internal_move_page_moves_the_tenant(officer, unit, tenancy, client_record, case_officer):
    decision = granted_decision(client_record, decided_on=date(2022, 12, 1), decided_by=case_officer)
    Tenancy.objects.filter(pk=tenancy.pk).update(decision=decision)
    target = ApartmentFactory(unit=unit, street_address="Nyvägen 9")
    url = reverse("tenancies:tenancy_internal_move", args=[tenancy.pk])
    assert target in officer.get(url).context["form"].fields["apartment"].queryset, "the decision carries over"

    response = officer.post(url, {
        "version": "1", "apartment": target.pk, "decision": "", "start_date": "2024-09-01", "rent_kr": "",
        "contract_months": "1", "notice_weeks": "2", "renews_automatically": "on",
    })

    new = Tenancy.objects.get(apartment=target)
    assert response["Location"] == reverse("tenancies:tenancy_detail", args=[new.pk])
    tenancy.refresh_from_db()
    assert (tenancy.end_date, tenancy.end_reason) == (date(2024, 8, 31), EndReason.MOVED_WITHIN_PROGRAMME)
    assert (new.is_internal_move, new.continuous_since) == (True, date(2023, 1, 1))


def test_a_refused_internal_move_keeps_the_old_tenancy(officer, unit, tenancy, client_record, case_officer):
    decision = granted_decision(client_record, decided_on=date(2022, 12, 1), decided_by=case_officer)
    Tenancy.objects.filter(pk=tenancy.pk).update(decision=decision)
    target = ApartmentFactory(unit=unit)

    response = officer.post(reverse("tenancies:tenancy_internal_move", args=[tenancy.pk]), {
        "version": "1", "apartment": target.pk, "decision": "", "start_date": "2023-01-01",
        "contract_months": "1", "notice_weeks": "2",
    })

    assert response.context["form"].errors["start_date"] == [
        "Det nya hyresförhållandet måste börja efter att det nuvarande började (2023-01-01)."
    ]
    assert Tenancy.objects.get(pk=tenancy.pk).end_date is None
    assert Tenancy.objects.count() == 1


def test_a_stale_internal_move_form_is_refused_and_the_input_kept(officer, unit, tenancy, client_record, case_officer):
    decision = granted_decision(client_record, decided_on=date(2022, 12, 1), decided_by=case_officer)
    Tenancy.objects.filter(pk=tenancy.pk).update(decision=decision, version=2)
    target = ApartmentFactory(unit=unit)

    response = officer.post(reverse("tenancies:tenancy_internal_move", args=[tenancy.pk]), {
        "version": "1", "apartment": target.pk, "decision": "", "start_date": "2024-09-01", "rent_kr": "5 000",
        "contract_months": "1", "notice_weeks": "2",
    })

    form = response.context["form"]
    assert "Någon annan ändrade hyresförhållandet" in form.non_field_errors()[0]
    assert (form["version"].value(), form["rent_kr"].value()) == ("2", "5 000")
    assert Tenancy.objects.count() == 1
    assert Tenancy.objects.get(pk=tenancy.pk).end_date is None


def test_an_ended_tenancy_cannot_be_moved(officer, tenancy):
    Tenancy.objects.filter(pk=tenancy.pk).update(end_date=date(2024, 1, 31), end_reason=EndReason.DIED)

    response = officer.get(reverse("tenancies:tenancy_internal_move", args=[tenancy.pk]), follow=True)

    assert response.redirect_chain == [(reverse("tenancies:tenancy_detail", args=[tenancy.pk]), 302)]
    assert "Bara ett pågående hyresförhållande kan flyttas." in html_of(response)


def test_without_a_decision_to_carry_over_only_apartments_with_a_waiting_decision_are_offered(officer, unit, tenancy):
    # Imported history: the tenancy executed no decision, and the client has
    # no waiting one, so no apartment can be chosen.
    ApartmentFactory(unit=unit)

    response = officer.get(reverse("tenancies:tenancy_internal_move", args=[tenancy.pk]))

    assert list(response.context["form"].fields["apartment"].queryset) == []


# --- Terms, insurance, income --------------------------------------------------------------------------


def test_changing_the_rent_and_terms(officer, tenancy):
    url = reverse("tenancies:tenancy_terms", args=[tenancy.pk])
    assert officer.get(url).context["form"]["rent_kr"].value() == 6000

    officer.post(url, {"version": "1", "rent_kr": "6 250", "contract_months": "2", "notice_weeks": "4"})

    tenancy.refresh_from_db()
    assert (tenancy.rent, tenancy.contract_months, tenancy.notice_weeks, tenancy.renews_automatically) == (
        625_000, 2, 4, False
    )
    changes = set(FieldChange.objects.filter(object_type="tenancies.tenancy").values_list("field", "old_value", "new_value"))
    assert ("rent", "600000", "625000") in changes
    assert ("renews_automatically", "Ja", "Nej") in changes


def test_a_stale_terms_form_is_refused(officer, tenancy):
    Tenancy.objects.filter(pk=tenancy.pk).update(version=3)

    response = officer.post(reverse("tenancies:tenancy_terms", args=[tenancy.pk]),
                            {"version": "1", "rent_kr": "1", "contract_months": "1", "notice_weeks": "2"})

    assert "Någon annan ändrade hyresförhållandet" in response.context["form"].non_field_errors()[0]
    assert Tenancy.objects.get(pk=tenancy.pk).rent == 600_000


def test_registering_home_insurance(officer, tenancy):
    response = officer.post(reverse("tenancies:tenancy_insurance_add", args=[tenancy.pk]), {
        "insurance-company": "Folksam", "insurance-policy_number": "123", "insurance-valid_from": "2024-01-01",
        "insurance-valid_until": "2024-12-31",
    })

    assert response.status_code == 302
    insurance = HomeInsurance.objects.get()
    assert (insurance.tenancy, insurance.company, insurance.valid_until) == (tenancy, "Folksam", date(2024, 12, 31))
    assert AccessLogEntry.objects.filter(action=AccessAction.CREATE, object_type="tenancies.homeinsurance").exists()


def test_insurance_ending_before_it_starts_is_refused_beside_the_field(officer, tenancy):
    response = officer.post(reverse("tenancies:tenancy_insurance_add", args=[tenancy.pk]), {
        "insurance-company": "Folksam", "insurance-valid_from": "2024-01-01", "insurance-valid_until": "2023-12-31",
    })

    assert response.context["insurance_form"].errors["valid_until"] == ["Periodens slut kan inte vara före dess början."]
    assert HomeInsurance.objects.count() == 0


def test_editing_home_insurance(officer, tenancy):
    insurance = add_insurance(tenancy, valid_until=date(2024, 12, 31))

    officer.post(reverse("tenancies:tenancy_insurance_edit", args=[tenancy.pk, insurance.pk]), {
        "company": "Länsförsäkringar", "policy_number": "HF-1", "valid_until": "2025-12-31",
    })

    insurance.refresh_from_db()
    assert (insurance.company, insurance.valid_until) == ("Länsförsäkringar", date(2025, 12, 31))
    assert FieldChange.objects.filter(object_type="tenancies.homeinsurance", field="valid_until",
                                      old_value="2024-12-31", new_value="2025-12-31").exists()


def test_registering_editing_and_ending_an_income_source(officer, tenancy):
    officer.post(reverse("tenancies:tenancy_income_add", args=[tenancy.pk]),
                 {"income-kind": IncomeKind.PENSION, "income-valid_from": "2023-02-01"})
    income = IncomeSource.objects.get()
    assert (income.tenancy, income.kind, income.valid_to) == (tenancy, IncomeKind.PENSION, None)

    officer.post(reverse("tenancies:tenancy_income_edit", args=[tenancy.pk, income.pk]),
                 {"kind": IncomeKind.SALARY, "valid_from": "2023-03-01"})
    income.refresh_from_db()
    assert (income.kind, income.valid_from) == (IncomeKind.SALARY, date(2023, 3, 1))

    response = officer.post(reverse("tenancies:tenancy_income_end", args=[tenancy.pk, income.pk]),
                            {"end-valid_to": "2024-04-30"})
    assert response.status_code == 302
    income.refresh_from_db()
    assert income.valid_to == date(2024, 4, 30)
    logged = AccessLogEntry.objects.filter(object_type="tenancies.incomesource").values_list("action", flat=True)
    assert sorted(logged) == sorted([AccessAction.CREATE, AccessAction.UPDATE, AccessAction.UPDATE])


def test_ending_an_income_before_it_started_is_refused_beside_the_field(officer, tenancy):
    income = add_income(tenancy, valid_from=date(2023, 3, 1))

    response = officer.post(reverse("tenancies:tenancy_income_end", args=[tenancy.pk, income.pk]),
                            {"end-valid_to": "2023-02-28"})

    assert response.context["end_form"].errors["valid_to"] == ["Periodens slut kan inte vara före dess början."]
    income.refresh_from_db()
    assert income.valid_to is None


def test_income_of_another_clients_tenancy_cannot_be_reached_through_this_one(officer, unit, tenancy):
    stranger = TenancyFactory(apartment=ApartmentFactory(unit=unit), client=ClientFactory(unit=unit))
    theirs = add_income(stranger)

    response = officer.get(reverse("tenancies:tenancy_income_edit", args=[tenancy.pk, theirs.pk]))

    assert response.status_code == 404
