"""Log line formats (settings.LOGGING, LOG_FORMAT).

Both give every line the time as ISO 8601 with its UTC offset in the
project's one time zone (TIME_ZONE, Europe/Stockholm), the level and the
logger, so lines of gunicorn, the worker and beat sort and compare without
guessing. JSON lines in production: one object per line, which journald and
log shippers read without parsing rules.
"""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from pythonjsonlogger.json import JsonFormatter


def _zone():
    # Read lazily: this module is imported while settings are configured.
    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)


def iso_time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, _zone()).isoformat(timespec="milliseconds")


class JsonLines(JsonFormatter):
    """{"time": "2026-12-07T07:01:02.345+01:00", "level": "INFO", "logger": ..., "message": ...}"""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        super().__init__(*args, **kwargs)

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's name)
        return iso_time(record)


class PlainLines(logging.Formatter):
    """2026-12-07T07:01:02.345+01:00 INFO django.request Not Found: /x"""

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's name)
        return iso_time(record)
