"""The rent app's own Django signals.

`payments_allocated(tenancy_ids)` is sent by services.allocation after new
allocations are written (inside the transaction), once for all the
tenancies touched: a termination's recovery
check (services.terminations) listens, so a payment in time marks the
tenancy recovered whatever path brought the payment in."""

from django.dispatch import Signal

payments_allocated = Signal()
