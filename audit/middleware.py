"""Writes the access-log rows for the client data a request read.

See audit/reads.py for the mechanism. Listed in settings.MIDDLEWARE after
the authentication middleware (it needs request.user) and wrapping the view
and the rendering of its template, so that clients loaded while the
template runs (a lazy queryset, a related object) are recorded too.
"""

from . import reads
from .context import AuditContext


class ReadLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with reads.recorder() as recorder:
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            recorder.purpose = f"read by {match.view_name}" if match is not None else "read"
            # A declared duty page (the log review, the culling list) tags
            # its reads: see audit.reads, "Duty reads".
            recorder.duty = reads.duty_of(match.view_name if match is not None else None)
            self._flush(request, recorder)
        return response

    @staticmethod
    def _flush(request, recorder):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not recorder.pending:
            # Nobody to write the row for (the log needs a user): the login
            # page and other anonymous pages show no client data, and a
            # stray read there must not turn into a server error.
            return
        recorder.flush(AuditContext.from_request(request))
