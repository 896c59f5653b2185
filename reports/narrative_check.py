"""The personal-data check of the evaluation's own words (docs/housing-chain.md
"The evaluation's own words"). The yearly evaluation is a public document:
before a PDF is made, and when a text is marked final, every text is
searched for

- personal identity numbers and coordination numbers: any 10 or 12 digits
  (YYMMDDNNNN, YYYYMMDDNNNN, with or without "-" or "+" before the last
  four) whose month is 01–12, whose day is 01–31 (or 61–91, a coordination
  number) and whose last digit is the Luhn digit of the ten digits
  YYMMDDNNN (core.personnummer). A number with a wrong check digit is not a
  personal identity number and passes;
- client names: the first name (or one of several first names) next to the
  last name of any client of the unit, in either order ("Anna Berg",
  "Berg, Anna"), whole words, case-insensitive.

The names are read in one query of two columns (no Client object is built,
so nothing is "read" in the access log's sense: no name is shown) into a
dict from the last name's words to the first names' words, and the text's
words are looked up in it: one pass over the text, a set lookup per word
and, at a word that is someone's first name, per length of a last name,
whatever the number of clients. Measured for 10 000 clients and five texts
of 3 000 words each: see the docstring of
reports/tests/test_narrative_check.py::test_ten_thousand_clients_are_fast.

The findings name the section, the paragraph and the kind of data; never
the number or the name found (they may reach a log line through a task's
error message).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.personnummer import luhn_check_digit

# Digits not preceded or followed by another digit: the 12-digit form first
# (the optional century), then the 10-digit one.
_NUMBER = re.compile(r"(?<!\d)(?:\d{2})?(?P<ten>\d{6})[-+]?(?P<four>\d{4})(?!\d)")
# A word: letters (any alphabet) and digits, with inner hyphens and
# apostrophes ("Svensson-Berg", "O'Neil").
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_PARAGRAPHS = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Finding:
    section: str  # NarrativeSection value
    kind: str  # "number" or "name"
    paragraph: int  # 1-based


def looks_like_personal_number(ten: str) -> bool:
    """`ten` is YYMMDDNNNC: a month, a day (or a coordination day) and the
    Luhn digit."""
    month, day = int(ten[2:4]), int(ten[4:6])
    if not 1 <= month <= 12:
        return False
    if not (1 <= day <= 31 or 61 <= day <= 91):
        return False
    return luhn_check_digit(ten[:9]) == int(ten[9])


def has_personal_number(text: str) -> bool:
    return any(looks_like_personal_number(m["ten"] + m["four"]) for m in _NUMBER.finditer(text))


def words(text: str) -> list[str]:
    return [word.casefold() for word in _WORD.findall(text)]


def _name_words(name: str) -> list[str]:
    # Most names are one plain word: no regular expression for them (the
    # index of 10 000 clients is built in a fraction of the time).
    return [name.casefold()] if name.isalpha() else words(name)


class NameIndex:
    """Client names as {last name's words: set of first-name words}, for a
    lookup per word of a text."""

    def __init__(self, names: Iterable[tuple[str, str]]):
        self.by_last: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for first, last in names:
            last_words = tuple(_name_words(last or ""))
            first_words = _name_words(first or "")
            if last_words and first_words:
                self.by_last[last_words].update(first_words)
        self.lengths = sorted({len(key) for key in self.by_last})
        # Every first-name word: a word that is none of them starts no name
        # and ends none, so most of a text's words cost one set lookup.
        self.firsts = set().union(*self.by_last.values()) if self.by_last else set()

    def __len__(self):
        return len(self.by_last)

    def contains_name(self, text: str) -> bool:
        """A first-name word next to a last name it belongs to: only the
        words that are someone's first name are looked at further."""
        tokens = words(text)
        for i, token in enumerate(tokens):
            if token not in self.firsts:
                continue
            for length in self.lengths:
                # First name, then last name: "Anna Berg".
                firsts = self.by_last.get(tuple(tokens[i + 1:i + 1 + length]))
                if firsts and token in firsts:
                    return True
                # Last name, then first name: "Berg, Anna".
                if i >= length:
                    firsts = self.by_last.get(tuple(tokens[i - length:i]))
                    if firsts and token in firsts:
                        return True
        return False


def name_index(unit) -> NameIndex:
    """The names of every client of `unit`, in one query of two columns."""
    from referrals.models import Client

    return NameIndex(Client.objects.filter(unit=unit).values_list("first_name", "last_name").iterator(chunk_size=5000))


def find_personal_data(texts: Mapping[str, str], index: NameIndex) -> list[Finding]:
    """Findings per section (in the order given) and paragraph."""
    findings = []
    for section, text in texts.items():
        for number, paragraph in enumerate(_PARAGRAPHS.split(text or ""), start=1):
            if has_personal_number(paragraph):
                findings.append(Finding(section, "number", number))
            if len(index) and index.contains_name(paragraph):
                findings.append(Finding(section, "name", number))
    return findings


def message(finding: Finding) -> str:
    """The Swedish sentence for the user: which paragraph and what kind,
    never the value."""
    if finding.kind == "number":
        return _("Paragraph %(paragraph)s contains what looks like a personal identity number or coordination "
                 "number.") % {"paragraph": finding.paragraph}
    return _("Paragraph %(paragraph)s contains the name of a client of the unit.") % {"paragraph": finding.paragraph}
