import logging

from config.log_filters import WithoutClientErrorTracebacks


def make_record(status):
    try:
        raise PermissionError("refused")
    except PermissionError:
        import sys

        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden", (), sys.exc_info())
    record.status_code = status
    return record


def test_403_keeps_the_line_but_not_the_traceback():
    record = make_record(403)
    assert WithoutClientErrorTracebacks().filter(record) is True
    assert record.exc_info is None


def test_500_keeps_its_traceback():
    record = make_record(500)
    WithoutClientErrorTracebacks().filter(record)
    assert record.exc_info is not None
