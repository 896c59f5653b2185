"""What audit tells the layers above it.

audit sits below accounts, so it cannot look up who should hear about a
problem or how to reach them; it announces the problem, and accounts (which
knows the roles and the notifications) connects a receiver in
AccountsConfig.ready.
"""

from django.dispatch import Signal

# Sent by the nightly check (audit.tasks.verify_log_chains) when a chain is
# found broken, with `verification`: the LogVerification recording the run.
# `manage.py verify_log` reports to whoever ran it and does not send it.
log_chain_broken = Signal()
