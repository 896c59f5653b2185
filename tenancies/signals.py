"""The tenancies app's own Django signals: hooks for higher apps.

`tenancy_ending(tenancy, end_date, end_reason)` is sent by
services.moves.move_out inside its transaction, before anything is
written. A receiver may refuse the move-out by raising core.rules.RuleError
with a Swedish message (and the field it belongs beside); the move-out then
raises it as a TenancyError and nothing is saved. The rent ledger uses it:
a tenancy cannot be ended for arrears while the tenant may still recover it
(rent.services.terminations)."""

from django.dispatch import Signal

tenancy_ending = Signal()
