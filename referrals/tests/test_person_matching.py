"""One person, one record: finding the possible matches and writing,
refusing and undoing links (referrals.services.person_matching)."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from audit.models import AccessAction, AccessLogEntry, FieldChange
from referrals.models import Client, ProtectionLevel
from referrals.models.links import PersonLink, PersonLinkKind
from referrals.services import person_matching as matching
from referrals.tests.factories import ClientFactory, fictional_number
from referrals.tests.factories_orders import outreach_order

BORN = date(1979, 5, 4)


@pytest.fixture
def anna(unit, case_officer):
    return ClientFactory(unit=unit, first_name="Anna-Lena", last_name="Öberg", personal_number="",
                         birth_date=BORN, legal_gender="female", street_address="Storgatan 7",
                         responsible_officer=case_officer)


def _found(matches):
    return {(m.client.pk if m.client else f"o{m.order.pk}"): m.reasons for m in matches.found}


# --- Normalising -----------------------------------------------------------------


def test_names_compare_without_case_accents_or_punctuation():
    assert matching.normalise_name("Anna-Lena", "Öberg") == matching.normalise_name("anna lena", "OBERG")
    assert matching.normalise_street("Storgatan 7, 186 30 Vallentuna") == matching.normalise_street("storgatan 7")


# --- Detection ---------------------------------------------------------------


def test_same_number_in_the_unit_is_a_match(unit, case_officer, client_record):
    matches = matching.possible_matches_for_client(
        unit, "Någon", "Annan", None, client_record.personal_number, user=case_officer)

    assert _found(matches) == {client_record.pk: [matching.MatchReason.SAME_NUMBER]}
    assert not matches.registered_elsewhere


def test_same_number_at_another_unit_says_only_that(unit, other_unit, case_officer):
    elsewhere = ClientFactory(unit=other_unit)

    matches = matching.possible_matches_for_client(
        unit, elsewhere.first_name, elsewhere.last_name, elsewhere.birth_date, elsewhere.personal_number,
        user=case_officer)

    # Nobody of the other unit is named or fetched.
    assert matches.found == [] and matches.registered_elsewhere


def test_same_name_and_birth_date_match_whatever_the_spelling(unit, case_officer, anna):
    ClientFactory(unit=unit, first_name="Anna-Lena", last_name="Öberg", personal_number=fictional_number(
        7, birth_date=date(1980, 1, 1)))  # another birth date: not proposed

    matches = matching.possible_matches_for_client(unit, "anna lena", "OBERG", BORN, "", user=case_officer)

    assert _found(matches) == {anna.pk: [matching.MatchReason.SAME_NAME_AND_BIRTH_DATE]}


def test_other_units_people_of_the_same_name_are_not_proposed(other_unit, unit, case_officer):
    ClientFactory(unit=other_unit, first_name="Bo", last_name="Ek", personal_number="", birth_date=BORN,
                  legal_gender="male")

    assert not matching.possible_matches_for_client(unit, "Bo", "Ek", BORN, "", user=case_officer)


def test_subject_matches_clients_by_name_and_address_and_other_subjects(unit, case_officer, anna):
    kalle = outreach_order(unit, case_officer, subject_name="Kalle, man i 50-årsåldern",
                           subject_address="Storgatan 7, 186 30 Vallentuna")

    by_name = matching.possible_matches_for_subject(unit, "Anna Lena Oberg, kallas Lena", "", user=case_officer)
    by_address = matching.possible_matches_for_subject(unit, "Kvinna", "STORGATAN 7", user=case_officer)
    by_subject = matching.possible_matches_for_subject(unit, "kalle man i 50 årsåldern", "", user=case_officer)

    assert _found(by_name) == {anna.pk: [matching.MatchReason.SAME_NAME]}
    assert _found(by_address) == {anna.pk: [matching.MatchReason.SAME_ADDRESS],
                                  f"o{kalle.pk}": [matching.MatchReason.SAME_ADDRESS]}
    assert _found(by_subject) == {f"o{kalle.pk}": [matching.MatchReason.SAME_NAME]}


def test_a_protected_clients_address_is_not_used_for_a_user_without_the_permission(unit, case_officer, anna):
    Client.objects.filter(pk=anna.pk).update(protection_level=ProtectionLevel.PROTECTED_REGISTRATION)

    hidden = matching.possible_matches_for_subject(unit, "Okänd kvinna", "Storgatan 7", user=case_officer)
    # The name still matches (the file shows it anyway), never "same address".
    by_name = matching.possible_matches_for_subject(unit, "Anna-Lena Öberg", "Storgatan 7", user=case_officer)
    case_officer.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    allowed = matching.possible_matches_for_subject(
        unit, "Okänd kvinna", "Storgatan 7", user=type(case_officer).objects.get(pk=case_officer.pk))

    assert not hidden
    assert _found(by_name) == {anna.pk: [matching.MatchReason.SAME_NAME]}
    assert _found(allowed) == {anna.pk: [matching.MatchReason.SAME_ADDRESS]}


# --- Linking and confirming ------------------------------------------------------


def test_linking_two_files_writes_a_link_and_a_log_row_for_each(ctx, unit, anna, client_record):
    link = matching.link_same_person(ctx, anna, other_client=client_record, reason="Samma person enligt Skatteverket")

    assert (link.kind, link.linked_by, link.is_active) == (PersonLinkKind.SAME_PERSON, ctx.user, True)
    rows = AccessLogEntry.objects.filter(object_type="referrals.personlink", action=AccessAction.CREATE)
    assert sorted(rows.values_list("client_id", flat=True)) == sorted([anna.pk, client_record.pk])
    assert set(rows.values_list("note", flat=True)) == {matching.NOTE_SAME}
    with pytest.raises(matching.LinkRefused):
        matching.link_same_person(ctx, client_record, other_client=anna)


def test_someone_else_is_not_proposed_again_until_undone(ctx, unit, case_officer, anna):
    twin = ClientFactory(unit=unit, first_name="Anna-Lena", last_name="Öberg", personal_number="",
                         birth_date=BORN, legal_gender="female")

    def proposed():
        return _found(matching.possible_matches_for_client(
            unit, twin.first_name, twin.last_name, BORN, "", user=case_officer, exclude_client=twin))

    assert proposed() == {anna.pk: [matching.MatchReason.SAME_NAME_AND_BIRTH_DATE]}
    link = matching.confirm_different(ctx, twin, other_client=anna, reason="Olika mödrar")
    assert proposed() == {}
    with pytest.raises(matching.LinkRefused):
        matching.link_same_person(ctx, anna, other_client=twin)

    matching.unlink(ctx, link, "Fel bedömning")
    assert proposed() == {anna.pk: [matching.MatchReason.SAME_NAME_AND_BIRTH_DATE]}


def test_a_subject_confirmed_different_is_not_proposed_on_the_clients_page(ctx, unit, case_officer, anna):
    order = outreach_order(unit, case_officer, subject_name="Anna-Lena Öberg", subject_address="")

    def orders_proposed():
        return [m.order.pk for m in matching.possible_matches_for_subject(
            unit, anna.full_name, "", user=case_officer, include_clients=False, for_client=anna).found]

    assert orders_proposed() == [order.pk]
    matching.confirm_different(ctx, anna, order=order)
    assert orders_proposed() == []


def test_links_are_refused_across_units_and_without_the_permission(ctx, unit, other_unit, anna, pilot, users):
    stranger = ClientFactory(unit=other_unit)

    with pytest.raises(matching.LinkRefused):
        matching.link_same_person(ctx, anna, other_client=stranger)
    with pytest.raises(PermissionDenied):
        matching.link_same_person(ctx(pilot), anna, other_client=ClientFactory(unit=unit))
    with pytest.raises(PermissionDenied):
        matching.link_same_person(ctx(users["outside_officer"]), anna, other_client=ClientFactory(unit=unit))
    assert not PersonLink.objects.exists()


def test_linking_an_outreach_subject_sets_the_orders_client_and_unlinking_clears_it(ctx, unit, case_officer, anna):
    order = outreach_order(unit, case_officer)

    link = matching.link_same_person(ctx, anna, order=order, reason="Identifierad vid besök")
    order.refresh_from_db()
    assert order.client_id == anna.pk
    assert FieldChange.objects.filter(object_type="referrals.order", field="client", object_id=str(order.pk)).count() == 1

    matching.unlink(ctx, link, "Fel person")
    order.refresh_from_db()
    link.refresh_from_db()
    assert order.client_id is None and order.subject_name  # what was written stays
    assert (link.unlinked_by, link.unlink_reason) == (ctx.user, "Fel person") and link.unlinked_at
    assert AccessLogEntry.objects.filter(object_type="referrals.personlink", note=matching.NOTE_UNLINKED).exists()
    assert FieldChange.objects.filter(object_type="referrals.order", field="client", object_id=str(order.pk)).count() == 2


def test_unlinking_needs_a_reason_and_happens_once(ctx, unit, anna, client_record):
    link = matching.link_same_person(ctx, anna, other_client=client_record)

    with pytest.raises(matching.LinkRefused):
        matching.unlink(ctx, link, "  ")
    matching.unlink(ctx, link, "Fel")
    with pytest.raises(matching.LinkRefused):
        matching.unlink(ctx, link, "Igen")


def test_an_order_link_replaces_the_orders_someone_else_record(ctx, unit, case_officer, anna, client_record):
    order = outreach_order(unit, case_officer)
    not_anna = matching.confirm_different(ctx, anna, order=order)

    # One link in force per order: a second "someone else" is refused ...
    with pytest.raises(matching.LinkRefused):
        matching.confirm_different(ctx, client_record, order=order)
    # ... and the link to the person it turned out to be closes the first.
    matching.link_same_person(ctx, client_record, order=order)

    not_anna.refresh_from_db()
    assert not not_anna.is_active
    assert PersonLink.objects.get(order=order, unlinked_at__isnull=True).client == client_record
