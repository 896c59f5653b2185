"""The provider side: visits and their checklist, signals to case officers,
visit frequency, housing search and the housing course."""

from .courses import (  # noqa: F401
    DEFAULT_SESSION_TOPICS,
    SESSIONS_PER_ROUND,
    Attendance,
    CourseRound,
    CourseSession,
    Enrolment,
)
from .search import ApplicationResult, HousingApplication, HousingSearchProfile, QueueRegistration  # noqa: F401
from .visits import (  # noqa: F401
    YOUNG_ADULT_AGES,
    CancelReason,
    ChecklistAnswer,
    ChecklistRule,
    FrequencyChange,
    Signal,
    SignalKind,
    Visit,
    VisitChecklist,
    VisitInterval,
    VisitKind,
    VisitOutcome,
    VisitQuerySet,
)
