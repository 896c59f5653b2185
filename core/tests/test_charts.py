"""The shared SVG bar chart: accessible, Swedish numbers, meaning not in
colour alone, deterministic, safe to call from several threads."""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.cache import cache

from core import charts
from core.charts import HATCHES, PALETTE, bar_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def chart(**overrides):
    arguments = {
        "categories": MONTHS[:3],
        "series": {"Genomförda": [1234, 90, 14], "Avbokade": [30, 4, 0]},
        "title": "Besök 2026",
        "y_label": "Antal besök",
        "description": "Genomförda och avbokade besök per månad.",
    }
    arguments.update(overrides)
    return bar_chart_svg(arguments.pop("categories"), arguments.pop("series"), **arguments)


def texts(svg):
    return [element.text for element in ET.fromstring(svg).iter(f"{SVG}text")]


def test_output_is_one_svg_element_with_title_desc_and_an_accessible_name():
    svg = chart()

    root = ET.fromstring(svg)  # well-formed XML, no prolog or doctype
    assert svg.startswith("<svg")
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Besök 2026"
    title, desc = list(root)[:2]
    assert (title.tag, title.text) == (f"{SVG}title", "Besök 2026")
    assert (desc.tag, desc.text) == (f"{SVG}desc", "Genomförda och avbokade besök per månad.")
    assert root.get("aria-describedby") == desc.get("id")
    # Scales with its container; the drawing's proportions come from the viewBox.
    assert root.get("width") == "100%" and root.get("height") is None and root.get("viewBox")


def test_no_metadata_date_and_no_style_block_leaking_into_the_page():
    svg = chart()

    assert "<metadata" not in svg and "dc:date" not in svg
    # matplotlib's `*{...}` rule would apply to the whole HTML page when inlined.
    assert "<style" not in svg


def test_labels_and_numbers_are_text_in_the_swedish_format():
    labels = texts(chart())

    assert {"jan", "feb", "mar", "Besök 2026", "Antal besök", "Genomförda", "Avbokade"} <= set(labels)
    # Bar values with a (non-breaking) space between thousands.
    assert "1\xa0234" in labels
    assert "1234" not in labels
    # The value axis too.
    assert any(label and "\xa0" in label for label in labels if label not in ("1\xa0234",))


def test_decimals_use_a_decimal_comma():
    labels = texts(chart(series={"Andel": [12.5, 3.25, 0]}, decimals=1))

    assert "12,5" in labels and "3,3" in labels
    assert not any(label and "." in label for label in labels if label[:1].isdigit())


def test_series_differ_by_hatching_and_colour_not_colour_alone():
    svg = chart()

    root = ET.fromstring(svg)
    patterns = root.findall(f".//{SVG}pattern")
    assert len(patterns) >= 1, "the second series is hatched"
    assert HATCHES[0] == "" and HATCHES[1]
    assert PALETTE[0].lower() in svg.lower() and PALETTE[1].lower() in svg.lower()


def test_the_same_input_gives_byte_identical_output():
    first = chart()
    forget_charts()  # drawn again, not remembered
    assert chart() == first
    assert chart() != chart(series={"Genomförda": [1, 2, 3], "Avbokade": [0, 0, 0]})


def test_output_is_identical_in_a_fresh_process():
    """matplotlib salts its clip-path ids with a random UUID unless
    svg.hashsalt is set; a new process would then give other ids."""
    code = (
        "import django; django.setup();"
        "from core.tests.test_charts import chart; import sys; sys.stdout.write(chart())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    assert result.stdout == chart()


def test_two_charts_on_one_page_have_no_ids_in_common():
    first, second = chart(chart_id="one"), chart(chart_id="two")

    ids = [{element.get("id") for element in ET.fromstring(svg).iter() if element.get("id")} for svg in (first, second)]
    assert ids[0] and ids[1]
    assert not ids[0] & ids[1]
    # Every reference points at an id of the same chart.
    for svg, own in zip((first, second), ids, strict=True):
        for reference in re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', svg):
            assert (reference[0] or reference[1]) in own


def test_title_and_description_are_escaped():
    svg = chart(title='Besök <script>alert("x")</script> & annat', description="a < b")

    root = ET.fromstring(svg)
    assert root.get("aria-label") == 'Besök <script>alert("x")</script> & annat'
    assert "<script>" not in svg
    assert root.find(f"{SVG}desc").text == "a < b"


def test_stacked_bars_and_an_empty_chart_render():
    stacked = chart(stacked=True)
    empty = chart(series={"Genomförda": [0, 0, 0]})

    assert "1\xa0234" in texts(stacked)
    assert "0" in texts(empty)


def test_series_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError):
        chart(series={"Genomförda": [1, 2]})


def test_threads_render_the_same_charts_as_one_thread():
    inputs = [{"series": {"A": [n, n + 1, n + 2], "B": [n * 2, 1, 0]}, "title": f"Diagram {n}"} for n in range(8)]
    expected = [chart(**arguments) for arguments in inputs]
    forget_charts()  # the threads must draw, not read the cache

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda arguments: chart(**arguments), inputs * 2))

    assert results == expected * 2


def test_a_chart_is_drawn_once_for_the_same_arguments_and_again_for_new_figures(monkeypatch):
    drawn = []
    real_render = charts._render
    monkeypatch.setattr(charts, "_render", lambda *args, **kwargs: drawn.append(args) or real_render(*args, **kwargs))
    forget_charts()

    first = chart(title="Minns")
    again = chart(title="Minns")
    changed = chart(title="Minns", series={"Genomförda": [9, 9, 9], "Avbokade": [1, 1, 1]})

    assert again == first
    assert changed != first
    assert len(drawn) == 2


def test_the_cache_keeps_only_the_latest_charts(monkeypatch):
    monkeypatch.setattr(charts, "CACHE_SIZE", 2)
    charts._CACHE.clear()
    for n in range(3):
        chart(title=f"Diagram {n}")
    assert len(charts._CACHE) == 2
    assert not any("Diagram 0" in key for key in charts._CACHE)


def forget_charts():
    charts._CACHE.clear()
    cache.clear()


def test_a_chart_drawn_by_another_process_comes_from_the_shared_cache(monkeypatch):
    drawn = []
    real_render = charts._render
    monkeypatch.setattr(charts, "_render", lambda *args, **kwargs: drawn.append(args) or real_render(*args, **kwargs))
    forget_charts()
    first = chart(title="Delad")

    charts._CACHE.clear()  # another gunicorn worker: nothing in its memory
    again = chart(title="Delad")

    assert again == first
    assert len(drawn) == 1
    cache.clear()  # Redis emptied (or down): drawn again, the same
    charts._CACHE.clear()
    assert chart(title="Delad") == first
    assert len(drawn) == 2
