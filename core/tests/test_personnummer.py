from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core import personnummer
from core.personnummer import InvalidPersonalNumber, luhn_check_digit, parse

TODAY = date(2026, 11, 22)


def check_digit_of(ten_or_twelve):
    digits = ten_or_twelve[-10:]
    return luhn_check_digit(digits[:9])


@pytest.mark.parametrize(
    "nine, expected",
    [
        # Worked by hand: 8 1 1 2 1 8 9 8 7 weighted 2,1,2,1,…: 16→7,1,2,2,2,8,18→9,8,14→5;
        # sum 44 → check digit 6.
        ("811218987", 6),
        ("640823323", 4),
        ("121212121", 2),
    ],
)
def test_luhn_check_digit(nine, expected):
    assert luhn_check_digit(nine) == expected


@pytest.mark.parametrize(
    "written",
    ["811218-9876", "8112189876", "19811218-9876", "198112189876", " 811218 - 9876 "],
)
def test_written_forms_give_the_same_twelve_digits(written):
    parsed = parse(written, TODAY)
    assert parsed.digits == "198112189876"
    assert parsed.birth_date == date(1981, 12, 18)
    assert parsed.is_male  # 7 is odd


def test_plus_marks_a_person_100_years_or_older():
    assert parse("121212+1212", TODAY).digits == "191212121212"
    assert parse("121212-1212", TODAY).digits == "201212121212"


def test_ten_digits_take_the_most_recent_century_not_in_the_future():
    # On 2026-11-22, "261123-" cannot be 2026-11-23 (tomorrow), so it is
    # 1926-11-23: 99 years old, hence still '-'. "261122-" is born today.
    number = personnummer.make_number(date(1926, 11, 23), 123)
    assert parse(number[2:8] + "-" + number[8:], TODAY).birth_date == date(1926, 11, 23)
    number = personnummer.make_number(date(2026, 11, 22), 123)
    assert parse(number[2:8] + "-" + number[8:], TODAY).birth_date == date(2026, 11, 22)


def test_coordination_number_adds_60_to_the_day():
    number = personnummer.make_number(date(1990, 5, 3), 456, coordination=True)
    assert number[6:8] == "63"
    parsed = parse(number, TODAY)
    assert parsed.is_coordination_number
    assert parsed.birth_date == date(1990, 5, 3)


def test_second_last_digit_gives_legal_gender():
    assert parse(personnummer.make_number(date(1990, 1, 1), 122), TODAY).is_male is False
    assert parse(personnummer.make_number(date(1990, 1, 1), 123), TODAY).is_male is True


@pytest.mark.parametrize(
    "value, message_part",
    [
        ("", "Ange personnumret"),
        ("abc", "Ange personnumret"),
        ("19811218-98761", "Ange personnumret"),
        ("811218-9875", "Kontrollsiffran"),
        ("811318-9876", "finns inte"),  # month 13
        ("810230-1234", "finns inte"),  # 30 February
        ("19811218+9876", "Plustecken"),
        ("20991231-1234", "framtiden"),
    ],
)
def test_invalid_numbers_have_a_swedish_reason(value, message_part):
    with pytest.raises(InvalidPersonalNumber) as error:
        parse(value, TODAY)
    assert message_part in str(error.value)


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
serials = st.integers(min_value=0, max_value=999)


@given(birth_dates, serials, st.booleans())
def test_property_every_generated_number_parses_back(birth, serial, coordination):
    digits = personnummer.make_number(birth, serial, coordination=coordination)
    parsed = parse(digits, TODAY)
    assert parsed.digits == digits
    assert parsed.birth_date == birth
    assert parsed.is_coordination_number is coordination
    assert parsed.is_male is (serial % 10 % 2 == 1)


@given(birth_dates, serials)
def test_property_ten_digit_forms_round_trip_with_the_right_separator(birth, serial):
    digits = personnummer.make_number(birth, serial)
    hundred_years_later = date(birth.year + 100, birth.month, birth.day if not (birth.month == 2 and birth.day == 29) else 28)
    separator = "+" if hundred_years_later <= TODAY else "-"
    assert parse(f"{digits[2:8]}{separator}{digits[8:]}", TODAY).digits == digits
    assert parse(f"{digits[:8]}-{digits[8:]}", TODAY).digits == digits


@given(birth_dates, serials, st.integers(min_value=1, max_value=9))
def test_property_any_other_check_digit_is_rejected(birth, serial, shift):
    digits = personnummer.make_number(birth, serial)
    wrong = digits[:-1] + str((int(digits[-1]) + shift) % 10)
    with pytest.raises(InvalidPersonalNumber):
        parse(wrong, TODAY)


@given(birth_dates, serials, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_property_a_single_changed_digit_in_the_serial_is_caught(birth, serial, position, shift):
    # Luhn catches every single-digit error.
    digits = personnummer.make_number(birth, serial)
    index = 8 + position % 3  # one of the serial digits
    changed = digits[:index] + str((int(digits[index]) + shift) % 10) + digits[index + 1:]
    assume(changed != digits)
    with pytest.raises(InvalidPersonalNumber):
        parse(changed, TODAY)


@given(st.text(max_size=20))
def test_property_arbitrary_text_never_crashes(text):
    try:
        parsed = parse(text, TODAY)
    except InvalidPersonalNumber:
        return
    assert len(parsed.digits) == 12 and parsed.digits.isdigit()
    assert parsed.birth_date <= TODAY
