"""The BgMax parser against a file written by hand, record by record, from
Bankgirot's layout (records.py): every record type, the counts and totals
worked out by hand, and each kind of fault refused with its line number."""

from datetime import date, datetime

import pytest

from rent.bgmax.parser import ParseError, parse
from rent.bgmax.records import BgMaxDeposit, BgMaxFileContent, BgMaxPayment
from rent.bgmax.writer import write_lines

# Deposit 1 (30 Nov 2026): 4 500,00 + 1 200,00 − 500,00 (deduction) = 5 200,00 kr = 520000 öre, 3 payments.
# Deposit 2 (1 Dec 2026): 999,50 kr = 99950 öre, 1 payment.
# End: 3 payment records (20), 1 deduction (21), 2 extra references (22 + 23), 2 deposits (15).
HAND_WRITTEN = [
    "01BGMAX               0120261201063015123456T                                   ",
    "050009912346          SEK                                                       ",
    "2000055555551234574                  000000000000450000210000000000010          ",
    "25Hyra december                                                                 ",
    "26ANNA ANDERSSON                     c/o Berg                                   ",
    "27Storgatan 1                        12345                                      ",
    "28Småstad                                                               SE      ",
    "29556000000001                                                                  ",
    "200005555556                         000000000000120000310000000000020          ",
    "22000555555698765                    000000000000100000410000000000020          ",
    "2300055555564444                     000000000000020000410000000000020          ",
    "2100055555551234574                  0000000000000500002100000000000301         ",
    "1512345678901                        2026113000001000000000000520000SEK00000003K",
    "050009912346          SEK                                                       ",
    "20000000000099999                    000000000000099950510000000000040          ",
    "1512345678901                        2026120100002000000000000099950SEK00000001K",
    "7000000003000000010000000200000002                                              ",
]


def hand_written_bytes(lines=HAND_WRITTEN, end="\r\n"):
    return (end.join(lines) + end).encode("latin-1")


def replaced(number, line):
    lines = list(HAND_WRITTEN)
    lines[number - 1] = line
    return lines


def test_the_hand_written_file_is_80_characters_a_line():
    assert all(len(line) == 80 for line in HAND_WRITTEN)


def test_every_field_of_the_hand_written_file():
    content = parse(hand_written_bytes())
    assert content.written_at == datetime(2026, 12, 1, 6, 30, 15, 123456)
    assert content.test is True
    first, second = content.deposits
    assert (first.recipient_bankgiro, first.currency, first.line) == ("9912346", "SEK", 2)
    assert (first.paid_on, first.serial, first.bank_account, first.deposit_type) == (
        date(2026, 11, 30), "00001", "12345678901", "K")
    assert first.total == 520000
    rent, several, deduction = first.payments
    assert (rent.sender_bankgiro, rent.reference, rent.amount, rent.reference_code) == (
        "5555555", "1234574", 450000, "2")
    assert (rent.channel, rent.serial, rent.image, rent.deduction, rent.line) == ("1", "000000000001", "0", False, 3)
    assert rent.information == ["Hyra december"]
    assert (rent.name, rent.extra_name) == ("ANNA ANDERSSON", "c/o Berg")
    assert (rent.address, rent.postcode, rent.town, rent.country, rent.country_code) == (
        "Storgatan 1", "12345", "Småstad", "", "SE")
    assert rent.organisation_number == "556000000001"
    assert (several.reference, several.amount, several.reference_code) == ("", 120000, "3")
    assert several.extra_references == [("98765", 100000, False), ("4444", 20000, True)]
    assert (deduction.deduction, deduction.deduction_code, deduction.amount, deduction.line) == (True, "1", 50000, 12)
    assert (second.paid_on, second.serial, second.total) == (date(2026, 12, 1), "00002", 99950)
    (stray,) = second.payments
    assert (stray.sender_bankgiro, stray.reference, stray.amount, stray.reference_code) == ("", "99999", 99950, "5")


