"""Swedish number formats (core.formatting) and the `ui` template filters over them."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.formatting import decimal_text, display_value, kr, number, percent, plain_value

NBSP = "\xa0"


@pytest.mark.parametrize(
    "value, expected",
    [(94_000_000, f"940{NBSP}000{NBSP}kr"), (12_345, f"123,45{NBSP}kr"), (0, f"0{NBSP}kr"), (None, "–")],
)
def test_kr_from_ore(value, expected):
    assert kr(value) == expected


@pytest.mark.parametrize(
    "value, decimals, expected",
    [(1234567, 0, f"1{NBSP}234{NBSP}567"), (2026, 0, f"2{NBSP}026"), (12.345, 1, "12,3"), (-1500, 0, f"-1{NBSP}500"), (0.5, 1, "0,5")],
)
def test_number(value, decimals, expected):
    assert number(value, decimals) == expected


def test_percent_of_a_share():
    assert percent(0.125) == f"12,5{NBSP}%"
    assert percent(1) == f"100,0{NBSP}%"
    assert percent(None) == "–"


def test_the_ui_template_library_uses_the_same_formats():
    html = Template("{% load ui %}{{ a|kr }}|{{ n|number }}|{{ m|number:1 }}|{{ s|percent }}").render(
        Context({"a": 94_000_000, "n": 2026, "m": 12.345, "s": 0.125}))
    assert html == f"940{NBSP}000{NBSP}kr|2{NBSP}026|12,3|12,5{NBSP}%"


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (1234, "count", f"1{NBSP}234"),
        (Decimal("2.25"), "count", "2,3"),  # an average: one decimal
        (Decimal("54.5"), "percent", f"54,5{NBSP}%"),
        (12, "days", "12 dagar"),
        (Decimal("45.5"), "days", "45,5 dagar"),
        (94_000_000, "kr", f"940{NBSP}000{NBSP}kr"),
        (Decimal("2.5"), "years", "2,5 år"),
        (None, "count", "–"),
    ],
)
def test_display_value_by_kind(value, kind, expected):
    with translation.override("sv"):
        assert display_value(value, kind) == expected


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (1234, "count", "1234"),
        (Decimal("54.5"), "percent", "54,5 %"),
        (94_000_000, "kr", "940000 kr"),
        (94_000_050, "kr", "940001 kr"),  # whole kronor, half up
        (None, "count", ""),
    ],
)
def test_plain_value_for_csv_has_no_grouping(value, kind, expected):
    assert plain_value(value, kind) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("2.50"), "2,5"), (Decimal("48"), "48"), (Decimal("50.0"), "50"), (Decimal("1250"), "1250"),
     (Decimal("0.5"), "0,5"), (None, "")],
)
def test_decimal_text_as_typed(value, expected):
    assert decimal_text(value) == expected
