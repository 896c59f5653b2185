"""Per-user roles, permissions and menu, kept in the cache (issue 16 §1).

Every page asks `has_perm` (menus, access checks) and for the user's role
names; Django's ModelBackend answers with two queries per request (group
and own permissions). Here the answer is computed once and kept in the
cache (Redis in production, shared by every web process) under the user's
current *token*:

- `user_values(user, name, compute)` returns the value kept for the user
  under `name` if it was stored under the user's current token, otherwise
  computes and stores it. The first call of a request reads the token and
  every value this process has been asked for (the permissions, the menu,
  the header search) in one round trip: under load each round trip is also
  a wait for the process's GIL, so a page pays one, not three.
- `invalidate(user_ids)` gives the users new tokens, at once and again after
  the transaction commits: a request that read the old roles from the
  database before the change was committed stores them under a token that
  is no longer current, so no stale value survives a change (a removed role
  takes effect on the next request).

The signals below call `invalidate` for every change that moves a user's
roles or permissions: groups added or removed (either side of the
relation), permissions of a group, own permissions, a group renamed or
deleted, and any save or deletion of the account (active, superuser,
unit), and every migrate. A cache that is down (IGNORE_EXCEPTIONS) answers nothing: every
request then computes from the database, as before.
"""

from collections.abc import Callable, Iterable
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete
from django.utils.functional import LazyObject, empty

_TOKEN = "acl:v1:token:{}"
_VALUE = "acl:v1:{}:{}"


_NO_CACHE = object()
# The value names asked for in this process (a handful: "perms" and the
# menu and header search per language), read together with the token.
_NAMES: set[str] = set()
# Counts the invalidations made in this process: a token remembered on a
# user object before one of them is not used after it.
_generation = 0


def user_values(user, name: str, compute: Callable[[], Any]) -> Any:
    """The value `compute()` gives for `user`, from the cache while the
    user's roles and permissions have not changed since it was stored."""
    _NAMES.add(name)
    user = _unwrapped(user)
    token_key, value_key = _TOKEN.format(user.pk), _VALUE.format(name, user.pk)
    # The token is read once per request (remembered on the user object),
    # with the other values this process knows; a cache that does not
    # answer is asked once, not once per value.
    remembered = user.__dict__.get("_acl_token")
    # A change made in this process since (invalidate) forgets both.
    token = remembered[1] if remembered is not None and remembered[0] == _generation else None
    if token is _NO_CACHE:
        return compute()
    if token is None:
        others = sorted(_NAMES - {name})
        found = cache.get_many([token_key, value_key, *(_VALUE.format(other, user.pk) for other in others)])
        token, stored = found.get(token_key), found.get(value_key)
        # Checked against the same token as this one when used: read
        # together, they are exactly what separate reads would have given
        # at this moment.
        user.__dict__["_acl_read"] = (_generation, {other: found.get(_VALUE.format(other, user.pk))
                                                    for other in others})
    else:
        read = user.__dict__.get("_acl_read")
        if read is not None and read[0] == _generation and name in read[1]:
            # Used once: a value recomputed below is stored, and a later
            # call reads that, not this.
            stored = read[1].pop(name)
        else:
            stored = cache.get(value_key)
    if stored is not None and token is not None and stored[0] == token:
        user.__dict__["_acl_token"] = (_generation, token)
        return stored[1]
    if token is None:
        # First use (or evicted): a token of its own, added only if no
        # invalidation set one meanwhile.
        token = uuid4().hex
        if not cache.add(token_key, token, timeout=None):
            token = cache.get(token_key)
    if token is None:
        # Neither added nor readable: the cache is down (IGNORE_EXCEPTIONS).
        # The database answers for the rest of this request.
        user.__dict__["_acl_token"] = (_generation, _NO_CACHE)
        return compute()
    user.__dict__["_acl_token"] = (_generation, token)
    value = compute()
    cache.set(value_key, (token, value), settings.PERMISSION_CACHE_SECONDS)
    return value


