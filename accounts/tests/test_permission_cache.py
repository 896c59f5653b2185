"""Roles, permissions and the menu are kept per user in the cache
(accounts.permission_cache), and a change of them takes effect on the next
request (issue 16 §1)."""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import permission_cache
from accounts.models import User
from accounts.roles import Role

CLIENTS = reverse("referrals:client_list")


def permission_queries(queries):
    return [q["sql"] for q in queries if "auth_group" in q["sql"] or "auth_permission" in q["sql"]]


def fresh(user):
    return User.objects.get(pk=user.pk)


def test_a_second_page_reads_no_roles_or_permissions(client, case_officer):
    client.force_login(case_officer)
    assert client.get(CLIENTS).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        assert client.get(CLIENTS).status_code == 200

    assert permission_queries(queries) == []


def test_a_role_removed_takes_effect_on_the_next_request(client, case_officer):
    client.force_login(case_officer)
    page = client.get(CLIENTS)
    assert page.status_code == 200
    assert f'href="{CLIENTS}"' in page.content.decode()

    case_officer.groups.remove(Group.objects.get(name=Role.CASE_OFFICER))

    assert client.get(CLIENTS).status_code in (403, 404)
    assert not fresh(case_officer).has_perm("referrals.view_client")
    assert Role.CASE_OFFICER not in fresh(case_officer).role_names


def test_a_member_removed_from_the_group_side_loses_the_role(case_officer):
    assert fresh(case_officer).has_perm("referrals.view_client")

    Group.objects.get(name=Role.CASE_OFFICER).user_set.remove(case_officer)

    assert not fresh(case_officer).has_perm("referrals.view_client")


def test_a_permission_taken_from_the_role_takes_effect_for_its_members(case_officer, manager):
    assert fresh(case_officer).has_perm("referrals.view_client")
    permission = Permission.objects.get(content_type__app_label="referrals", codename="view_client")

    Group.objects.get(name=Role.CASE_OFFICER).permissions.remove(permission)

    assert not fresh(case_officer).has_perm("referrals.view_client")


def test_a_group_cleared_or_deleted_takes_its_members_roles(case_officer, pilot):
    assert Role.CASE_OFFICER in fresh(case_officer).role_names
    assert Role.PILOT in fresh(pilot).role_names

    Group.objects.get(name=Role.CASE_OFFICER).user_set.clear()
    Group.objects.get(name=Role.PILOT).delete()

    assert Role.CASE_OFFICER not in fresh(case_officer).role_names
    assert Role.PILOT not in fresh(pilot).role_names


def test_own_permissions_and_deactivation_take_effect(case_officer):
    permission = Permission.objects.get(content_type__app_label="accounts", codename="change_user")
    assert not fresh(case_officer).has_perm("accounts.change_user")

    case_officer.user_permissions.add(permission)
    assert fresh(case_officer).has_perm("accounts.change_user")

    case_officer.is_active = False
    case_officer.save()
    assert not fresh(case_officer).has_perm("referrals.view_client")


def test_a_value_read_before_a_change_is_not_served_after_it(case_officer):
    """A request that read the roles from the database before the change
    stores them under a token the change has replaced: never served."""
    stale = permission_cache.roles_and_permissions(fresh(case_officer))
    tokens_before = permission_cache.user_values(case_officer, "probe", lambda: "before")

    permission_cache.invalidate([case_officer.pk])

    assert permission_cache.user_values(case_officer, "probe", lambda: "after") == "after"
    assert tokens_before == "before"
    assert Role.CASE_OFFICER in stale[0]


def test_the_menu_follows_a_role_change(client, case_officer):
    client.force_login(case_officer)
    assert f'href="{CLIENTS}"' in client.get(reverse("accounts:notifications")).content.decode()

    case_officer.groups.set([])

    page = client.get(reverse("accounts:notifications")).content.decode()
    assert f'href="{CLIENTS}"' not in page


class _SilentCache:
    """What django-redis with IGNORE_EXCEPTIONS answers when Redis is down:
    nothing found, nothing stored."""

    def __init__(self):
        self.calls = 0

    def get_many(self, keys):
        self.calls += 1
        return {}

    def get(self, key, default=None):
        self.calls += 1
        return default

    def add(self, *args, **kwargs):
        self.calls += 1
        return False

    def set(self, *args, **kwargs):
        self.calls += 1

    def set_many(self, *args, **kwargs):
        self.calls += 1
        return []


def test_a_cache_that_does_not_answer_is_asked_once_per_request(client, case_officer, monkeypatch):
    silent = _SilentCache()
    monkeypatch.setattr(permission_cache, "cache", silent)
    user = fresh(case_officer)

    assert user.has_perm("referrals.view_client")
    assert Role.CASE_OFFICER in user.role_names
    assert permission_cache.user_values(user, "nav:sv", lambda: ["menu"]) == ["menu"]

    # get_many, add and get for the first value; nothing after that.
    assert silent.calls == 3


class _CountingCache:
    """The real cache, with each read of the access-control keys counted."""

    def __init__(self, real):
        self.real, self.reads = real, []

    def get_many(self, keys):
        self.reads.append(sorted(keys))
        return self.real.get_many(keys)

    def get(self, key, default=None):
        self.reads.append([key])
        return self.real.get(key, default)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_page_reads_the_roles_the_menu_and_the_search_in_one_round_trip(client, case_officer, monkeypatch):
    client.force_login(case_officer)
    assert client.get(CLIENTS).status_code == 200  # the values are stored
    counting = _CountingCache(permission_cache.cache)
    monkeypatch.setattr(permission_cache, "cache", counting)

    page = client.get(CLIENTS)

    assert page.status_code == 200 and f'href="{CLIENTS}"' in page.content.decode()
    assert len(counting.reads) == 1, counting.reads
    (keys,) = counting.reads
    assert f"acl:v1:token:{case_officer.pk}" in keys
    assert f"acl:v1:perms:{case_officer.pk}" in keys
    assert len(keys) >= 3, "the menu's and the header search's values are read with the permissions"


def test_a_value_read_ahead_is_used_only_under_the_token_read_with_it(case_officer, monkeypatch):
    user = fresh(case_officer)
    permission_cache.user_values(user, "perms", lambda: "ignored")
    permission_cache.user_values(user, "test:menu", lambda: "old menu")
    # Another process changes the user's roles after this request read the
    # token and the values: this request goes on with what it read, and the
    # next one (a fresh user object) computes anew.
    later = fresh(case_officer)
    permission_cache.cache.set(f"acl:v1:token:{case_officer.pk}", "changed elsewhere", timeout=None)

    assert permission_cache.user_values(later, "test:menu", lambda: "new menu") == "new menu"
    assert permission_cache.user_values(fresh(case_officer), "test:menu", lambda: "newer") == "new menu"
