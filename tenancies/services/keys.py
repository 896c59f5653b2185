"""An apartment's keys: the key sets handed out and kept, and reading them
within the apartment's own query. Key changes are written to the
apartment's own history (field "keys"), so the apartment's history page
shows where every key went."""

from django.db import transaction
from django.db.models import Aggregate, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _

from audit.models import AccessAction
from audit.services import Change, log_access, record_changes

from ..models import KeySet

KEY_FIELDS = ["count", "tag", "kept_at", "note"]


def _keys_label():
    return str(KeySet._meta.verbose_name_plural)


def describe_keys(keyset):
    text = _("%(count)s × %(tag)s, kept: %(kept_at)s") % {
        "count": keyset.count, "tag": keyset.tag or "–", "kept_at": keyset.kept_at,
    }
    return f"{text} ({keyset.note})" if keyset.note else text


def _record_keys(ctx, apartment, old, new):
    record_changes(ctx, apartment, [Change("keys", _keys_label(), old, new)])


@transaction.atomic
def add_keys(ctx, apartment, keyset):
    keyset.apartment = apartment
    keyset.save()
    _record_keys(ctx, apartment, "", describe_keys(keyset))
    log_access(ctx, AccessAction.CREATE, keyset)
    return keyset


@transaction.atomic
def update_keys(ctx, keyset):
    stored = KeySet.objects.select_for_update().get(pk=keyset.pk)
    before, after = describe_keys(stored), describe_keys(keyset)
    keyset.save()
    if before != after:
        _record_keys(ctx, keyset.apartment, before, after)
    log_access(ctx, AccessAction.UPDATE, keyset)
    return keyset


@transaction.atomic
def remove_keys(ctx, keyset):
    apartment = keyset.apartment
    described = describe_keys(keyset)
    log_access(ctx, AccessAction.DELETE, keyset, note=described[:300])
    keyset.delete()
    _record_keys(ctx, apartment, described, "")


class JSONList(Aggregate):
    """The grouped rows as one JSON list (jsonb_agg on PostgreSQL,
    json_group_array on SQLite), so that a page can read a few small child
    rows within its parent's query."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def keys_as_json():
    """The apartment's key sets as a list of dicts (id, count, tag, kept_at,
    note), in the apartment's own query: the apartment page would otherwise
    pass its query budget."""
    return Subquery(
        KeySet.objects.filter(apartment=OuterRef("pk"))
        .values("apartment")
        .annotate(sets=JSONList(JSONObject(id="id", count="count", tag="tag", kept_at="kept_at", note="note")))
        .values("sets"),
        output_field=JSONField(),
    )


def key_sets_of(apartment):
    """The key sets read by keys_as_json(), oldest first."""
    return sorted(getattr(apartment, "key_sets", None) or [], key=lambda keyset: keyset["id"])
