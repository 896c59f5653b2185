"""The dashboard's figure links ({% figure_link %}, which replaced an
included template): the drill-down link with its hidden label, the value
alone when there is no list or no value, labels escaped."""

from django.template import Context, Template

TAG = Template("{% load kpi %}{% figure_link value kind key year label %}")


def _render(**context):
    return TAG.render(Context(context))


def test_a_figure_with_a_list_links_to_it_with_a_label_for_screen_readers():
    assert _render(value=1234567, kind="count", key="kpi1", year=2025, label="Boende") == (
        '<a href="/mal/2025/underlag/kpi1/">1\u00a0234\u00a0567<span class="visually-hidden"> – '
        "underlaget för ”Boende” 2025</span></a>")


def test_the_label_is_escaped():
    html = _render(value=3, kind="count", key="kpi1", year=2024, label='<b>"x"</b>')
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt;" in html
    assert "<b>" not in html


def test_without_a_list_or_a_value_only_the_value_is_shown():
    assert _render(value=12, kind="count", key="", year=2025, label="x") == "12"
    assert _render(value=None, kind="percent", key="kpi1", year=2025, label="x") == "–"
