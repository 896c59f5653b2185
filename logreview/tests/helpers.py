"""Hand-built reads for the log-review tests."""

from datetime import datetime

from audit.models import AccessAction, AccessLogEntry
from logreview.rules import STOCKHOLM


def at(year, month, day, hour=10, minute=0):
    """A moment in Swedish time."""
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def read(user, client, moment, action=AccessAction.VIEW):
    """One access-log row: `user` read `client` (a Client or an id) at `moment`."""
    client_id = getattr(client, "pk", client)
    return AccessLogEntry.objects.create(
        at=moment, user=user, action=action, client_id=client_id, object_type="referrals.client",
        object_id=str(client_id), client_label="Fiktiv Person", path=f"/klienter/{client_id}/",
    )
