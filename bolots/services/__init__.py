"""Service functions of the provider side: every write of more than one row, with its audit trail."""
