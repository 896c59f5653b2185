"""OCR references: the length digit and the Luhn digit (rent.ocr)."""

from hypothesis import given
from hypothesis import strategies as st

from rent.ocr import is_valid_reference, make_reference

bases = st.text(alphabet="0123456789", min_size=1, max_size=23)


def test_the_example_in_bankgirots_rule():
    # 12345: 7 digits in all → length digit 7; Luhn over 123457 → 4.
    assert make_reference("12345") == "1234574"
    assert is_valid_reference("1234574")


@given(bases)
def test_every_generated_reference_validates(base):
    reference = make_reference(base)
    assert reference.startswith(base) and len(reference) == len(base) + 2
    assert is_valid_reference(reference)


@given(bases, st.data())
def test_changing_any_single_digit_breaks_it(base, data):
    reference = make_reference(base)
    position = data.draw(st.integers(min_value=0, max_value=len(reference) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != reference[position]]))
    changed = reference[:position] + digit + reference[position + 1:]
    assert not is_valid_reference(changed)


def test_wrong_length_digit_letters_and_blanks_are_refused():
    assert not is_valid_reference("")
    assert not is_valid_reference("12a4574")
    assert not is_valid_reference("1" * 26)
    # A right Luhn digit with a wrong length digit: 123450 + Luhn.
    from stdnum import luhn
    assert not is_valid_reference("123450" + luhn.calc_check_digit("123450"))
