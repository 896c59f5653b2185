"""Which access-log rows may say where a client was read (issue 10 §1).

A log row names a client beside the record and path that were read. For a
protected client that record can be their apartment (a complaint registered
from the apartment page, a tenancy): shown to a reviewer without the
protected-data permission, the log itself would tell where the person lives.
The rule lives in referrals (referrals.protection); audit sits below
referrals, so it asks every app that offers the hook
`AppConfig.hidden_whereabouts_ids(user, client_ids) -> set[int]` instead of
importing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.apps import apps

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def hidden_whereabouts_ids(user: AbstractBaseUser, client_ids: Iterable[int | None]) -> set[int]:
    """The ids among `client_ids` whose rows must not show record or path to `user`."""
    ids = {client_id for client_id in client_ids if client_id is not None}
    hidden: set[int] = set()
    if not ids:
        return hidden
    for config in apps.get_app_configs():
        hook = getattr(config, "hidden_whereabouts_ids", None)
        if hook is not None:
            hidden |= set(hook(user, ids))
    return hidden
