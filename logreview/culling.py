"""The log review when a client is culled (docs/log-review.md "Culling").

A reviewer's note on a read ("justified: her brother asked ..."), and the
measures written when an investigation closes, can name the person read.
The review items themselves stay (the month's figures, who judged, the
verdicts: evidence that the duty was done), and their access-log row has no
foreign key to the client, so culling (culling.services.execution) does not
delete them; the notes go instead. The receiver of core.signals.
client_culled runs inside the person's culling transaction: if it fails,
that person is not culled.

The items' change history (their notes' old and new values) carries the
client's id (ReviewItem.audit_client), so the audit app's receiver of the
same signal empties it (audit.redaction) like the rest of the history.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import ReviewItem


def neutral_note(reference: str) -> str:
    with override(settings.LANGUAGE_CODE):
        return _("Removed at culling (%(reference)s).") % {"reference": reference}


def clear_notes(client_id: int, reference: str) -> int:
    """Replace the notes and measures of every reviewed read of
    `client_id` by a neutral text naming the culling reference; returns the
    number of items changed. One UPDATE per field (bulk, no history rows:
    a history row would hold the old note again)."""
    text = neutral_note(reference)
    items = ReviewItem.objects.filter(entry__client_id=client_id)
    changed = set()
    for field in ("note", "outcome_note"):
        rows = items.exclude(**{field: ""}).exclude(**{field: text})
        changed.update(rows.values_list("pk", flat=True))
        # The version moves: a form opened before cannot write the old note back.
        rows.update(**{field: text, "version": F("version") + 1})
    return len(changed)


def clear_notes_of_culled_client(sender, client_id, reference, **kwargs) -> None:
    """Receiver of core.signals.client_culled (LogReviewConfig.ready)."""
    clear_notes(client_id, reference)



