"""The operations pages /drift/ and /drift/jobb/ (accounts.operations,
issue 16 §4): the system administrator's, in Swedish."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from core.models import ScheduledJobRun

pytestmark = pytest.mark.django_db

PAGES = ["operations:index", "operations:jobs"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_goes_to_the_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["case_officer", "pilot", "housing_admin", "manager", "outside_officer"])
def test_other_roles_and_outsiders_are_refused(client, users, who, name):
    client.force_login(users[who])
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_a_system_administrator_of_any_unit_sees_the_same_system_wide_page(client, system_admin, other_unit, name):
    # System-wide facts with no case data: the role decides, not the unit.
    elsewhere = UserFactory(username="sysadmin_annan", unit=other_unit, roles=[Role.SYSTEM_ADMIN])
    client.force_login(system_admin)
    own = client.get(reverse(name))
    client.force_login(elsewhere)
    other = client.get(reverse(name))
    assert own.status_code == other.status_code == 200


def test_the_index_links_jobs_status_and_failed_mail(client, system_admin):
    client.force_login(system_admin)
    body = client.get(reverse("operations:index")).content.decode()
    assert "<h1" in body and ">Drift<" in body
    for href in ("/drift/jobb/", "/drift/status/", "/drift/e-post/"):
        assert f'href="{href}"' in body


def test_the_jobs_page_shows_each_job_in_swedish_and_marks_a_late_one(client, system_admin, settings):
    now = timezone.now()
    ScheduledJobRun.objects.create(name="purge-old-drafts", task="accounts.tasks.purge_drafts",
                                   last_succeeded_at=now - timedelta(days=3))
    ScheduledJobRun.objects.create(name="verify-log-chains", task="audit.tasks.verify_log_chains",
                                   last_succeeded_at=now - timedelta(minutes=5),
                                   last_failed_at=now - timedelta(days=1), last_failure="OperationalError")
    client.force_login(system_admin)

    body = client.get(reverse("operations:jobs")).content.decode()

    for name in settings.CELERY_BEAT_SCHEDULE:
        assert name in body
    assert "Schemalagda jobb" in body and "Varje dag kl. 03:15" in body
    assert "Tar bort osparade formulärutkast" in body
    assert body.count("försenad") == 1
    assert "1 jobb är försenat." in body
    assert "OperationalError" in body and "Aldrig" in body


def test_the_jobs_page_costs_a_fixed_number_of_queries(client, system_admin, django_assert_num_queries):
    client.force_login(system_admin)
    client.get(reverse("operations:jobs"))  # warm caches (content types, session)

    with django_assert_num_queries(3) as captured:
        assert client.get(reverse("operations:jobs")).status_code == 200
    for name, entry in settings_entries():
        ScheduledJobRun.objects.create(name=name, task=entry["task"], last_succeeded_at=timezone.now())
    with django_assert_num_queries(len(captured.captured_queries)):
        client.get(reverse("operations:jobs"))


def settings_entries():
    from django.conf import settings

    return settings.CELERY_BEAT_SCHEDULE.items()


def test_the_menu_has_drift_for_the_system_administrator_only(client, system_admin, manager):
    client.force_login(system_admin)
    assert 'href="/drift/"' in client.get(reverse("accounts:notifications")).content.decode()
    client.force_login(manager)
    assert 'href="/drift/"' not in client.get(reverse("accounts:notifications")).content.decode()


def test_only_the_system_administrator_role_has_the_permission():
    holders = Group.objects.filter(permissions__codename="view_scheduledjobrun").values_list("name", flat=True)
    assert list(holders) == [Role.SYSTEM_ADMIN]
