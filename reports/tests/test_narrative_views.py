"""The pages of the evaluation's own words (reports.views.narrative):
who gets in, the edit with its conflict, the history, the delegates, and
the query budget."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from reports.models import NarrativeDelegate, NarrativeSection, NarrativeText
from reports.services import narrative as services

pytestmark = pytest.mark.django_db
YEAR = 2025


def url(name, **kwargs):
    return reverse(f"reports:{name}", kwargs={"year": YEAR, **kwargs})


PAGES = [
    ("narrative", {}),
    ("narrative_edit", {"section": "ordering-views"}),
    ("narrative_history", {"section": "ordering-views"}),
    ("narrative_delegates", {}),
]


@pytest.fixture
def other_manager(other_unit):
    return UserFactory(username="chef_annan", unit=other_unit, roles=[Role.MANAGER])


@pytest.fixture
def texts(unit, manager):
    return [
        NarrativeText.objects.create(unit=unit, year=YEAR, section=section, text=f"Enhetens text om {section}.",
                                     state="final", updated_by=manager)
        for section in NarrativeSection.values
    ]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_anonymous_goes_to_login(client, name, kwargs):
    response = client.get(url(name, **kwargs))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin"])
def test_wrong_role_is_403(client, users, name, kwargs, role):
    client.force_login(users[role])
    assert client.get(url(name, **kwargs)).status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_manager_sees_own_units_texts(client, manager, texts, name, kwargs):
    client.force_login(manager)
    response = client.get(url(name, **kwargs))
    assert response.status_code == 200
    if name in ("narrative", "narrative_edit"):
        assert "Enhetens text om" in response.content.decode()


def test_other_units_manager_never_sees_these_texts(client, other_manager, texts):
    client.force_login(other_manager)
    for name, kwargs in PAGES:
        response = client.get(url(name, **kwargs))
        assert response.status_code == 200
        assert "Enhetens text om" not in response.content.decode()


def test_other_units_delegation_is_404(client, other_manager, unit, manager, case_officer):
    delegation = NarrativeDelegate.objects.create(unit=unit, year=YEAR, user=case_officer, granted_by=manager)
    client.force_login(other_manager)
    response = client.post(url("narrative_delegates"), {"action": "revoke", "delegate": delegation.pk})
    assert response.status_code == 404
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


def test_year_outside_range_is_404(client, manager):
    client.force_login(manager)
    assert client.get(reverse("reports:narrative", kwargs={"year": 1999})).status_code == 404
    assert client.get(reverse("reports:narrative", kwargs={"year": 2999})).status_code == 404
    assert client.get(url("narrative_edit", section="nonsense")).status_code == 404


def test_menu_entry_without_year(client, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:narrative"))
    assert response.status_code == 200
    assert "Utvärderingens texter" in response.content.decode()


def test_delegate_gets_in_for_that_year_only(client, unit, manager, case_officer, texts):
    NarrativeDelegate.objects.create(unit=unit, year=YEAR, user=case_officer, granted_by=manager)
    client.force_login(case_officer)
    assert client.get(url("narrative")).status_code == 200
    assert client.get(url("narrative_edit", section="background")).status_code == 200
    assert client.get(url("narrative_history", section="background")).status_code == 200
    # Writes, but does not delegate further.
    assert client.get(url("narrative_delegates")).status_code == 403
    assert client.get(reverse("reports:narrative", kwargs={"year": YEAR - 1})).status_code == 403
    # A final text is read-only to a delegate: a post is refused and changes nothing.
    response = client.post(url("narrative_edit", section="background"),
                           {"text": "Ändrat", "state": "draft", "version": texts[0].version})
    assert response.status_code == 403
    texts[0].refresh_from_db()
    assert texts[0].text.startswith("Enhetens text")


def test_edit_saves_with_history_and_shows_it(client, manager):
    client.force_login(manager)
    response = client.post(url("narrative_edit", section="improvements"),
                           {"text": "Bostadssökandet behöver struktur.", "state": "draft", "version": 1})
    assert response.status_code == 302 and response.url == url("narrative")
    text = NarrativeText.objects.get(section="improvements")
    assert (text.text, text.state, text.updated_by) == ("Bostadssökandet behöver struktur.", "draft", manager)
    page = client.get(url("narrative")).content.decode()
    assert "Förbättringsområden" in page and "Utkast" in page
    history = client.get(url("narrative_history", section="improvements")).content.decode()
    assert "Bostadssökandet behöver struktur." in history


def test_conflict_keeps_the_users_text_and_shows_the_saved_one(client, manager, unit):
    colleague = UserFactory(unit=unit, roles=[Role.MANAGER])
    client.force_login(manager)
    form = client.get(url("narrative_edit", section="background")).context["form"]
    assert form["version"].value() == 1
    # A colleague saves first.
    other = client_class_login(colleague)
    assert other.post(url("narrative_edit", section="background"),
                      {"text": "Kollegans text.", "state": "draft", "version": 1}).status_code == 302
    response = client.post(url("narrative_edit", section="background"),
                           {"text": "Min egen text.", "state": "draft", "version": 1})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Någon annan sparade texten medan du skrev" in body
    assert "Min egen text." in body and "Kollegans text." in body
    assert NarrativeText.objects.get(section="background").text == "Kollegans text."
    # Saving again is a deliberate overwrite against the version now stored.
    assert response.context["form"]["version"].value() == "2"


def client_class_login(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other


def test_final_with_personal_data_is_refused_beside_the_text(client, manager, unit):
    from referrals.tests.factories import ClientFactory

    ClientFactory(unit=unit, first_name="Ingrid", last_name="Strand")
    client.force_login(manager)
    response = client.post(url("narrative_edit", section="proposals"),
                           {"text": "Ingrid Strand får ta över kontraktet.", "state": "final", "version": 1})
    assert response.status_code == 200
    assert "Stycke 1 innehåller namnet på en klient i enheten." in str(response.context["form"].errors["text"])
    assert not NarrativeText.objects.exists()


def test_overview_shows_the_check_status(client, manager, unit, texts):
    from referrals.tests.factories import ClientFactory

    ClientFactory(unit=unit, first_name="Ingrid", last_name="Strand")
    NarrativeText.objects.filter(section="improvements").update(text="Vi pratade med ingrid strand.")
    client.force_login(manager)
    body = client.get(url("narrative")).content.decode()
    assert "Stycke 1 innehåller namnet på en klient i enheten." in body
    assert "Inga personuppgifter hittades" in body


def test_manager_grants_and_revokes(client, manager, case_officer):
    client.force_login(manager)
    response = client.post(url("narrative_delegates"), {"action": "grant", "user": case_officer.pk})
    assert response.status_code == 302
    delegation = NarrativeDelegate.objects.get(user=case_officer, revoked_at__isnull=True)
    # Not offered twice; a post of the same user is refused beside the field.
    response = client.post(url("narrative_delegates"), {"action": "grant", "user": case_officer.pk})
    assert response.status_code == 200 and response.context["form"].errors["user"]
    response = client.post(url("narrative_delegates"), {"action": "revoke", "delegate": delegation.pk})
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert client.post(url("narrative_delegates"), {"action": "revoke", "delegate": "x"}).status_code == 404


def _fill(unit, manager, count_delegates):
    for index in range(count_delegates):
        user = UserFactory(unit=unit, roles=[Role.CASE_OFFICER])
        NarrativeDelegate.objects.create(unit=unit, year=YEAR, user=user, granted_by=manager,
                                         revoked_at=None if index % 2 else "2025-05-01T10:00:00+02:00")


@pytest.mark.parametrize("size", [1, 30])
def test_query_budget(client, manager, unit, texts, size, django_assert_max_num_queries):
    from referrals.tests.factories import ClientFactory

    ClientFactory.create_batch(size, unit=unit)
    _fill(unit, manager, size)
    services.save_text(_ctx(manager), texts[0], "Ny text.", "final", texts[0].version)
    for _round in range(size):
        text = NarrativeText.objects.get(pk=texts[1].pk)
        services.save_text(_ctx(manager), text, f"Version {_round}", "draft", text.version)
    client.force_login(manager)
    client.get(url("narrative"))  # the session's first request sets what later ones read
    for name, kwargs in [*PAGES, ("narrative_history", {"section": "ordering-views"})]:
        with django_assert_max_num_queries(12) as counted:
            assert client.get(url(name, **kwargs)).status_code == 200
        QUERIES.setdefault((name, size), len(counted))
    if size == 30:
        # Measured: the texts page 9, edit 7, history 8, delegates 8 (with
        # the session, the user, the second factor and the menu's badge).
        for name, _kwargs in PAGES:
            assert QUERIES[(name, 30)] == QUERIES[(name, 1)], name
        print("narrative queries", QUERIES)


QUERIES: dict = {}


def _ctx(user):
    from audit.context import AuditContext

    return AuditContext(user=user, path="/test/")
