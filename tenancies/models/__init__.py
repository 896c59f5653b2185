"""The housing side: apartments, second-hand tenancies and what hangs on them."""

from .apartments import (  # noqa: F401
    Apartment,
    ApartmentKind,
    ApartmentQuerySet,
    ApartmentStatus,
    Complaint,
    ComplaintKind,
    ComplaintSource,
    KeySet,
    Tenure,
)
from .chain import (  # noqa: F401
    ApartmentOffer,
    HousingNeeds,
    OfferState,
    Vacancy,
    VacancyReason,
    WaitingPriority,
)
from .lists import Area, Landlord, merge_spellings, name_key, normalise_name  # noqa: F401
from .tenancies import (  # noqa: F401
    SELF_SUPPORTING_INCOME,
    EndReason,
    HomeInsurance,
    IncomeKind,
    IncomeSource,
    Tenancy,
    TenancyQuerySet,
)
