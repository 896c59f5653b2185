"""A strict Content-Security-Policy and `Cache-Control: no-store` on every
page and download (issue 10 §6): walked over every URL without arguments,
as every role and anonymously, plus detail pages and downloads with data;
and no inline script or style left in the templates the browser gets."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from core.tests.urlwalk import argument_names, project_patterns
from tenancies.models import ApartmentStatus
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Rendered by WeasyPrint into PDFs, never served to a browser.
PDF_TEMPLATES = re.compile(r"_pdf\.html$")
INLINE = [
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style[\s>]", re.I), "a <style> element"),
    # A JSON data block (Django's json_script, used by the passkey pages) is
    # never executed, so the policy does not apply to it.
    (re.compile(r"<script(?![^>]*\b(?:src=|type=[\"']application/json))[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I), "an event handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def inline_parts(text):
    return [what for pattern, what in INLINE if pattern.search(text)]


def test_no_template_served_to_a_browser_has_inline_script_or_style():
    found = {}
    for path in TEMPLATES.rglob("*.html"):
        if PDF_TEMPLATES.search(path.name):
            continue
        parts = inline_parts(path.read_text(encoding="utf-8"))
        if parts:
            found[str(path.relative_to(TEMPLATES))] = parts
    assert found == {}


def assert_headers(response, url):
    policy = response.get("Content-Security-Policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
    assert directives.get("default-src") == "'self'", (url, policy)
    assert directives.get("script-src") == "'self'", (url, policy)
    assert directives.get("style-src") == "'self'", (url, policy)
    assert directives.get("frame-ancestors") == "'none'", (url, policy)
    assert "unsafe" not in policy, (url, policy)
    assert "no-store" in response.get("Cache-Control", ""), (url, response.get("Cache-Control"))


ROLES = [Role.CASE_OFFICER, Role.PILOT, Role.HOUSING_ADMIN, Role.MANAGER, Role.SYSTEM_ADMIN]


def no_argument_urls():
    return sorted({reverse(name) for route, name, _pattern in project_patterns() if not argument_names(route)})


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_page_without_arguments_has_the_policy_and_no_store(client, unit, role):
    if role is not None:
        client.force_login(UserFactory(unit=unit, roles=[role], is_staff=role == Role.SYSTEM_ADMIN))
    urls = no_argument_urls()
    assert len(urls) >= 30, "the walk found the project's pages"
    seen = []
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        assert_headers(response, url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            body = response.content.decode()
            assert inline_parts(body) == [], url
        seen.append((url, response.status_code))
    assert any(status == 200 for _url, status in seen)


def test_detail_pages_and_downloads_with_data(client, manager, case_officer, housing_admin, client_record, unit):
    tenancy = TenancyFactory(
        apartment=ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED),
        client=client_record, start_date=date(2023, 1, 1), created_by=case_officer,
    )
    year = date.today().year
    pages = [
        (case_officer, reverse("referrals:client_detail", args=[client_record.pk])),
        (case_officer, reverse("tenancies:tenancy_detail", args=[tenancy.pk])),
        (housing_admin, reverse("tenancies:apartment_detail", args=[tenancy.apartment_id])),
        (manager, reverse("reports:dashboard", args=[year])),
        (manager, reverse("reports:export_csv", args=[year])),
        (manager, reverse("reports:export_xlsx", args=[year])),
        (housing_admin, reverse("tenancies:import_template")),
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert_headers(response, url)
        if response["Content-Type"].startswith("text/html"):
            assert inline_parts(response.content.decode()) == [], url
    client.force_login(manager)
    export = client.post(reverse("audit:export"))
    assert_headers(export, "audit:export")


def test_the_dashboard_charts_use_presentation_attributes(client, manager):
    client.force_login(manager)
    body = client.get(reverse("reports:dashboard", args=[date.today().year])).content.decode()
    assert "<svg" in body
    assert " style=" not in body
    assert 'fill="#' in body

