import pytest

from core.formatting import kr, number, percent

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
