import logging


class WithoutClientErrorTracebacks(logging.Filter):
    """Keep the one-line warning for 403/404 responses but drop the
    traceback Django attaches: a refused permission is expected behaviour,
    and pages of tracebacks would hide the real errors (5xx keep theirs)."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
