"""Reads a BgMax file (bytes as Bankgirot delivers them) into
records.BgMaxFileContent, checking everything the file says about itself:
the start record's layout name and version, the record order, that every
record is 80 characters, the numbers and dates, each deposit's (15) amount
and payment count against its payments, and the end record's (70) counts.

Any fault raises ParseError with every (line number, Swedish message)
found, so the administrator sees them all at once; nothing is imported
(services.bgmax_import). Lines may end in CR LF or LF. A line shorter than
80 characters is read as if padded with spaces (some file transfers trim
trailing spaces, and the fields at the end of a record are blank then); a
longer line is refused. Blank lines at the end of the file are ignored.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _

from .records import (
    ENCODING,
    LAYOUT_NAME,
    LINE_LENGTH,
    VERSION,
    BgMaxDeposit,
    BgMaxFileContent,
    BgMaxPayment,
    field,
)

PAYMENT_DETAIL_KINDS = {"22", "23", "25", "26", "27", "28", "29"}
KNOWN_KINDS = {"01", "05", "20", "21", "15", "70"} | PAYMENT_DETAIL_KINDS


class ParseError(ValueError):
    """The file is not a valid BgMax file; `errors` is [(line, message)]."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{line}: {message}" for line, message in errors))


class _Reader:
    def __init__(self) -> None:
        self.errors: list[tuple[int, str]] = []

    def error(self, number: int, message: str) -> None:
        self.errors.append((number, message))

    def digits(self, number: int, text: str, what: str) -> int:
        if not text.isdigit():
            self.error(number, _("%(field)s is not a number.") % {"field": what})
            return 0
        return int(text)

    def day(self, number: int, text: str) -> date | None:
        try:
            return datetime.strptime(text, "%Y%m%d").date()
        except ValueError:
            self.error(number, _("%(text)s is not a date (YYYYMMDD).") % {"text": text.strip() or "–"})
            return None


def _lines(data: bytes) -> list[str]:
    text = data.decode(ENCODING)
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _payment(reader: _Reader, number: int, line: str, kind: str) -> BgMaxPayment:
    return BgMaxPayment(
        sender_bankgiro=field(line, 3, 12).lstrip("0"),
        reference=field(line, 13, 37).strip(),
        amount=reader.digits(number, field(line, 38, 55), _("The amount")),
        reference_code=field(line, 56, 56),
        channel=field(line, 57, 57),
        serial=field(line, 58, 69).strip(),
        image=field(line, 70, 70),
        deduction=kind == "21",
        deduction_code=field(line, 71, 71) if kind == "21" else "0",
        line=number,
    )


