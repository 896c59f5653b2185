"""Service functions of the housing side: every write of more than one row, with its audit trail."""
