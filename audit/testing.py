"""The test suite runs the application as production does (audit.db_guards,
db_roles): on PostgreSQL the test database is created and migrated by the
connecting role (the owner), then `db_roles` grants the runtime role and
every connection logs in as it, so a test that passes on PostgreSQL passed
with the runtime role's rights. Two things need the owner and get it here:
the flush between transactional tests (TRUNCATE), and tests that simulate
tampering by someone holding the owner's rights.
"""

import io
from contextlib import contextmanager

from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations

from . import db_guards

RUNTIME_ROLE = "bolots_test_runtime"

# The owner's login (USER, PASSWORD) while the suite runs as the runtime role.
_owner_login = None
# The owner's role name (PostgreSQL), for tests.
owner_role = None


def owner_connection():
    """A new connection to the test database as the owner (PostgreSQL)."""
    owner = connection.copy()
    if _owner_login is not None:
        owner.settings_dict.update(_owner_login)
    return owner


@contextmanager
def owner_cursor(*, triggers_off=True):
    """A cursor with the owner's rights and the append-only triggers off:
    what a database administrator could do. Only for tests simulating
    tampering; on PostgreSQL it is a separate connection, so it sees only
    committed rows (use a transactional test)."""
    if connection.vendor == "sqlite":
        with db_guards.lifted(), connection.cursor() as cursor:
            yield cursor
        return
    owner = owner_connection()
    try:
        with owner.cursor() as cursor:
            # Triggers off for this session only (superuser in tests; an
            # owner could ALTER TABLE … DISABLE TRIGGER instead).
            if triggers_off:
                cursor.execute("SET session_replication_role = replica")
            yield cursor
    finally:
        owner.close()


_original_flush = BaseDatabaseOperations.execute_sql_flush


def _flush_with_owner_rights(self, sql_list):
    if self.connection.vendor == "sqlite":
        with db_guards.lifted():
            return _original_flush(self, sql_list)
    if _owner_login is None or self.connection.alias != connection.alias:
        return _original_flush(self, sql_list)
    owner = owner_connection()
    try:
        with owner.cursor() as cursor:
            for statement in sql_list:
                cursor.execute(statement)
    finally:
        owner.close()


@contextmanager
def running_as_runtime_role():
    """Session-long: grant the runtime role on the test database and connect
    as it; flush with the owner's rights. Restores the owner's login at the
    end so that the test database can be dropped."""
    global _owner_login, owner_role
    BaseDatabaseOperations.execute_sql_flush = _flush_with_owner_rights
    if connection.vendor != "postgresql":
        try:
            yield
        finally:
            BaseDatabaseOperations.execute_sql_flush = _original_flush
        return
    from django.core.management import call_command

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = owner_role = cursor.fetchone()[0]
    call_command("db_roles", owner=owner, runtime=RUNTIME_ROLE, stdout=io.StringIO())
    settings_dict = connection.settings_dict
    _owner_login = {"USER": settings_dict["USER"], "PASSWORD": settings_dict["PASSWORD"]}
    connection.close()
    settings_dict.update(USER=RUNTIME_ROLE, PASSWORD="")
    try:
        yield
    finally:
        connection.close()
        settings_dict.update(_owner_login)
        _owner_login = None
        BaseDatabaseOperations.execute_sql_flush = _original_flush
