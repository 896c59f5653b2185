"""The tamper-evident hash chain of the evidence tables.

Every table whose model derives from `audit.models.AppendOnlyModel` (access
log, change history, account events, log verifications) is one chain: its
rows are numbered 1, 2, 3 … (`chain_seq`) in the order they were appended,
and each row's `chain_hash` is

    HMAC-SHA256(key, previous row's chain_hash + "\\n" + the row's content)

where the content is the table name and every column except the id and the
hash itself. A row that is deleted leaves a gap, an altered row no longer
matches its hash, and a row moved to another position (or given another id)
breaks the links; `manage.py verify_log` (audit.management.commands) walks
every chain and says which row. The key is `settings.LOG_CHAIN_KEY`, or
derived from SECRET_KEY when that is unset (see docs/deploy.md): someone who
can write to the database but does not know the key cannot forge a chain.

Appending locks every chain head (`LogChainHead`, in one statement, always
in the same order) until the transaction ends. That serialises writers so
that two transactions can never link to the same predecessor (a fork), and
taking all heads at once means two transactions that each write two kinds of
log rows in opposite order cannot deadlock. The head is then moved by the
database itself, by an AFTER INSERT trigger on each evidence table
(migration 0005; audit.db_guards installs it on SQLite and on evidence
tables added later), so an append costs one query more than the INSERT,
whatever the number of rows: the SELECT … FOR UPDATE.

Columns with an empty value (NULL or '') are left out of the content, so
that a column added later with an empty default does not break the hashes
of older rows. A migration that adds a column with any other default, or
renames a hashed column, must re-seal the chain (audit.migrations.0004 shows
how) or the verification fails for the older rows.

Redaction (culling, docs/culling.md "The access log after culling"): in the
two tables that hold a person's data (`REDACTABLE`: the access log's name
and number snapshots, the change history's old and new values) those
columns are hashed apart: the link is

    HMAC-SHA256(key, previous hash + "\n" + the row's other content + "\n"
                + personal digest)

with personal digest = HMAC-SHA256(key, the personal columns' content). When
a person is culled, audit.redaction records each row's personal digest in
the chained table `RedactedRow` and overwrites the personal columns; the
verifier then takes the recorded digest for that row, checks that its
personal columns hold exactly the redaction values, and still hashes every
other column itself. The other evidence tables keep the plain link above
(their hashes did not change when redaction came, migration 0006).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, router, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from django.db import models

# Columns that are not part of a row's content: the id is given by the
# database after the hash is made; the hash cannot contain itself.
_NOT_HASHED = {"chain_hash"}

# The columns that culling may overwrite (audit.redaction), by table, with
# the values they get: the access log keeps its rows but not who the person
# was, the change history keeps which field changed, who and when, but not
# the values (the file's content). Keyed by table name so that migrations'
# historical models hash the same way. audit.db_guards, db_roles and
# migration 0006's trigger allow UPDATE of exactly these columns to exactly
# these values; anything else stays refused.
REDACTABLE: dict[str, tuple[str, ...]] = {
    "audit_accesslogentry": ("client_label", "client_number"),
    "audit_fieldchange": ("old_value", "new_value"),
}


def redaction_values(table: str, reference: str) -> dict[str, str]:
    """What the personal columns of a culled person's row in `table` hold."""
    if table == "audit_accesslogentry":
        return {"client_label": reference, "client_number": ""}
    if table == "audit_fieldchange":
        return {"old_value": "", "new_value": ""}
    raise ValueError(f"{table} has no redactable columns")


def chain_key() -> bytes:
    """The HMAC key: LOG_CHAIN_KEY, or one derived from SECRET_KEY."""
    key = getattr(settings, "LOG_CHAIN_KEY", "") or ""
    if key:
        return key.encode()
    return salted_hmac("bolots.audit.chain", "log-chain-key", secret=settings.SECRET_KEY, algorithm="sha256").digest()


def chained_models() -> list[type[models.Model]]:
    """Every model whose table is a chain (the append-only evidence tables)."""
    from django.apps import apps

    from .models import AppendOnlyModel

    return [model for model in apps.get_models() if issubclass(model, AppendOnlyModel)]


