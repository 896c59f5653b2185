"""The identity IVO's individual report gets (services.ivo_identity): the
number for people with one, a stored ÅÅÅÅMMDD-T123 / -TF10 code for people
without, with the third character even for a woman and odd for a man."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.context import AuditContext
from core import personnummer
from referrals.models import Client, LegalGender
from referrals.services import ivo_identity as identity
from referrals.services.clients import update_client
from referrals.services.ivo_identity import (
    IVO_CODE_PATTERN,
    first_free_code,
    ivo_identity,
    third_character_is_odd,
)
from referrals.tests.factories import ClientFactory

GENDERS = st.sampled_from([LegalGender.FEMALE, LegalGender.MALE])
BIRTH_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))


def without_number(unit, birth_date=date(1985, 3, 14), gender=LegalGender.FEMALE, **fields):
    return ClientFactory(unit=unit, personal_number="", birth_date=birth_date, legal_gender=gender, **fields)


def all_codes(birth_date, gender):
    """Every code of `gender` for `birth_date`, in the order they are given
    (the examples below pin the order down)."""
    return [f"{birth_date:%Y%m%d}-{suffix}" for suffix in identity._suffixes(gender)]


def assert_valid(code, birth_date, gender):
    match = IVO_CODE_PATTERN.match(code)
    assert match, code
    assert match["birth"] == f"{birth_date:%Y%m%d}"
    assert third_character_is_odd(code) == (gender == LegalGender.MALE)


# The series, by example (IVO's FAQ: T123, TF10; third character's parity).

def test_the_first_codes_of_a_day_follow_the_parity():
    day = date(1985, 3, 14)
    assert all_codes(day, LegalGender.FEMALE)[:11] == [
        f"19850314-T00{n}" for n in range(1, 10)] + ["19850314-T020", "19850314-T021"]
    assert all_codes(day, LegalGender.MALE)[:3] == ["19850314-T010", "19850314-T011", "19850314-T012"]


def test_the_tf_series_follows_when_t_is_used_up():
    day = date(1985, 3, 14)
    t_codes = [code for code in all_codes(day, LegalGender.MALE) if "-TF" not in code]
    assert first_free_code(day, LegalGender.MALE, t_codes) == "19850314-TF10"
    with pytest.raises(identity.IvoCodesExhausted):
        first_free_code(day, LegalGender.MALE, all_codes(day, LegalGender.MALE))
    women, men = all_codes(day, LegalGender.FEMALE), all_codes(day, LegalGender.MALE)
    assert [code for code in women if "-TF" in code][:2] == ["19850314-TF01", "19850314-TF02"]
    assert [code for code in men if "-TF" in code][:2] == ["19850314-TF10", "19850314-TF11"]
    # 499 + 49 codes for women (000 and 00 are not used), 500 + 50 for men.
    assert (len(women), len(men)) == (548, 550)
    assert not set(women) & set(men)


@settings(max_examples=200, deadline=None)
@given(BIRTH_DATES, GENDERS, st.data())
def test_property_first_free_code_is_the_smallest_free_valid_code(birth_date, gender, data):
    series = all_codes(birth_date, gender)
    taken = set(data.draw(st.lists(st.sampled_from(series), max_size=40)))

    code = first_free_code(birth_date, gender, taken)

    assert_valid(code, birth_date, gender)
    assert code not in taken
    assert set(series[: series.index(code)]) <= taken


# Stored codes.

@pytest.mark.django_db
def test_property_codes_of_people_born_the_same_day_are_valid_and_unique(unit):
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(BIRTH_DATES, st.lists(GENDERS, min_size=1, max_size=25))
    def check(birth_date, genders):
        with transaction.atomic():
            people = [without_number(unit, birth_date, gender) for gender in genders]
            codes = [Client.objects.values_list("ivo_code", flat=True).get(pk=person.pk) for person in people]
            assert len(set(codes)) == len(codes)
            for person, code in zip(people, codes, strict=True):
                assert_valid(code, birth_date, person.legal_gender)
                assert ivo_identity(person) == code == person.ivo_code
            # The smallest free codes: the series of each gender without gaps.
            for gender in set(genders):
                given_codes = sorted(c for p, c in zip(people, codes, strict=True) if p.legal_gender == gender)
                assert given_codes == sorted(all_codes(birth_date, gender)[: len(given_codes)])
            transaction.set_rollback(True)

    check()


@pytest.mark.django_db
def test_property_the_code_is_stable_across_edits_and_quarters(unit, case_officer):
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(GENDERS, st.lists(st.tuples(st.text("abcåäö ", min_size=1, max_size=20), st.booleans()), max_size=4),
           st.lists(GENDERS, max_size=5))
    def check(gender, edits, later_people):
        with transaction.atomic():
            person = without_number(unit, date(1990, 1, 1), gender)
            first = person.ivo_code
            ctx = AuditContext(user=case_officer, path="/test")
            for text, re_save_only in edits:
                stored = Client.objects.get(pk=person.pk)
                if re_save_only:
                    stored.save()
                else:
                    stored.last_name, stored.street_address = text.strip() or "X", text
                    update_client(ctx, stored, expected_version=stored.version)
            # The next quarter: more people born the same day, one of the
            # earlier ones gone. The first keeps their code.
            for other_gender in later_people:
                without_number(unit, date(1990, 1, 1), other_gender)
            gone = Client.objects.exclude(pk=person.pk).filter(birth_date=date(1990, 1, 1)).values_list("pk", flat=True)[:1]
            Client.objects.filter(pk__in=list(gone)).delete()
            again = Client.objects.get(pk=person.pk)
            assert again.ivo_code == first
            assert ivo_identity(again) == first
            transaction.set_rollback(True)

    check()


@pytest.mark.django_db
def test_people_with_a_number_are_reported_by_it_and_get_no_code(unit):
    person = ClientFactory(unit=unit, personal_number=personnummer.make_number(date(1985, 3, 14), 238))
    coordinated = ClientFactory(unit=unit, personal_number=personnummer.make_number(date(1985, 3, 14), 417,
                                                                                     coordination=True))

    assert ivo_identity(person) == f"19850314-{person.personal_number[8:]}"
    assert ivo_identity(coordinated).startswith("19850374-")  # day + 60, as the number is
    assert person.ivo_code == coordinated.ivo_code == ""


@pytest.mark.django_db
def test_a_person_who_gets_a_number_is_reported_by_it_and_keeps_the_code(unit):
    person = without_number(unit, date(1985, 3, 14), LegalGender.MALE)
    code = person.ivo_code
    number = personnummer.make_number(date(1985, 3, 14), 239)

    person.personal_number = number
    person.save()
    person.refresh_from_db()
    assert ivo_identity(person) == personnummer.format_digits(number)
    assert person.ivo_code == code

    # Removed again (it was a mistake): the same code, not a new one.
    person.personal_number = ""
    person.save()
    person.refresh_from_db()
    assert ivo_identity(person) == code


@pytest.mark.django_db
def test_a_code_taken_meanwhile_is_retried_with_the_next_free_one(unit, monkeypatch):
    first = without_number(unit, date(1985, 3, 14), LegalGender.FEMALE)
    real = identity.next_ivo_code
    picks = []

    def stale(birth_date, legal_gender):
        # The first pick is what a concurrent save saw before `first` was
        # stored: the code `first` now holds.
        picks.append(first.ivo_code if not picks else real(birth_date, legal_gender))
        return picks[-1]

    monkeypatch.setattr(identity, "next_ivo_code", stale)
    with transaction.atomic():
        second = without_number(unit, date(1985, 3, 14), LegalGender.FEMALE)
        # The surrounding transaction goes on after the refused insert.
        assert Client.objects.count() == 2

    assert picks == ["19850314-T001", "19850314-T002"]
    assert Client.objects.get(pk=second.pk).ivo_code == "19850314-T002"


@pytest.mark.django_db
def test_the_database_refuses_a_second_holder_of_a_code(unit):
    first = without_number(unit)
    other = without_number(unit)

    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.filter(pk=other.pk).update(ivo_code=first.ivo_code)
