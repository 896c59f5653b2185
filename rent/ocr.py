"""OCR references (OCR-nummer) on rent notices, as Bankgirot's "check digit
and length" control requires: the base digits, then a length digit (the
length of the whole reference, both control digits included, modulo 10),
then a modulus-10 (Luhn) check digit over everything before it.

    make_reference("12345") == "1234574"

The one place that makes or checks a reference: every form field and file
reader that takes one calls `is_valid_reference` (docs/rent.md).
"""

from __future__ import annotations

from stdnum import luhn

# Bankgirot accepts 2–25 digits in all; a payment record's reference field is
# 25 characters (bgmax.records).
MIN_LENGTH = 2
MAX_LENGTH = 25


def make_reference(base: str | int) -> str:
    """The reference for `base` (digits only), with length and check digits."""
    digits = str(base)
    if not digits.isdigit():
        raise ValueError("An OCR base holds digits only.")
    length = len(digits) + 2
    if length > MAX_LENGTH:
        raise ValueError("An OCR reference holds at most 25 digits.")
    with_length = digits + str(length % 10)
    return with_length + luhn.calc_check_digit(with_length)


def is_valid_reference(reference: str) -> bool:
    """Whether `reference` passes both the length and the Luhn control."""
    reference = (reference or "").strip()
    if not reference.isdigit() or not MIN_LENGTH <= len(reference) <= MAX_LENGTH:
        return False
    if int(reference[-2]) != len(reference) % 10:
        return False
    return luhn.is_valid(reference)


def notice_reference(notice_id: int) -> str:
    """A rent notice's reference: its primary key as the base, so that it is
    unique for ever and says nothing about the tenant."""
    return make_reference(notice_id)
