"""The access log after culling (docs/culling.md, "The access log after
culling").

The law wants a culled person's file gone, and the access log kept: its rows
stay, but the name and number snapshots of the person become the culling
reference and the change history loses its old and new values (the file's
content: addresses, notes), keeping which field changed, who and when.

The rows are links of the tamper-evident chain (audit.chain), so overwriting
them is done in a way the chain survives: for every row, after checking that
its hash is intact, the keyed digest of its personal columns is appended to
`RedactedRow` (itself chained), and only then are the columns overwritten,
with one UPDATE per table. The database lets exactly that UPDATE through and
nothing else (audit.db_guards on SQLite, migration 0006's trigger and
db_roles' column grants on PostgreSQL).

Called by the receiver of core.signals.client_culled (audit.apps), inside
the culled person's transaction: if a row's hash does not match, redaction
refuses (recording the digest of a tampered row would launder it) and the
person's culling is rolled back and reported.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Subquery

from .chain import REDACTABLE, chain_key, link_hash, personal_digest, redaction_values
from .models import AccessLogEntry, FieldChange, RedactedRow

if TYPE_CHECKING:
    from collections.abc import Iterator

# Models whose rows carry a client's personal data, in the order redacted.
REDACTED_MODELS = (AccessLogEntry, FieldChange)
BATCH = 2000  # PostgreSQL takes at most 65 535 parameters per statement

# References whose redaction runs in this process now. SQLite's UPDATE
# trigger asks (bolots_redacting(), audit.db_guards): the nearest SQLite
# comes to "the redaction record was inserted in this transaction".
_open: set[str] = set()


class RedactionError(Exception):
    """A row of the person's log does not match its hash: not redacted."""


def is_open(reference: str) -> bool:
    return reference in _open


@contextmanager
def _redacting(reference: str) -> Iterator[None]:
    _open.add(reference)
    try:
        yield
    finally:
        _open.discard(reference)


def redact_client(client_id: int, reference: str) -> int:
    """Replace a culled client's personal data in the evidence tables by
    `reference`; return the number of rows redacted (0 when there were none
    or they were redacted before). A few statements per table whatever the
    number of rows (docs/performance.md, "Redaction")."""
    if not reference:
        raise ValueError("a culling reference is required")
    key = chain_key()
    total = 0
    with transaction.atomic(), _redacting(reference):
        for model in REDACTED_MODELS:
            table = model._meta.db_table
            already = RedactedRow.objects.filter(table=table, row_seq=OuterRef("chain_seq"))
            previous = model._base_manager.filter(chain_seq=OuterRef("chain_seq") - 1).values("chain_hash")[:1]
            rows = list(
                model._base_manager.filter(client_id=client_id)
                .exclude(Exists(already))
                .annotate(previous_hash=Subquery(previous))
                .order_by("chain_seq")
            )
            if not rows:
                continue
            records = []
            for row in rows:
                # The first row links to "" (no previous row).
                previous_hash = row.previous_hash if row.chain_seq > 1 else ""
                digest = personal_digest(row, key)
                if previous_hash is None or link_hash(previous_hash, row, key, recorded_digest=digest) != row.chain_hash:
                    raise RedactionError(
                        f"{table}: row id {row.pk}, position {row.chain_seq} does not match its hash; "
                        "run verify_log before culling this person"
                    )
                records.append(RedactedRow(
                    table=table, row_seq=row.chain_seq, client_id=client_id, reference=reference,
                    personal_digest=digest,
                ))
            RedactedRow.objects.bulk_create(records, batch_size=BATCH)
            # Past AppendOnlyQuerySet.update on purpose: this is the one
            # UPDATE the database guards let through.
            redacted = models.QuerySet.update(
                model._base_manager.filter(
                    client_id=client_id,
                    chain_seq__in=RedactedRow.objects.filter(
                        table=table, client_id=client_id, reference=reference,
                    ).values("row_seq"),
                ),
                **redaction_values(table, reference),
            )
            if redacted != len(records):
                raise RedactionError(f"{table}: {len(records)} rows recorded but {redacted} redacted")
            total += redacted
    return total


def redacted_columns() -> dict[str, tuple[str, ...]]:
    """The columns redaction writes, by table (for db_roles' grants)."""
    return dict(REDACTABLE)

