"""The authority side's records. One module per area; import from here."""

from .clients import (  # noqa: F401
    PROTECTED_FIELDS,
    Client,
    ClientQuerySet,
    LegalGender,
    ProtectionLevel,
    TargetGroup,
)
from .decisions import (  # noqa: F401
    Decision,
    DecisionKind,
    DecisionOutcome,
    DecisionQuerySet,
    DecisionStatus,
    Interruption,
    LegalReference,
    LegalTopic,
    Offer,
    OfferAnswer,
    OfferDeclineReason,
)
from .housing_first import (  # noqa: F401,E402
    CandidateAssessment,
    CandidateStage,
    HomelessSituation,
    HousingFirstCandidate,
    ProposalSource,
    SteeringDecision,
    SteeringPriority,
)
from .links import PersonLink, PersonLinkKind  # noqa: F401,E402
from .notices import (  # noqa: F401
    ConcernReport,
    ContactAttempt,
    ContactMethod,
    EvictionNotice,
    NoticeOutcome,
    NoticeReason,
    NoticeSource,
    ReporterType,
)
from .orders import (  # noqa: F401
    ErrandType,
    Order,
    OrderEvent,
    OrderKind,
    OrderOutcome,
    OrderQuerySet,
    OrderState,
    ReassignedOrder,
    Reassignment,
)
from .plans import IndividualPlan, PlanAction, PlanGoal, PlanReview  # noqa: F401
from .transfers import TransferRequest, TransferState  # noqa: F401,E402
