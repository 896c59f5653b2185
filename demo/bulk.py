"""Fast bulk inserts for the demo data's national scale.

`insert_many(model, objects)` behaves like `Model.objects.bulk_create` (the
objects get their primary keys) but on PostgreSQL writes with COPY, with the
keys taken from the table's sequence first, and skips Django's per-field
preparation for plain values: at the national scale that preparation alone
cost over 40 seconds. Like bulk_create it does not call save() or send
signals, so derived fields must be set by the caller. Other databases use
bulk_create.

`InstanceMaker(model)` builds the model instances for it quickly.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from operator import attrgetter
from typing import Any

from django.db import ProgrammingError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    OneToOneField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SmallIntegerField,
    TextField,
)
from django.utils import timezone

BATCH = 5000
# Values of these fields are passed to the driver as they are.
PLAIN_FIELDS = (
    AutoField, BigAutoField, BigIntegerField, BooleanField, CharField, DateField, DecimalField, ForeignKey,
    IntegerField, OneToOneField, PositiveIntegerField, PositiveSmallIntegerField, SmallIntegerField, TextField,
)


class InstanceMaker:
    """Model instances built by position, the way Model.from_db builds them:
    several times faster than keyword construction, which matters for the
    hundreds of thousands of rows of the national scale. Fields not given
    get their default; an unknown name is a KeyError, not a silent typo."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.index = {field.attname: position for position, field in enumerate(fields)}
        self.defaults = [None if field.primary_key else field.get_default() for field in fields]

    def __call__(self, **values: Any) -> Model:
        row = self.defaults.copy()
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        return self.model(*row)


class Record:
    """A row being built for `write_records`: its values as attributes named
    by attname (`pk` is the primary key's), like a model instance but
    without Django's construction, which for the half a million casework
    rows of the national scale cost more than writing them (Model.__init__
    and every post_init receiver, reports.invalidation's among them)."""

    _pk_name = "id"

    @property
    def pk(self) -> Any:
        return self.__dict__[self._pk_name]

    @pk.setter
    def pk(self, value: Any) -> None:
        self.__dict__[self._pk_name] = value