def _canonical(field: models.Field, value: Any) -> Any:
    """A value as the database will give it back, as JSON."""
    if value is None:
        return None
    internal = field.get_internal_type()
    if field.is_relation:
        return _canonical(field.target_field, value)
    if internal == "DateTimeField":
        if isinstance(value, str):
            value = field.to_python(value)
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if internal == "DateField":
        return field.to_python(value).isoformat()
    if internal == "GenericIPAddressField":
        return ipaddress.ip_address(str(value)).compressed
    if internal == "BooleanField":
        return bool(value)
    if internal.endswith(("IntegerField", "AutoField")):
        return int(value)
    if internal == "JSONField":
        return value
    return str(value)


def _converter(field: models.Field) -> Callable[[Any], Any]:
    """_canonical() for one field, with its type looked up once: a list page
    seals a row per client shown, and content() runs twice per row."""
    if field.is_relation:
        return _converter(field.target_field)
    internal = field.get_internal_type()
    if internal in ("DateTimeField", "DateField", "GenericIPAddressField", "BooleanField", "JSONField") or internal.endswith(
        ("IntegerField", "AutoField")
    ):
        return lambda value: _canonical(field, value)
    return str


@lru_cache(maxsize=256)
def _content_plan(
    model: type[models.Model], only: tuple[str, ...] | None, without: tuple[str, ...]
) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """(attname, converter) of the columns content() covers, in the model's
    column order. Keyed by the model class, so that a migration's historical
    model gets a plan of its own fields."""
    return tuple(
        (field.attname, _converter(field))
        for field in model._meta.concrete_fields
        if not (field.primary_key or field.attname in _NOT_HASHED or field.attname in without)
        and (only is None or field.attname in only)
    )


