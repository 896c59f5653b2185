from reports.models.enforcement import EnforcementFigures
from reports.models.narrative import NarrativeDelegate, NarrativeSection, NarrativeState, NarrativeText
from reports.models.runs import ReportRun, ReportRunQuerySet
from reports.models.snapshots import YearSnapshot, YearSnapshotQuerySet
from reports.models.year_figures import YearFigures

__all__ = [
    "EnforcementFigures", "NarrativeDelegate", "NarrativeSection", "NarrativeState", "NarrativeText", "ReportRun", "ReportRunQuerySet", "YearFigures", "YearSnapshot", "YearSnapshotQuerySet"]