class RecordMaker:
    """`maker(**values)` is a Record of `model` with every concrete field:
    the given values, the field defaults for the rest (as InstanceMaker);
    an unknown name is a KeyError, not a silent typo."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.defaults = {field.attname: None if field.primary_key else field.get_default() for field in fields}
        self.record = type(f"{model.__name__}Record", (Record,), {"_pk_name": model._meta.pk.attname})

    def __call__(self, **values: Any) -> Record:
        unknown = values.keys() - self.defaults.keys()
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        record = self.record()
        record.__dict__.update(self.defaults)
        record.__dict__.update(values)
        return record


def write_records(model: type[Model], records: Iterable[Record | Model]) -> list[Record | Model]:
    """Write Records (or unsaved instances) of `model` with `copy_rows`
    (COPY on PostgreSQL, executemany elsewhere), every concrete field. Records without a key get
    one from `reserve_keys` first (so call it where reserve_keys may be
    called), and auto_now/auto_now_add fields left empty get the time now,
    as bulk_create would give them. The values must be ready for the driver
    as they are (see copy_rows)."""
    records = list(records)
    if not records:
        return records
    meta = model._meta
    fields = meta.concrete_fields
    pk_name = meta.pk.attname
    missing = [record for record in records if record.__dict__[pk_name] is None]
    for record, key in zip(missing, reserve_keys(model, len(missing)), strict=True):
        record.__dict__[pk_name] = key
    now = timezone.now()
    for field in fields:
        if isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add):
            for record in records:
                if record.__dict__[field.attname] is None:
                    record.__dict__[field.attname] = now
    names = [field.attname for field in fields]
    copy_rows(model, names, map(attrgetter(*names), records))
    return records


def insert_many(model: type[Model], objects: Iterable[Model]) -> list[Model]:
    objects = list(objects)
    if not objects:
        return objects
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return model._default_manager.using(alias).bulk_create(objects, batch_size=BATCH)

    meta = model._meta
    fields = list(meta.concrete_fields)
    now = timezone.now()
    with connection.cursor() as cursor:
        missing = [obj for obj in objects if obj.pk is None]
        for obj, pk in zip(missing, reserve_keys(model, len(missing)), strict=True):
            obj.pk = pk
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        raw = cursor.cursor  # the psycopg cursor, for COPY
        with raw.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            if len(fields) > 1 and all(isinstance(field, (DateTimeField, *PLAIN_FIELDS)) for field in fields):
                # Every value goes as it is: one C-level attrgetter per row
                # instead of a Python call per field (millions of them).
                stamped = [field.attname for field in fields
                           if isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add)]
                row_of = attrgetter(*(field.attname for field in fields))
                for obj in objects:
                    for name in stamped:
                        if getattr(obj, name) is None:
                            setattr(obj, name, now)
                    write(row_of(obj))
            else:
                for obj in objects:
                    write([_value(obj, field, connection, now) for field in fields])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = alias
    return objects


def _value(obj: Model, field: Field, connection: BaseDatabaseWrapper, now: datetime) -> Any:
    value = getattr(obj, field.attname)
    if value is None and isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add):
        value = now
        setattr(obj, field.attname, value)
    if isinstance(field, DateTimeField) or isinstance(field, PLAIN_FIELDS):
        return value
    return field.get_db_prep_save(value, connection)


# --- Plain rows, without model instances ---------------------------------------
#
# For the millions of rows of the national scale (visits) even building
# model instances costs seconds. These take tuples of values in the order of
# the given field names, ready for the database driver as they are (ints,
# strings, booleans, dates, aware datetimes, None), and never call save() or
# fill defaults: every NOT NULL column must be given, auto_now_add ones
# included.


def reserve_keys(model: type[Model], count: int) -> Sequence[int]:
    """`count` new primary keys for `model`, to be used in `copy_rows` so that
    children can refer to rows before they are written.

    PostgreSQL: taken from the table's sequence, so they are unique whatever
    else runs. Other databases: the numbers after the largest key, so call
    this in the transaction that writes the rows, with nothing else writing
    the table meanwhile (the demo data's case; SQLite allows one writer).
    """
    if count <= 0:
        return range(0)
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence's name first: pg_get_serial_sequence inside the
            # nextval() would be looked up again for every key (ten times
            # slower: 9 s of the national seed's 1.5 million keys).
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
            (sequence,) = cursor.fetchone()
            # One session drawing from the sequence gets consecutive numbers
            # unless another session draws at the same time; then the first
            # and last suffice (a range, most of the time), else the list.
            cursor.execute(
                "SELECT min(key), max(key), CASE WHEN max(key) - min(key) = count(*) - 1 THEN NULL "
                "ELSE array_agg(key ORDER BY key) END "
                "FROM (SELECT nextval(%s::regclass) AS key FROM generate_series(1, %s)) AS drawn",
                [sequence, count],
            )
            first, last, keys = cursor.fetchone()
            return range(first, last + 1) if keys is None else keys
        cursor.execute(
            f"SELECT COALESCE(MAX({connection.ops.quote_name(meta.pk.column)}), 0) "
            f"FROM {connection.ops.quote_name(meta.db_table)}"
        )
        (largest,) = cursor.fetchone()
    return range(largest + 1, largest + 1 + count)


def copy_rows(model: type[Model], field_names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write `rows` (tuples in the order of `field_names`, attnames such as
    "order_id") into `model`'s table: COPY on PostgreSQL, executemany
    elsewhere. `rows` may be a generator: it is consumed once, in batches.
    Returns the number of rows written."""
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    if len({field.column for field in fields}) != len(fields):
        raise ValueError("a field is named twice")
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
                    written += 1
            return written
        adapters = [_adapter(field, connection) for field in fields]
        sql = (f"INSERT INTO {quote(meta.db_table)} ({columns}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        batch = []
        for row in rows:
            batch.append([value if adapt is None or value is None else adapt(value)
                          for adapt, value in zip(adapters, row, strict=True)])
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def _adapter(field: Field, connection: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    """How the database wants a field's plain value (dates and times as the
    backend stores them), or None when the value goes as it is."""
    ops = connection.ops
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        return ops.adapt_datetimefield_value
    if internal == "DateField":
        return ops.adapt_datefield_value
    if internal == "TimeField":
        return ops.adapt_timefield_value
    if internal == "DecimalField":
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    return None


@contextmanager
def foreign_keys_checked_once(*models: type[Model]) -> Iterator[None]:
    """Check the foreign keys of `models`' tables once at the end, instead
    of once per row. For loading millions of rows on PostgreSQL.

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, so PostgreSQL
    queues one check per row and key and runs them all at commit: for two
    million visits with five keys each that took longer than writing the
    rows. Inside this block the keys are dropped; on leaving it they are
    added back with their original definitions, which validates every row
    in one pass per key (the way pg_restore does it). Must run inside a
    transaction (the keys come back, or everything is rolled back); needs
    the table owner's rights (the migration role: load large demo data sets
    with MIGRATION_DATABASE_URL); without them nothing is dropped and the
    keys are checked per row. Other databases: nothing is done.
    """
    connection = connections[router.db_for_write(models[0])] if models else None
    if connection is None or connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("foreign_keys_checked_once needs a transaction")
    quote = connection.ops.quote_name
    dropped = []
    with connection.cursor() as cursor:
        # Dropping a key alters the referenced table too, which PostgreSQL
        # refuses while earlier rows of this transaction still have deferred
        # checks queued against it: run those checks now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        try:
            # A savepoint: the runtime database role (audit db_roles) owns no
            # table and may not drop keys; then the keys stay and are checked
            # row by row, which is slower but the same result.
            with transaction.atomic(using=connection.alias):
                for model in models:
                    table = model._meta.db_table
                    cursor.execute(
                        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                        [quote(table)],
                    )
                    for name, definition in cursor.fetchall():
                        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                        dropped.append((table, name, definition))
        except ProgrammingError:  # must be owner of the table
            dropped = []
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    with connection.cursor() as cursor:
        # Without the owner's rights nothing was dropped: run the queued
        # per-row checks now, so that a dangling key fails here as well.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, definition in dropped:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def indexes_built_once(*models: type[Model]) -> Iterator[None]:
    """Build the plain indexes of `models`' tables once at the end instead
    of updating them row by row: inside the block they are dropped, on
    leaving it created again from their own definitions
    (pg_get_indexdef), so the schema is the same afterwards. Indexes that
    back a constraint (primary keys, unique and exclusion constraints) stay.
    For loading hundreds of thousands of rows on PostgreSQL; queries inside
    the block read the tables without those indexes. Must run inside a
    transaction; without the owner's rights (the runtime role) nothing is
    dropped. Other databases: nothing is done."""
    connection = connections[router.db_for_write(models[0])] if models else None
    if connection is None or connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_built_once needs a transaction")
    quote = connection.ops.quote_name
    dropped = []
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                for model in models:
                    cursor.execute(
                        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                        "JOIN pg_class i ON i.oid = x.indexrelid "
                        "WHERE x.indrelid = %s::regclass "
                        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) "
                        "ORDER BY i.relname",
                        [quote(model._meta.db_table)],
                    )
                    for name, definition in cursor.fetchall():
                        cursor.execute(f"DROP INDEX {quote(name)}")
                        dropped.append(definition)
        except ProgrammingError:  # must be owner of the index
            dropped = []
    yield
    with connection.cursor() as cursor:
        for definition in dropped:
            cursor.execute(definition)
