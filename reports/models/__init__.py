from reports.models.enforcement import EnforcementFigures
from reports.models.runs import ReportRun, ReportRunQuerySet
from reports.models.snapshots import YearSnapshot, YearSnapshotQuerySet

__all__ = ["EnforcementFigures", "ReportRun", "ReportRunQuerySet", "YearSnapshot", "YearSnapshotQuerySet"]