def parse(data: bytes) -> BgMaxFileContent:  # noqa: C901 (one pass over the records, in order)
    reader = _Reader()
    lines = _lines(data)
    if not lines:
        raise ParseError([(1, _("The file is empty."))])
    written_at = None
    test = False
    deposits: list[BgMaxDeposit] = []
    deposit: BgMaxDeposit | None = None
    payment: BgMaxPayment | None = None
    counts = {"20": 0, "21": 0, "22": 0, "15": 0}
    deposit_payments = deposit_total = 0
    end_seen = False
    for number, raw in enumerate(lines, start=1):
        if len(raw) > LINE_LENGTH:
            reader.error(number, _("The line is %(length)s characters long, not 80.") % {"length": len(raw)})
            continue
        line = raw.ljust(LINE_LENGTH)
        kind = line[:2]
        if end_seen:
            reader.error(number, _("A record after the end record (70)."))
            break
        if number == 1 and kind != "01":
            reader.error(number, _("The file does not begin with a start record (01): it is not a BgMax file."))
            break
        if kind not in KNOWN_KINDS:
            reader.error(number, _("Unknown record type %(kind)s.") % {"kind": kind.strip() or "–"})
            continue
        if kind == "01":
            if number != 1:
                reader.error(number, _("A second start record (01)."))
                continue
            if field(line, 3, 22).strip() != LAYOUT_NAME:
                reader.error(number, _("The layout name is not BGMAX: it is not a BgMax file."))
            if field(line, 23, 24) != VERSION:
                reader.error(number, _("BgMax version %(version)s is not supported (only 01).")
                             % {"version": field(line, 23, 24)})
            stamp = field(line, 25, 38)
            try:
                written_at = datetime.strptime(stamp, "%Y%m%d%H%M%S")
                micro = field(line, 39, 44)
                if micro.isdigit():
                    written_at = written_at.replace(microsecond=int(micro))
            except ValueError:
                reader.error(number, _("%(text)s is not a date (YYYYMMDD).") % {"text": stamp.strip() or "–"})
            test = field(line, 45, 45) == "T"
        elif kind == "05":
            if deposit is not None:
                reader.error(number, _("An opening record (05) before the deposit record (15) of the one before."))
            payment = None
            deposit_payments = deposit_total = 0
            bankgiro = field(line, 3, 12)
            reader.digits(number, bankgiro, _("The recipient's bankgiro number"))
            deposit = BgMaxDeposit(
                recipient_bankgiro=bankgiro.lstrip("0"), paid_on=date.min, payments=[],
                currency=field(line, 23, 25).strip() or "SEK", line=number,
            )
        elif kind in ("20", "21"):
            if deposit is None:
                reader.error(number, _("A payment record outside a deposit (no opening record 05 before it)."))
                continue
            payment = _payment(reader, number, line, kind)
            deposit.payments.append(payment)
            counts[kind] += 1
            deposit_payments += 1
            deposit_total += -payment.amount if payment.deduction else payment.amount
        elif kind in PAYMENT_DETAIL_KINDS:
            if payment is None:
                reader.error(number, _("Record %(kind)s does not follow a payment record (20 or 21).")
                             % {"kind": kind})
                continue
            if kind in ("22", "23"):
                counts["22"] += 1
                amount = reader.digits(number, field(line, 38, 55), _("The amount"))
                payment.extra_references.append((field(line, 13, 37).strip(), amount, kind == "23"))
            elif kind == "25":
                payment.information.append(field(line, 3, 52).rstrip())
            elif kind == "26":
                payment.name = field(line, 3, 37).strip()
                payment.extra_name = field(line, 38, 72).strip()
            elif kind == "27":
                payment.address = field(line, 3, 37).strip()
                payment.postcode = field(line, 38, 46).strip()
            elif kind == "28":
                payment.town = field(line, 3, 37).strip()
                payment.country = field(line, 38, 72).strip()
                payment.country_code = field(line, 73, 74).strip()
            else:
                payment.organisation_number = field(line, 3, 14).strip().lstrip("0")
        elif kind == "15":
            if deposit is None:
                reader.error(number, _("A deposit record (15) without an opening record (05) before it."))
                continue
            deposit.bank_account = field(line, 3, 37).strip()
            deposit.paid_on = reader.day(number, field(line, 38, 45)) or date.min
            deposit.serial = field(line, 46, 50)
            amount = reader.digits(number, field(line, 51, 68), _("The deposit amount"))
            stated = reader.digits(number, field(line, 72, 79), _("The number of payments"))
            deposit.deposit_type = field(line, 80, 80)
            if amount != deposit_total:
                reader.error(number, _("The deposit amount is %(stated)s öre but its payments add up to "
                                       "%(counted)s öre.") % {"stated": amount, "counted": deposit_total})
            if stated != deposit_payments:
                reader.error(number, _("The deposit states %(stated)s payments but holds %(counted)s.")
                             % {"stated": stated, "counted": deposit_payments})
            deposits.append(deposit)
            counts["15"] += 1
            deposit = None
            payment = None
        elif kind == "70":
            end_seen = True
            if deposit is not None:
                reader.error(number, _("The last deposit has no deposit record (15)."))
            labels = {
                "20": _("payment records (20)"), "21": _("deduction records (21)"),
                "22": _("extra reference records (22 and 23)"), "15": _("deposit records (15)"),
            }
            for position, key in zip((3, 11, 19, 27), ("20", "21", "22", "15"), strict=True):
                stated = reader.digits(number, field(line, position, position + 7), labels[key])
                if stated != counts[key]:
                    reader.error(number, _("The end record states %(stated)s %(what)s but the file holds "
                                           "%(counted)s.") % {"stated": stated, "what": labels[key],
                                                             "counted": counts[key]})
    if not end_seen and not reader.errors:
        reader.error(len(lines), _("The file has no end record (70): it may be incomplete."))
    if reader.errors:
        raise ParseError(reader.errors)
    return BgMaxFileContent(written_at=written_at, deposits=deposits, test=test)