def test_the_writer_writes_the_hand_written_file():
    """The writer (demo, tests, benchmark) agrees with the hand-written
    layout, line for line."""
    content = BgMaxFileContent(
        written_at=datetime(2026, 12, 1, 6, 30, 15, 123456), test=True, deposits=[
            BgMaxDeposit(recipient_bankgiro="9912346", paid_on=date(2026, 11, 30), serial="00001",
                         bank_account="12345678901", deposit_type="K", payments=[
                             BgMaxPayment(sender_bankgiro="5555555", reference="1234574", amount=450000,
                                          serial="000000000001", information=["Hyra december"],
                                          name="ANNA ANDERSSON", extra_name="c/o Berg", address="Storgatan 1",
                                          postcode="12345", town="Småstad", country_code="SE",
                                          organisation_number="556000000001"),
                             BgMaxPayment(sender_bankgiro="5555556", reference="", amount=120000, reference_code="3",
                                          serial="000000000002",
                                          extra_references=[("98765", 100000, False), ("4444", 20000, True)]),
                             BgMaxPayment(sender_bankgiro="5555555", reference="1234574", amount=50000,
                                          serial="000000000003", deduction=True, deduction_code="1"),
                         ]),
            BgMaxDeposit(recipient_bankgiro="9912346", paid_on=date(2026, 12, 1), serial="00002",
                         bank_account="12345678901", deposit_type="K", payments=[
                             BgMaxPayment(sender_bankgiro="0", reference="99999", amount=99950, reference_code="5",
                                          serial="000000000004"),
                         ]),
        ])
    assert write_lines(content) == HAND_WRITTEN
    assert parse(hand_written_bytes(write_lines(content))).deposits[0].total == 520000


def test_lf_line_ends_and_trimmed_trailing_spaces_are_read():
    content = parse(hand_written_bytes([line.rstrip() for line in HAND_WRITTEN], end="\n"))
    assert [deposit.total for deposit in content.deposits] == [520000, 99950]


def errors_of(lines):
    with pytest.raises(ParseError) as caught:
        parse(hand_written_bytes(lines))
    return caught.value.errors


def test_a_wrong_count_in_the_end_record_is_refused():
    errors = errors_of(replaced(17, "7000000004000000010000000200000002".ljust(80)))
    assert errors == [(17, "Slutposten anger 4 betalningsposter (20) men filen innehåller 3.")]


def test_a_wrong_extra_reference_count_is_refused():
    errors = errors_of(replaced(17, "7000000003000000010000000100000002".ljust(80)))
    assert [line for line, _message in errors] == [17]
    assert "extra referensposter (22 och 23)" in errors[0][1]


def test_a_wrong_deposit_total_is_refused():
    line = "1512345678901                        2026113000001000000000000570000SEK00000003K"
    errors = errors_of(replaced(13, line))
    assert errors == [(13, "Insättningens belopp är 570000 öre men dess betalningar blir 520000 öre.")]


def test_a_wrong_payment_count_in_the_deposit_is_refused():
    line = "1512345678901                        2026113000001000000000000520000SEK00000002K"
    assert errors_of(replaced(13, line)) == [(13, "Insättningen anger 2 betalningar men innehåller 3.")]


def test_a_long_line_and_a_bad_amount_are_refused_with_their_lines():
    lines = replaced(3, HAND_WRITTEN[2] + " ")
    lines[14] = "20000000000099999                    0000000000000999x0510000000000040          "
    errors = errors_of(lines)
    assert (3, "Raden är 81 tecken lång, inte 80.") in errors
    assert (15, "Beloppet är inte ett tal.") in errors


def test_not_a_bgmax_file_and_another_version_are_refused():
    assert errors_of(replaced(1, "01BGMIN               0220261201063015123456T".ljust(80))) == [
        (1, "Layoutnamnet är inte BGMAX: det är inte en BgMax-fil."),
        (1, "BgMax version 02 stöds inte (bara 01)."),
    ]
    assert errors_of(["hello"])[0][0] == 1


def test_a_file_without_end_record_is_refused():
    errors = errors_of(HAND_WRITTEN[:-1])
    assert errors == [(16, "Filen har ingen slutpost (70): den kan vara ofullständig.")]


def test_a_payment_outside_a_deposit_is_refused():
    lines = list(HAND_WRITTEN)
    lines.insert(1, HAND_WRITTEN[2])
    errors = errors_of(lines)
    assert errors[0] == (2, "En betalningspost utanför en insättning (ingen öppningspost 05 före den).")
