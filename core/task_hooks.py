"""A pause point for the tests of a killed or stopped worker (issue 16 §2).

Those tests must stop a real worker at a known point in the middle of a task
(payments inserted but not committed; a PDF rendered but not stored). A task
calls `pause_point("name")` there. It does nothing unless the worker was
started with BOLOTS_TASK_PAUSE=name and BOLOTS_TASK_PAUSE_DIR=<dir>, which
only the tests set: it then creates <dir>/name.reached and waits until
<dir>/name.release exists (or PAUSE_LIMIT seconds pass), so the test knows
the task is in the middle and decides when it goes on (or kills the worker).
"""

import os
import time
from pathlib import Path

PAUSE_LIMIT = 120


def pause_point(name: str) -> None:
    if os.environ.get("BOLOTS_TASK_PAUSE") != name:
        return
    folder = Path(os.environ["BOLOTS_TASK_PAUSE_DIR"])
    (folder / f"{name}.reached").touch()
    release = folder / f"{name}.release"
    deadline = time.monotonic() + PAUSE_LIMIT
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
