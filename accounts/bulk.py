"""Fast bulk inserts for the demo data's national scale.

`insert_many(model, objects)` behaves like `Model.objects.bulk_create` (the
objects get their primary keys) but on PostgreSQL writes with COPY, with the
keys taken from the table's sequence first, and skips Django's per-field
preparation for plain values: at the national scale that preparation alone
cost over 40 seconds. Like bulk_create it does not call save() or send
signals, so derived fields must be set by the caller. Other databases use
bulk_create.
"""

from django.db import connections, router
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKey,
    IntegerField,
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


def insert_many(model, objects):
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
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(missing)],
            )
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = pk
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        raw = cursor.cursor  # the psycopg cursor, for COPY
        with raw.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([_value(obj, field, connection, now) for field in fields])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = alias
    return objects


def _value(obj, field, connection, now):
    value = getattr(obj, field.attname)
    if value is None and isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add):
        value = now
        setattr(obj, field.attname, value)
    if isinstance(field, DateTimeField) or isinstance(field, PLAIN_FIELDS):
        return value
    return field.get_db_prep_save(value, connection)