def content(obj: models.Model, *, only: Sequence[str] | None = None, without: Sequence[str] = ()) -> bytes:
    """The bytes that a row's hash covers (all its columns, or `only` those,
    or all `without` those)."""
    values = {}
    plan = _content_plan(type(obj), None if only is None else tuple(only), tuple(without))
    for attname, convert in plan:
        value = getattr(obj, attname)
        if value is None:
            continue
        value = convert(value)
        if value is None or value == "":
            continue
        values[attname] = value
    return json.dumps(
        [obj._meta.db_table, values], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def personal_digest(obj: models.Model, key: bytes) -> str:
    """The HMAC of a row's redactable columns: what audit.redaction keeps of
    them (keyed, so the digest does not give the name or number away to
    whoever lacks the chain key)."""
    only = REDACTABLE[obj._meta.db_table]
    return hmac.new(key, content(obj, only=only), hashlib.sha256).hexdigest()


def link_hash(previous_hash: str, obj: models.Model, key: bytes, *, recorded_digest: str | None = None) -> str:
    """The row's chain hash. `recorded_digest` stands in for the personal
    columns of a redacted row (audit.redaction)."""
    personal = REDACTABLE.get(obj._meta.db_table)
    if personal is None:
        return link_hash_v1(previous_hash, obj, key)
    digest = recorded_digest if recorded_digest is not None else personal_digest(obj, key)
    message = previous_hash.encode() + b"\n" + content(obj, without=personal) + b"\n" + digest.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def link_hash_v1(previous_hash: str, obj: models.Model, key: bytes) -> str:
    """The link before redaction existed (migrations 0004–0005), and still
    the link of the tables without redactable columns. Migration 0006
    verifies the redactable tables in this format before re-sealing them."""
    return hmac.new(key, previous_hash.encode() + b"\n" + content(obj), hashlib.sha256).hexdigest()


def _head_model() -> type[models.Model]:
    from .models import LogChainHead

    return LogChainHead


def _lock_head(model: type[models.Model], using: str) -> models.Model:
    """Lock every chain head (in table order) and return `model`'s."""
    head_model = _head_model()
    table = model._meta.db_table
    heads = {head.table: head for head in head_model.objects.using(using).select_for_update().order_by("table")}
    if table in heads:
        return heads[table]
    # A chain without a head yet (a new evidence table, or a test flush):
    # create it; a concurrent creator wins the race and we lock theirs.
    try:
        with transaction.atomic(using=using):
            head_model.objects.using(using).create(table=table)
    except IntegrityError:
        pass
    return head_model.objects.using(using).select_for_update().get(table=table)


@contextmanager
def sealing(model: type[models.Model], objs: Sequence[models.Model]) -> Iterator[None]:
    """Give `objs` (new rows of `model`, in order) their chain positions and
    hashes and let the caller insert them, in one transaction holding the
    head lock until it ends."""
    if not objs:
        yield
        return
    using = router.db_for_write(model)
    with transaction.atomic(using=using, savepoint=False):
        head = _lock_head(model, using)
        seq, previous = head.seq, head.hash
        key = chain_key()
        for obj in objs:
            seq += 1
            obj.chain_seq = seq
            obj.chain_hash = previous = link_hash(previous, obj, key)
        # The INSERT's trigger moves the head to the last row inserted.
        yield


def seal_existing(
    model: type[models.Model], head_model: type[models.Model], *, using: str = "default", batch: int = 1000,
) -> tuple[int, str]:
    """Number and hash the rows of `model` already in the table, in id order
    (for migrations: `model` and `head_model` are historical models, and
    the caller has lifted the append-only trigger)."""
    key = chain_key()
    seq, previous = 0, ""
    pending = []
    for obj in model._base_manager.using(using).order_by("pk").iterator(chunk_size=batch):
        seq += 1
        obj.chain_seq = seq
        obj.chain_hash = previous = link_hash(previous, obj, key)
        pending.append(obj)
        if len(pending) >= batch:
            model._base_manager.using(using).bulk_update(pending, ["chain_seq", "chain_hash"])
            pending = []
    if pending:
        model._base_manager.using(using).bulk_update(pending, ["chain_seq", "chain_hash"])
    head_model.objects.using(using).update_or_create(
        table=model._meta.db_table, defaults={"seq": seq, "hash": previous}
    )
    return seq, previous


# --- Verification ---------------------------------------------------------


@dataclass
class Problem:
    table: str
    row_id: object
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"row id {self.row_id}, position {self.seq}" if self.row_id is not None else f"position {self.seq}"
        return f"{self.table}: {where}: {self.message}"


@dataclass
class ChainReport:
    table: str
    rows: int = 0
    head_seq: int = 0
    head_hash: str = ""
    problems: list[Problem] = dataclass_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _redactions(table: str, head_seq: int, using: str) -> Iterator[Any]:
    """The redaction records of `table`'s rows, in chain order (a merge join
    with the rows, so the walk holds one record at a time)."""
    if table not in REDACTABLE:
        return iter(())
    from .models import RedactedRow

    return (
        RedactedRow._base_manager.using(using)
        .filter(table=table, row_seq__lte=head_seq)
        .order_by("row_seq", "chain_seq")
        .values_list("row_seq", "client_id", "reference", "personal_digest")
        .iterator(chunk_size=2000)
    )


def _check_redacted(row: models.Model, record: tuple) -> str | None:
    """Why a redacted row's personal columns are not what redaction wrote."""
    _seq, client_id, reference, _digest = record
    if row.client_id != client_id:
        return "is recorded as redacted for another client"
    expected = redaction_values(row._meta.db_table, reference)
    if any(getattr(row, column) != value for column, value in expected.items()):
        return "was redacted, but its personal columns hold other values than the redaction wrote"
    return None


def verify_chain(
    model: type[models.Model], *, anchor: tuple[int, str] | None = None, using: str = "default", chunk_size: int = 2000,
    link: Any = None,
) -> ChainReport:
    """Walk `model`'s chain up to its head and report every broken link.

    `anchor` is (position, hash) where an earlier verification found the
    chain to end: that row must still be there, unchanged.

    Only rows up to the head read first are walked: rows and head are
    committed together, so rows appended while the walk runs are simply
    left to the next run instead of looking like a mismatch.
    """
    table = model._meta.db_table
    head = _head_model().objects.using(using).filter(table=table).first()
    report = ChainReport(table, head_seq=head.seq if head else 0, head_hash=head.hash if head else "")
    key = chain_key()
    expected_seq, previous, previous_id = 1, "", None
    anchor_seen = anchor is None or anchor[0] == 0
    rows = model._base_manager.using(using).filter(chain_seq__lte=report.head_seq).order_by("chain_seq")
    # `link` is link_hash_v1 for migration 0006's check of the old format;
    # that format knew no redaction.
    redactions = _redactions(table, report.head_seq, using) if link is None else iter(())
    link = link or link_hash
    record = next(redactions, None)
    for row in rows.iterator(chunk_size=chunk_size):
        report.rows += 1
        while record is not None and record[0] < row.chain_seq:
            record = next(redactions, None)
        recorded = record if record is not None and record[0] == row.chain_seq else None
        if recorded is not None:
            problem = _check_redacted(row, recorded)
            if problem:
                report.problems.append(Problem(table, row.pk, row.chain_seq, problem))
        if row.chain_seq != expected_seq:
            report.problems.append(Problem(
                table, None, expected_seq,
                f"rows at positions {expected_seq}–{row.chain_seq - 1} are missing (deleted)",
            ))
        elif (
            link(previous, row, key, recorded_digest=recorded[3]) if recorded is not None else link(previous, row, key)
        ) != row.chain_hash:
            report.problems.append(Problem(
                table, row.pk, row.chain_seq,
                "does not match its hash: the row was altered, or moved from another position",
            ))
        if previous_id is not None and row.pk <= previous_id:
            report.problems.append(Problem(
                table, row.pk, row.chain_seq,
                "its id is out of order with the chain: rows were reordered",
            ))
        if anchor is not None and row.chain_seq == anchor[0]:
            anchor_seen = True
            if row.chain_hash != anchor[1]:
                report.problems.append(Problem(
                    table, row.pk, row.chain_seq,
                    "differs from the row found here by the previous verification: the chain was rewritten",
                ))
        previous, previous_id, expected_seq = row.chain_hash, row.pk, row.chain_seq + 1
    if expected_seq - 1 != report.head_seq:
        report.problems.append(Problem(
            table, None, expected_seq,
            f"rows at positions {expected_seq}–{report.head_seq} are missing: the chain should end at "
            f"{report.head_seq} (rows deleted at the end)",
        ))
    elif previous != report.head_hash:
        report.problems.append(Problem(
            table, previous_id, expected_seq - 1,
            "the last row's hash differs from the chain head (the end of the chain was replaced)",
        ))
    if not anchor_seen:
        report.problems.append(Problem(
            table, None, anchor[0],
            f"the previous verification found the chain ending at position {anchor[0]}; it is now shorter",
        ))
    return report


# --- Migration 0006: the redactable tables move to the split link ---------

RESEALED_MODELS = ("AccessLogEntry", "FieldChange")


def reseal_redactable(get_model: Any, *, using: str = "default") -> int:
    """Verify the access log and the change history in the old link format
    (against the last intact verification's anchors) and re-seal them in
    the new one; return the number of rows re-sealed.

    A chain that is not intact is not re-sealed: that would give tampered
    rows valid hashes. The migration stops instead, naming the rows, for
    someone to investigate (docs/culling.md). `get_model(name)` gives the
    (historical) audit model; the caller has lifted the append-only guards.
    When rows were re-sealed, a verification record is appended whose chain
    ends are the new heads, so that the next verify_log anchors on those
    rather than on hashes that no longer exist.
    """
    head_model = get_model("LogChainHead")
    verification_model = get_model("LogVerification")
    previous = verification_model._base_manager.using(using).filter(ok=True).order_by("-chain_seq").first()
    anchors = (previous.heads or {}) if previous is not None else {}
    reports = []
    for name in RESEALED_MODELS:
        model = get_model(name)
        anchor = anchors.get(model._meta.db_table)
        reports.append(verify_chain(model, anchor=tuple(anchor) if anchor else None, using=using, link=link_hash_v1))
    problems = [str(problem) for report in reports for problem in report.problems]
    if problems:
        raise RuntimeError(
            "The access log's chain is broken; it is not re-sealed (that would hide the tampering):\n"
            + "\n".join(problems[:50])
        )
    rows = sum(report.rows for report in reports)
    if not rows:
        return 0
    for name in RESEALED_MODELS:
        seal_existing(get_model(name), head_model, using=using)
    heads = {head.table: [head.seq, head.hash] for head in head_model.objects.using(using).all()}
    own = heads.get(verification_model._meta.db_table, [0, ""])
    now = timezone.now()
    record = verification_model(
        at=now, finished_at=now, trigger="reseal", ok=True, rows_checked=rows,
        problems="", heads=heads, chain_seq=own[0] + 1,
    )
    record.chain_hash = link_hash(own[1], record, chain_key())
    record.save(using=using)
    head_model.objects.using(using).update_or_create(
        table=verification_model._meta.db_table, defaults={"seq": record.chain_seq, "hash": record.chain_hash}
    )
    return rows
