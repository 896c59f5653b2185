from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group


class RoleAwareModelBackend(ModelBackend):
    """Django's ModelBackend, loading the user's role names together with the
    group permissions: one query instead of two on every page (navigation and
    access checks need both)."""

    def _get_group_permissions(self, user_obj):
        rows = Group.objects.filter(user=user_obj).values_list(
            "name", "permissions__content_type__app_label", "permissions__codename"
        )
        names, perms = set(), set()
        for name, app_label, codename in rows:
            names.add(name)
            if codename:
                perms.add((app_label, codename))
        user_obj.__dict__["role_names"] = frozenset(names)
        return perms

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_group_perm_cache"):
            user_obj._group_perm_cache = {f"{app}.{codename}" for app, codename in self._get_group_permissions(user_obj)}
        return user_obj._group_perm_cache
