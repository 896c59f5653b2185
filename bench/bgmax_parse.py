"""How long reading and checking a BgMax file takes in the request: the
threshold rent.services.bgmax_import.CHECK_IN_REQUEST_BYTES (docs/rent.md,
"The import as a background job"). Run with
`DEBUG=1 python manage.py shell < bench/bgmax_parse.py`; best of three."""

import time
from datetime import date, datetime

from rent.bgmax.parser import parse
from rent.bgmax.records import BgMaxDeposit, BgMaxFileContent, BgMaxPayment
from rent.bgmax.writer import write_bytes

for n in (3000, 30000):
    payments = [BgMaxPayment(sender_bankgiro="5555555", reference=str(10000 + i), amount=100000 + i, name="FIKTIV BETALARE") for i in range(n)]
    data = write_bytes(BgMaxFileContent(written_at=datetime(2026, 11, 28, 6), deposits=[BgMaxDeposit(recipient_bankgiro="9912346", paid_on=date(2026, 11, 28), payments=payments)]))
    best = min((lambda t: (parse(data), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(3))
    print(n, len(data), f"{best:.3f} s", f"{best*1000/n:.3f} ms/payment")
