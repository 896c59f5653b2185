"""Flags and client links of the log review, declared by the apps above.

audit cannot name clients or orders (docs/architecture.md, "Layers"), so an
app that knows them declares on its AppConfig:

- `access_log_flags()` -> [{"code", "label", "badge", "condition"}]: a
  condition is a callable returning a Q on AccessLogEntry's own columns
  (referrals.log_flags);
- `access_log_client_links(user, client_ids)` -> {client id: url}: the
  client pages `user` may open.

The log page filters by the flags' codes, marks each row with its flags
(annotations of the same query, so the page costs no query per row), and
links a row's client where the reviewer may open them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import BooleanField, ExpressionWrapper

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.db.models import QuerySet


def registered_flags() -> list[dict]:
    found = []
    for config in apps.get_app_configs():
        hook = getattr(config, "access_log_flags", None)
        if hook is not None:
            found += hook()
    return found


def flag_choices() -> list[tuple[str, str]]:
    return [(flag["code"], flag["label"]) for flag in registered_flags()]


def _field(code: str) -> str:
    return "flag_" + code.replace("-", "_")


def with_flags(entries: QuerySet, codes: Iterable[str] = ()) -> QuerySet:
    """`entries` with a boolean `flag_<code>` per registered flag, narrowed
    to the rows that have every flag in `codes` (unknown codes are ignored)."""
    wanted = set(codes)
    annotations = {
        _field(flag["code"]): ExpressionWrapper(flag["condition"](), output_field=BooleanField())
        for flag in registered_flags()
    }
    entries = entries.annotate(**annotations)
    for flag in registered_flags():
        if flag["code"] in wanted:
            entries = entries.filter(**{_field(flag["code"]): True})
    return entries


def row_badges(entry) -> list[str]:
    """The badges of one annotated row."""
    return [str(flag["badge"]) for flag in registered_flags() if getattr(entry, _field(flag["code"]), False)]


def client_links(user: AbstractBaseUser, client_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {client_id for client_id in client_ids if client_id is not None}
    links: dict[int, str] = {}
    if not ids:
        return links
    for config in apps.get_app_configs():
        hook = getattr(config, "access_log_client_links", None)
        if hook is not None:
            links.update(hook(user, ids))
    return links
