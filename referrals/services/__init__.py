"""Service functions: every write of more than one row, with its audit trail."""
