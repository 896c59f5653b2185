"""How a person is identified in IVO's individual report (docs/ivo.md, "The
person's identity").

IVO asks for the personal identity number or coordination number, written
YYYYMMDD-NNNN, so that it can follow the case and apply for the special fee.
A person without a Swedish number is reported with the birth date and four
more characters: ``ÅÅÅÅMMDD-T`` and three digits, or ``ÅÅÅÅMMDD-TF`` and two
digits. The third character after the hyphen (the 2 in T123, the 1 in TF10)
is even for a woman and odd for a man, "even where that breaks the unit's
own series", and the person keeps the code for the whole reporting period.
So the code is generated once and stored (Client.ivo_code, Client.save()).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from core.personnummer import format_digits

if TYPE_CHECKING:
    from referrals.models import Client

# The codes IVO accepts (docs/ivo.md); the tests check every generated code
# against it.
IVO_CODE_PATTERN = re.compile(r"^(?P<birth>\d{8})-(?:T(?P<t>\d{3})|TF(?P<tf>\d{2}))$")

# How often Client.save() tries the next free code when a concurrent save took
# the one it picked (the unique constraint referrals_client_unique_ivo_code).
IVO_CODE_ATTEMPTS = 10


class IvoCodesExhausted(ValueError):
    """Every code of one parity for a birth date is in use (about 500 T codes
    and 50 TF codes): not expected in a housing chain."""


def _suffixes(legal_gender: str) -> Iterator[str]:
    """The codes after the hyphen for `legal_gender`, in the order they are
    given: T001, T002 … then TF. Only those whose third character has the
    right parity (even: woman, odd: man); 000 and 00 are not used, so a
    series starts at 1 as IVO's examples do."""
    from referrals.models import LegalGender

    wanted = 1 if legal_gender == LegalGender.MALE else 0
    for number in range(1, 1000):
        # T + 3 digits: the third character is the middle digit.
        if (number // 10) % 10 % 2 == wanted:
            yield f"T{number:03d}"
    for number in range(1, 100):
        # TF + 2 digits: the third character is the first digit.
        if (number // 10) % 2 == wanted:
            yield f"TF{number:02d}"


def third_character_is_odd(code: str) -> bool:
    """The parity IVO reads the legal gender from (odd: man)."""
    return int(code.split("-", 1)[1][2]) % 2 == 1


def first_free_code(birth_date: date, legal_gender: str, taken: Iterable[str]) -> str:
    """The smallest code for `birth_date` and `legal_gender` not in `taken`."""
    taken = set(taken)
    prefix = f"{birth_date:%Y%m%d}-"
    for suffix in _suffixes(legal_gender):
        if prefix + suffix not in taken:
            return prefix + suffix
    raise IvoCodesExhausted(prefix)


def next_ivo_code(birth_date: date, legal_gender: str) -> str:
    """The smallest free code in the stored series for `birth_date`. One
    series for all units: a person keeps their code when transferred to
    another unit, so codes must not collide across units."""
    from referrals.models import Client

    # values_list: no Client instance is built, so nothing is logged as read.
    taken = Client.objects.filter(ivo_code__startswith=f"{birth_date:%Y%m%d}-").values_list("ivo_code", flat=True)
    return first_free_code(birth_date, legal_gender, taken)


def ivo_identity(client: Client) -> str:
    """The person's identity as IVO's form asks for it: the personal identity
    or coordination number as YYYYMMDD-NNNN, or for a person without one the
    stored code (ÅÅÅÅMMDD-T123). A person who later gets a Swedish number is
    reported with the number from then on: it is what IVO follows cases and
    the special fee by; the code stays stored (the reports already sent keep
    meaning the same person, and it comes back if the number is removed as a
    mistake)."""
    if client.personal_number:
        return format_digits(client.personal_number)
    return client.ivo_code
