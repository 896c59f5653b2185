from reports.models.enforcement import EnforcementFigures
from reports.models.runs import ReportRun, ReportRunQuerySet

__all__ = ["EnforcementFigures", "ReportRun", "ReportRunQuerySet"]
