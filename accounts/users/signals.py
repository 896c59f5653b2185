"""The safety net of the account log.

accounts.users.services logs every change it makes. A change made any other
way (a shell session, Django's admin as superuser, a data fix) is caught
here and logged without an actor, with a note saying it bypassed the user
administration, so that no change of who may see what goes unrecorded.
Changes made by the services are not logged twice (services.in_service_change).
"""

from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from audit.context import AuditContext
from audit.models import AccountEventKind
from audit.services import log_account_event

from ..models import User
from .services import in_service_change

TRACKED_FIELDS = ("unit", "is_active", "is_superuser", "is_staff")


def _ctx():
    return AuditContext(user=None, path="outside-user-administration")


def _note():
    return _("Changed outside the user administration (shell or Django's admin).")


def _yes_no(value):
    return _("Yes") if value else _("No")


@receiver(pre_save, sender=User, dispatch_uid="accounts_users_remember_access_fields")
def remember_access_fields(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or instance.pk is None or in_service_change():
        return
    # Saves that touch none of the tracked fields (last_login on every login)
    # cost no query.
    if update_fields is not None and not ({"unit", "unit_id", *TRACKED_FIELDS} & set(update_fields)):
        return
    instance._access_before = (
        User.objects.filter(pk=instance.pk).values("unit_id", "is_active", "is_superuser", "is_staff").first()
    )


@receiver(post_save, sender=User, dispatch_uid="accounts_users_log_access_fields")
def log_access_fields(sender, instance, created, raw=False, **kwargs):
    if raw or in_service_change():
        return
    ctx = _ctx()
    if created:
        log_account_event(
            ctx, instance, AccountEventKind.CREATED,
            after=", ".join(
                part for part in (
                    str(instance.unit) if instance.unit_id else "",
                    _("superuser") if instance.is_superuser else "",
                ) if part
            ),
            note=_note(),
        )
        return
    before = instance.__dict__.pop("_access_before", None)
    if not before:
        return
    if before["unit_id"] != instance.unit_id:
        from ..models import Unit

        old = Unit.objects.filter(pk=before["unit_id"]).first()
        log_account_event(ctx, instance, AccountEventKind.UNIT_CHANGED, before=str(old) if old else "–",
                          after=str(instance.unit) if instance.unit_id else "–", note=_note())
    if before["is_active"] != instance.is_active:
        log_account_event(
            ctx, instance, AccountEventKind.ACTIVATED if instance.is_active else AccountEventKind.DEACTIVATED,
            before=_yes_no(before["is_active"]), after=_yes_no(instance.is_active), note=_note(),
        )
    for name, label in (("is_superuser", _("superuser")), ("is_staff", _("access to the admin"))):
        if before[name] != getattr(instance, name):
            log_account_event(
                ctx, instance, AccountEventKind.PERMISSIONS_CHANGED,
                before=f"{label}: {_yes_no(before[name])}", after=f"{label}: {_yes_no(getattr(instance, name))}",
                note=_note(),
            )


def _current(user, relation):
    related = getattr(user, relation)
    if relation == "user_permissions":
        return set(
            f"{app}.{codename}" for app, codename in related.values_list("content_type__app_label", "codename")
        )
    return set(related.values_list("name", flat=True))


def _m2m_handler(relation, kind):
    def handler(sender, instance, action, reverse, model, pk_set, **kwargs):
        if in_service_change() or action not in ("pre_add", "pre_remove", "pre_clear",
                                                  "post_add", "post_remove", "post_clear"):
            return
        ctx = _ctx()
        if reverse:
            # group.user_set.add(user), permission.user_set.remove(user):
            # `instance` is the group or permission, `pk_set` the users.
            if not action.startswith("post") or action == "post_clear":
                if action == "pre_clear":
                    users = list(instance.user_set.all())
                    label = getattr(instance, "name", str(instance))
                    for user in users:
                        log_account_event(ctx, user, kind, before=label, after="–", note=_note())
                return
            label = getattr(instance, "name", str(instance))
            for user in User.objects.filter(pk__in=pk_set or ()):
                added = action == "post_add"
                log_account_event(ctx, user, kind, before="–" if added else label, after=label if added else "–",
                                  note=_note())
            return
        if action.startswith("pre"):
            instance.__dict__.setdefault(f"_before_{relation}", _current(instance, relation))
            return
        before = instance.__dict__.pop(f"_before_{relation}", None)
        if before is None:
            return
        after = _current(instance, relation)
        if after != before:
            log_account_event(
                ctx, instance, kind, before=", ".join(sorted(before)) or "–", after=", ".join(sorted(after)) or "–",
                note=_note(),
            )

    return handler


_log_groups = _m2m_handler("groups", AccountEventKind.ROLES_CHANGED)
_log_permissions = _m2m_handler("user_permissions", AccountEventKind.PERMISSIONS_CHANGED)


def connect():
    m2m_changed.connect(_log_groups, sender=User.groups.through, dispatch_uid="accounts_users_log_groups")
    m2m_changed.connect(
        _log_permissions, sender=User.user_permissions.through, dispatch_uid="accounts_users_log_permissions"
    )
