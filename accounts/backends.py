from django.contrib.auth.backends import ModelBackend

from . import permission_cache


class RoleAwareModelBackend(ModelBackend):
    """Django's ModelBackend, with the user's role names and permissions
    read together from the per-user cache (accounts.permission_cache): no
    query on a page once they are cached, two when they are not (navigation
    and access checks need both)."""

    def _fill(self, user_obj):
        roles, group_perms, own_perms = permission_cache.roles_and_permissions(user_obj)
        user_obj.__dict__["role_names"] = roles
        user_obj._group_perm_cache = set(group_perms)
        user_obj._user_perm_cache = set(own_perms)

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_group_perm_cache"):
            self._fill(user_obj)
        return user_obj._group_perm_cache

    def get_user_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_user_perm_cache"):
            self._fill(user_obj)
        return user_obj._user_perm_cache
