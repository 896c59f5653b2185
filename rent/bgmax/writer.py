"""Writes a BgMax file from its content (records.py): the demo's files for
the last month, the tests' files and the import benchmark. Counts and
totals in the 15 and 70 records are computed here, so a file written by
this module always adds up."""

from __future__ import annotations

from .records import ENCODING, LAYOUT_NAME, LINE_LENGTH, VERSION, BgMaxFileContent, BgMaxPayment


def _text(value: str, width: int) -> str:
    return (value or "")[:width].ljust(width)


def _number(value: int | str, width: int) -> str:
    text = str(value)
    if len(text) > width:
        raise ValueError(f"{value!r} does not fit in {width} positions.")
    return text.rjust(width, "0")


def _record(kind: str, body: str) -> str:
    line = (kind + body).ljust(LINE_LENGTH)
    if len(line) != LINE_LENGTH:
        raise ValueError(f"A {kind} record is {len(line)} characters, not {LINE_LENGTH}.")
    return line


def _payment_lines(payment: BgMaxPayment) -> list[str]:
    kind = "21" if payment.deduction else "20"
    body = (
        _number(payment.sender_bankgiro or 0, 10) + _text(payment.reference, 25) + _number(payment.amount, 18)
        + payment.reference_code + payment.channel + _number(payment.serial or 0, 12) + payment.image
    )
    if payment.deduction:
        body += payment.deduction_code
    lines = [_record(kind, body)]
    for reference, amount, negative in payment.extra_references:
        lines.append(_record("23" if negative else "22", (
            _number(payment.sender_bankgiro or 0, 10) + _text(reference, 25) + _number(amount, 18)
            + "4" + payment.channel + _number(payment.serial or 0, 12) + payment.image
        )))
    for text in payment.information:
        lines.append(_record("25", _text(text, 50)))
    if payment.name or payment.extra_name:
        lines.append(_record("26", _text(payment.name, 35) + _text(payment.extra_name, 35)))
    if payment.address or payment.postcode:
        lines.append(_record("27", _text(payment.address, 35) + _text(payment.postcode, 9)))
    if payment.town or payment.country or payment.country_code:
        lines.append(_record("28", _text(payment.town, 35) + _text(payment.country, 35)
                             + _text(payment.country_code, 2)))
    if payment.organisation_number:
        lines.append(_record("29", _number(payment.organisation_number, 12)))
    return lines


def write_lines(content: BgMaxFileContent) -> list[str]:
    stamp = content.written_at.strftime("%Y%m%d%H%M%S") + f"{content.written_at.microsecond:06d}"
    lines = [_record("01", _text(LAYOUT_NAME, 20) + VERSION + stamp + ("T" if content.test else "P"))]
    counts = {"20": 0, "21": 0, "22": 0, "15": 0}
    for deposit in content.deposits:
        lines.append(_record("05", _number(deposit.recipient_bankgiro, 10) + " " * 10 + deposit.currency))
        for payment in deposit.payments:
            lines.extend(_payment_lines(payment))
            counts["21" if payment.deduction else "20"] += 1
            counts["22"] += len(payment.extra_references)
        lines.append(_record("15", (
            _text(deposit.bank_account, 35) + deposit.paid_on.strftime("%Y%m%d") + _number(deposit.serial, 5)
            + _number(deposit.total, 18) + deposit.currency + _number(len(deposit.payments), 8)
            + deposit.deposit_type[:1].ljust(1)
        )))
        counts["15"] += 1
    lines.append(_record("70", "".join(_number(counts[kind], 8) for kind in ("20", "21", "22", "15"))))
    return lines


def write_bytes(content: BgMaxFileContent) -> bytes:
    """The file as Bankgirot delivers it: ISO 8859-1, CR LF line ends."""
    return ("\r\n".join(write_lines(content)) + "\r\n").encode(ENCODING)