def _unwrapped(user):
    """The user object itself: request.user is a lazy wrapper (twice over:
    authentication's and the second factor's), whose own __dict__ is not
    the user's, so what is remembered on one would not be found through
    the other (the menu read the cache again after the permission check)."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def invalidate(user_ids: Iterable[int]) -> None:
    """New tokens for these users, now and after the current transaction
    commits (see the module docstring)."""
    global _generation
    ids = {pk for pk in user_ids if pk is not None}
    if not ids:
        return
    _generation += 1

    def renew():
        cache.set_many({_TOKEN.format(pk): uuid4().hex for pk in ids}, timeout=None)

    renew()
    transaction.on_commit(renew)


def roles_and_permissions(user) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(role names, permissions through groups, own permissions) as
    "app_label.codename", from the cache or two queries."""
    return user_values(user, "perms", lambda: _query(user))


def _query(user) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    rows = Group.objects.filter(user=user).values_list(
        "name", "permissions__content_type__app_label", "permissions__codename"
    )
    names, group_perms = set(), set()
    for name, app_label, codename in rows:
        names.add(name)
        if codename:
            group_perms.add(f"{app_label}.{codename}")
    own = Permission.objects.all() if user.is_superuser else Permission.objects.filter(user=user)
    own_perms = {f"{app}.{codename}" for app, codename in own.values_list("content_type__app_label", "codename")}
    return frozenset(names), frozenset(group_perms), frozenset(own_perms)


# --- invalidation -------------------------------------------------------------


def _members(group_ids) -> list[int]:
    return list(get_user_model().objects.filter(groups__in=list(group_ids)).values_list("pk", flat=True).distinct())


def _user_relation_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """User.groups and User.user_permissions, from either side."""
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:
        invalidate([instance.pk])
    elif isinstance(instance, Group):
        # group.user_set.add/remove/clear: the users named, or (clear) all
        # members, read before they are removed.
        invalidate(_members([instance.pk]) if action == "pre_clear" else (pk_set or ()))
    else:
        # permission.user_set: the users named.
        invalidate(pk_set or ())


def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Group.permissions, from either side: every member of the groups."""
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if reverse:
        # permission.group_set.add/remove(...): pk_set names groups; a clear
        # touches every group holding the permission.
        groups = pk_set if action != "pre_clear" else instance.group_set.values_list("pk", flat=True)
        invalidate(_members(groups or ()))
    else:
        invalidate(_members([instance.pk]))


def _group_saved(sender, instance, created, raw=False, **kwargs):
    # A renamed group renames the role of its members.
    if not created and not raw:
        invalidate(_members([instance.pk]))


def _group_deleted(sender, instance, **kwargs):
    # The membership rows go with the group without an m2m signal.
    invalidate(_members([instance.pk]))


def _user_changed(sender, instance, **kwargs):
    invalidate([instance.pk])


def _migrated(sender, using="default", **kwargs):
    # Migrations change the roles' permissions through historical models
    # (accounts.roles.sync_roles), which send no signal this module hears:
    # after a migrate every user's entry is renewed.
    if sender.label == "accounts":
        invalidate(get_user_model().objects.using(using).values_list("pk", flat=True))


def connect() -> None:
    user_model = get_user_model()
    m2m_changed.connect(_user_relation_changed, sender=user_model.groups.through, dispatch_uid="acl_user_groups")
    m2m_changed.connect(_user_relation_changed, sender=user_model.user_permissions.through,
                        dispatch_uid="acl_user_permissions")
    m2m_changed.connect(_group_permissions_changed, sender=Group.permissions.through,
                        dispatch_uid="acl_group_permissions")
    post_save.connect(_group_saved, sender=Group, dispatch_uid="acl_group_saved")
    pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="acl_group_deleted")
    post_save.connect(_user_changed, sender=user_model, dispatch_uid="acl_user_saved")
    post_delete.connect(_user_changed, sender=user_model, dispatch_uid="acl_user_deleted")
    post_migrate.connect(_migrated, dispatch_uid="acl_migrated")
