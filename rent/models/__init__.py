from .bgmax_jobs import BgMaxImportJob
from .exports import ExportFormat, FinanceExport
from .ledger import (
    Charge,
    ChargeKind,
    LineKind,
    NoticeKind,
    NoticeLine,
    NoticeRun,
    RentIncrease,
    RentNotice,
    RentRate,
)
from .payments import (
    Allocation,
    BgMaxFile,
    CreditNote,
    OpeningBalanceImport,
    Payment,
    PaymentSource,
    WriteOff,
)
from .plans import InstalmentOutcome, PlanInstalment, PlanStatus, RepaymentPlan
from .settings import RentSettings
from .terminations import (
    ArrearsTermination,
    DeliveryMethod,
    LetterDelivery,
    LetterKind,
    TerminationStatus,
)

__all__ = [
    "Allocation", "ArrearsTermination", "BgMaxFile", "BgMaxImportJob", "Charge", "ChargeKind", "CreditNote", "DeliveryMethod",
    "ExportFormat", "FinanceExport", "InstalmentOutcome", "LetterDelivery", "LetterKind", "LineKind", "NoticeKind",
    "NoticeLine", "NoticeRun", "OpeningBalanceImport", "Payment", "PaymentSource", "PlanInstalment", "PlanStatus",
    "RentIncrease", "RentNotice", "RentRate", "RentSettings", "RepaymentPlan", "TerminationStatus", "WriteOff",
]
