"""The running year's dashboard figures, kept in the cache for a few minutes.

A closed year is counted once and kept (reports.year_figures); the running
year changes with every visit and move, so it is counted live. Counted on
every request it is the dearest page of all (a few hundred milliseconds of
database time at national scale, docs/performance.md "Throughput under
load"), and managers open it many times a day. Its figures are preliminary
anyway (no goal is judged before the year ends), so they are kept in the
shared cache for RUNNING_YEAR_CACHE_SECONDS per unit and day and the page
says when they were counted. 0 turns the keeping off (the test settings do,
so that a test sees its own records at once; test_running_year.py turns it
on).

Kept are the engine's own results (KpiResult, FigureSection, ChartData),
pickled by the cache; they hold aggregates only, never personal data.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit

from . import charts
from .kpis import additional_figures, caseload_per_pilot, compute_kpis

logger = logging.getLogger(__name__)

# Bump when the kept tuple's layout changes: old entries are then ignored.
LAYOUT = 2
# How long the request that counts holds the right to count (longer than
# any count takes; a process killed while counting frees it after this), how
# long the others wait for its result, and how often they look.
COUNT_LOCK_SECONDS = 60
WAIT_SECONDS = 20.0
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class RunningFigures:
    kpis: list
    sections: list
    caseload: object
    chart_data: list
    # None when counted for this request (keeping turned off).
    counted_at: datetime | None

    @property
    def label(self) -> str:
        return counted_label(self.counted_at)


def counted_label(counted_at: datetime | None) -> str:
    """"Counted 14:05; counted again at most every 5 minutes." for figures
    kept RUNNING_YEAR_CACHE_SECONDS; "" for figures counted for this request."""
    if counted_at is None:
        return ""
    return _("Counted %(time)s; counted again at most every %(minutes)s minutes.") % {
        "time": timezone.localtime(counted_at).strftime("%H:%M"),
        "minutes": max(1, settings.RUNNING_YEAR_CACHE_SECONDS // 60),
    }


def _key(unit: Unit, year: int, today: date) -> str:
    return f"reports:running:{LAYOUT}:{unit.pk}:{year}:{today.isoformat()}"


def _count(unit: Unit, year: int, today: date) -> tuple:
    return (compute_kpis(year, unit), additional_figures(year, unit), caseload_per_pilot(year, unit),
            charts.dashboard_chart_data(year, unit, today))


# The figures as this process last read them from the cache, by key and
# counting time: unpickling them is most of a kept page's cost (their labels
# are lazy translations, and Django rebuilds a proxy class for each one, about
# 0.15 ms apiece, ~160 of them). The cache holds the counting time under
# `key` and the figures under `key:data`; a process reads the figures again
# only when the counting time changed. Bounded, shared by the threads.
_MEMO_SIZE = 32
_memo: OrderedDict[tuple[str, datetime], RunningFigures] = OrderedDict()
_memo_lock = threading.Lock()


def _remember(key: str, figures: RunningFigures) -> RunningFigures:
    with _memo_lock:
        _memo[(key, figures.counted_at)] = figures
        _memo.move_to_end((key, figures.counted_at))
        while len(_memo) > _MEMO_SIZE:
            _memo.popitem(last=False)
    return figures


def _kept(key: str, counted_at: datetime | None) -> RunningFigures | None:
    """The figures counted at `counted_at` (the stamp read under `key`):
    from this process's memo, else from the cache; None when missing."""
    if counted_at is None:
        return None
    with _memo_lock:
        figures = _memo.get((key, counted_at))
    if figures is not None:
        return figures
    data = cache.get(f"{key}:data")
    if data is None or data[-1] != counted_at:
        return None
    return _remember(key, RunningFigures(*data))


def _count_and_keep(unit: Unit, year: int, today: date, key: str, seconds: int) -> RunningFigures:
    counted_at = timezone.now()
    figures = RunningFigures(*_count(unit, year, today), counted_at=counted_at)
    # The figures first, then the stamp that points at them.
    cache.set(f"{key}:data", (figures.kpis, figures.sections, figures.caseload, figures.chart_data, counted_at),
              seconds)
    cache.set(key, counted_at, seconds)
    return _remember(key, figures)


def _wait_for(key: str, lock: str) -> RunningFigures | None:
    """The figures another request is counting, once it has kept them; None
    when it gave up (the lock is gone without a result: it failed, or the
    cache is not answering) or took longer than WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        figures = _kept(key, cache.get(key))
        if figures is not None:
            return figures
        if cache.get(lock) is None:
            return _kept(key, cache.get(key))
    return None


def running_figures(unit: Unit, year: int, today: date) -> RunningFigures:
    """The dashboard figures of the running `year` for `unit`: from the
    cache when counted within RUNNING_YEAR_CACHE_SECONDS today, else
    counted now (and kept).

    One request counts at a time per unit and year (a lock in the cache):
    when the kept figures run out while several managers, or one manager's
    several tabs, ask for the page, the first counts and the others wait
    for its result instead of each running the same count at once (issue
    16: under load a burst of identical counts took the cores from every
    other page). A request that cannot get the result in time counts
    itself, as does every request when the cache does not answer (its
    `add` fails, so no request waits)."""
    seconds = settings.RUNNING_YEAR_CACHE_SECONDS
    if seconds <= 0:
        return RunningFigures(*_count(unit, year, today), counted_at=None)
    key = _key(unit, year, today)
    figures = _kept(key, cache.get(key))
    if figures is None:
        lock = f"{key}:counting"
        if cache.add(lock, 1, COUNT_LOCK_SECONDS):
            try:
                figures = _count_and_keep(unit, year, today, key, seconds)
            finally:
                cache.delete(lock)
        else:
            figures = _wait_for(key, lock) or _count_and_keep(unit, year, today, key, seconds)
    return figures
