"""The registries through which higher apps plug into a client's file and
the order and decision pages (referrals.client_tabs, referrals.order_panels,
referrals.decision_panels): referrals renders what an AppConfig declares,
in its order and only for those with its permission, and names nothing of
the apps above it."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.urls import reverse

from .factories_orders import OrderFactory, accepted_order, make_pilot

pytestmark = pytest.mark.django_db


def _tab_labels(html):
    return re.findall(r'<li class="nav-item"><a class="nav-link[^"]*"[^>]*>([^<]+)</a></li>', html)


@pytest.fixture
def extra_tab(monkeypatch):
    """reports declares a tab (reusing the orders page as its target)
    between "Uppdrag" and "Underrättelser", for those who see KPIs."""
    config = apps.get_app_config("reports")
    tab = {"tab": "extra", "label": "Extratabb", "url_name": "referrals:client_orders",
           "perm": "reports.view_kpi_dashboard", "order": 45}
    monkeypatch.setattr(config, "client_tabs", [tab], raising=False)
    return tab


def test_the_tabs_of_a_client_file_are_those_the_apps_register(client, case_officer, client_record):
    client.force_login(case_officer)

    html = client.get(reverse("referrals:client_detail", args=[client_record.pk])).content.decode()

    assert _tab_labels(html) == ["Översikt", "Beslut", "Genomförandeplan", "Uppdrag", "Underrättelser",
                                 "Boende", "Hyra", "Bostadssökande", "Besök", "Kopplade akter"]
    assert '<a class="nav-link active" aria-current="page" href="{}">Översikt</a>'.format(
        reverse("referrals:client_detail", args=[client_record.pk])) in html


def test_a_registered_tab_appears_in_its_place_for_those_with_its_permission(
    client, manager, case_officer, client_record, extra_tab
):
    client.force_login(manager)
    html = client.get(reverse("referrals:client_detail", args=[client_record.pk])).content.decode()
    labels = _tab_labels(html)
    assert labels.index("Extratabb") == labels.index("Uppdrag") + 1
    href = reverse("referrals:client_orders", args=[client_record.pk])
    assert f'href="{href}">Extratabb</a>' in html

    client.force_login(case_officer)  # no reports.view_kpi_dashboard
    html = client.get(reverse("referrals:client_detail", args=[client_record.pk])).content.decode()
    assert "Extratabb" not in html


@pytest.fixture
def panel_templates(settings, tmp_path):
    """A template directory for test panels."""
    (tmp_path / "testpanels").mkdir()
    templates = [dict(engine) for engine in django_settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], str(tmp_path)]
    settings.TEMPLATES = templates
    return tmp_path / "testpanels"


def provide(request, order):
    return {"panel_greeting": f"Hej från panelen för #{order.pk}"}


def test_a_registered_order_panel_is_rendered_with_its_context(client, case_officer, unit, monkeypatch,
                                                               panel_templates):
    Path(panel_templates / "greeting.html").write_text('<p class="test-panel">{{ panel_greeting }}</p>\n')
    config = apps.get_app_config("reports")
    monkeypatch.setattr(config, "order_panels", [
        {"slot": "details", "template": "testpanels/greeting.html",
         "context": "referrals.tests.test_registries.provide", "order": 5},
        {"slot": "details", "template": "testpanels/greeting.html",
         "perm": "reports.view_kpi_dashboard", "order": 6},  # not the case officer's
    ], raising=False)
    order = accepted_order(make_pilot(unit, "b1"), make_pilot(unit, "b2"), ordered_by=case_officer)
    client.force_login(case_officer)

    html = client.get(reverse("referrals:order_detail", args=[order.pk])).content.decode()

    assert html.count('class="test-panel"') == 1
    assert f'<p class="test-panel">Hej från panelen för #{order.pk}</p>' in html
    # bolots' own panel in the same slot, after it (order 10).
    assert html.index("test-panel") < html.index("order-frequency-link")


def test_the_frequency_panel_needs_an_accepted_order(client, case_officer, unit):
    order = OrderFactory(unit=unit, ordered_by=case_officer)
    client.force_login(case_officer)

    html = client.get(reverse("referrals:order_detail", args=[order.pk])).content.decode()

    assert "order-frequency-link" not in html


def provide_for_decision(request, decision):
    return {"panel_greeting": f"Hej från beslutspanelen för #{decision.pk}"}


def test_a_registered_decision_panel_is_rendered_with_its_context(client, case_officer, client_record, monkeypatch,
                                                                  panel_templates):
    from .factories_decisions import DecisionFactory

    Path(panel_templates / "greeting.html").write_text('<p class="test-panel">{{ panel_greeting }}</p>\n')
    config = apps.get_app_config("reports")
    monkeypatch.setattr(config, "decision_panels", [
        {"slot": "details", "template": "testpanels/greeting.html",
         "context": "referrals.tests.test_registries.provide_for_decision", "order": 5},
        {"slot": "details", "template": "testpanels/greeting.html",
         "perm": "reports.view_kpi_dashboard", "order": 6},  # not the case officer's
        {"slot": "elsewhere", "template": "testpanels/greeting.html", "order": 7},  # no such place on the page
    ], raising=False)
    decision = DecisionFactory(client=client_record, decided_by=case_officer)
    client.force_login(case_officer)

    html = client.get(reverse("referrals:decision_detail", args=[decision.pk])).content.decode()

    assert html.count('class="test-panel"') == 1
    assert f'<p class="test-panel">Hej från beslutspanelen för #{decision.pk}</p>' in html
    # In its place: after the decision's own sections, before the forms of its steps.
    assert html.index("interruptions-heading") < html.index("test-panel") < html.index("actions-heading")
