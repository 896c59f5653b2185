"""Bankgirot's BgMax layout (Bankgiro Inbetalningar, BgMax, version 01):
fixed-width records of 80 characters in ISO 8859-1, one per line. The
writer (writer.py) and the reader (parser.py) both take their positions
from here, so the layout is written down once. Positions are 1-based and
inclusive, as in Bankgirot's manual; `field(line, start, end)` slices.

    01 start      3–22 "BGMAX" + spaces, 23–24 version, 25–44 written at
                  (YYYYMMDDHHMMSS + 6 digits µs), 45 "T" test / "P" production
    05 opening    3–12 recipient bankgiro, 13–22 plusgiro, 23–25 currency
    20 payment    3–12 sender bankgiro, 13–37 reference, 38–55 amount (öre),
                  56 reference code, 57 channel, 58–69 BGC serial, 70 image
    21 deduction  as 20, and 71 deduction code
    22/23 extra reference (23: negative), as 20
    25 information 3–52 text
    26 name       3–37 name, 38–72 extra name
    27 address    3–37 address, 38–46 postcode
    28 address    3–37 town, 38–72 country, 73–74 country code
    29 org. no.   3–14 organisation or personal identity number
    15 deposit    3–37 recipient's bank account, 38–45 payment date, 46–50
                  deposit serial, 51–68 deposit amount (öre), 69–71 currency,
                  72–79 number of payments, 80 deposit type
    70 end        3–10 payments (20), 11–18 deductions (21), 19–26 extra
                  references (22 and 23), 27–34 deposits (15)
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime

LINE_LENGTH = 80
ENCODING = "latin-1"
LAYOUT_NAME = "BGMAX"
VERSION = "01"


class ReferenceCode:
    """Position 56 of a payment record: what the reference holds."""

    BLANK = "0"
    NONE = "1"
    OCR_CORRECT = "2"  # Bankgirot checked the OCR's check digit (and length)
    SEVERAL = "3"  # the references are in the 22/23 records
    ONE = "4"  # one reference, not checked
    WRONG = "5"  # a reference that failed Bankgirot's check


def field(line: str, start: int, end: int) -> str:
    """Positions `start`..`end` (1-based, inclusive) of a record."""
    return line[start - 1:end]


@dataclass
class BgMaxPayment:
    """One payment record (20) or deduction (21) with what follows it."""

    sender_bankgiro: str
    reference: str
    amount: int  # öre, always positive; a deduction is subtracted
    reference_code: str = ReferenceCode.OCR_CORRECT
    channel: str = "1"
    serial: str = ""
    image: str = "0"
    deduction: bool = False
    deduction_code: str = "0"
    extra_references: list[tuple[str, int, bool]] = dc_field(default_factory=list)  # (reference, öre, negative)
    information: list[str] = dc_field(default_factory=list)
    name: str = ""
    extra_name: str = ""
    address: str = ""
    postcode: str = ""
    town: str = ""
    country: str = ""
    country_code: str = ""
    organisation_number: str = ""
    line: int = 0  # the record's line in the file (parser.py), for messages


@dataclass
class BgMaxDeposit:
    """One opening (05) … deposit (15) section: the payments to one
    bankgiro deposited together on `paid_on`."""

    recipient_bankgiro: str
    paid_on: date
    payments: list[BgMaxPayment]
    serial: str = "00001"
    currency: str = "SEK"
    bank_account: str = ""
    deposit_type: str = " "
    line: int = 0  # the opening record's line in the file (parser.py)

    @property
    def total(self) -> int:
        """The deposit amount: payments less deductions, in öre."""
        return sum(-p.amount if p.deduction else p.amount for p in self.payments)


@dataclass
class BgMaxFileContent:
    written_at: datetime
    deposits: list[BgMaxDeposit]
    test: bool = False
