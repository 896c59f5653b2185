"""Count the CPU instructions each page of the load test costs, in-process.

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/page_instructions.py [--pages /min-dag/ ...] [--jobs 2]

For each page of bench/load.py's journeys, as the demo user of each role that
opens it: Django's test client (DEBUG off, logged in with the second factor
done) requests the page once to warm up, then 2 and then 12 more times, each
run in its own process under valgrind (cachegrind, no cache simulation); the
difference of the two totals divided by 10 is what one request costs. Prints
each page (millions of instructions per request, averaged over the roles
that open it) and the mean weighted as the load test mixes them.

Why instructions: the machines this runs on are virtual machines on shared
hosts, where the CPU time of the same page moved by 20 % within the hour
and load-test rates by more (docs/performance.md). An instruction count
does not depend on what else the host does: the same page counted twice
agreed within 0.5 %. It does move a little with the database's contents
(every run adds access-log rows), so compare counts taken on the same
database within the same hour. Needs valgrind (Debian's package); about a
minute per page and job.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
from bench.load import JOURNEYS  # noqa: E402  (after the path)

SETTINGS = dict(
    DEBUG="0", SECRET_KEY="bench-only-not-secret-" + "x" * 40, SITE_URL="http://testserver", CELERY_EAGER="1",
    STATIC_MANIFEST="0", ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0", DJANGO_SETTINGS_MODULE="config.settings",
    # A fixed hash seed: dict and set orders, and so the instructions, repeat.
    PYTHONHASHSEED="0",
)


def requests(page: str, times: int) -> None:
    """In the process valgrind counts: request `page` `times` times as each
    role whose journey has it, after one warm-up request each."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.tests.second_factor import mark_client_verified

    for role, pages in JOURNEYS.items():
        if page not in pages:
            continue
        user = get_user_model().objects.get(username=role)
        client = Client()
        client.force_login(user)
        mark_client_verified(client, user)
        response = client.get(page)
        if response.status_code != 200:
            raise SystemExit(f"{page} as {role}: {response.status_code}")
        for _ in range(times):
            client.get(page)


def instructions(page: str, times: int) -> int:
    env = dict(os.environ, **SETTINGS)
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, __file__, "--inner", page, str(times)],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode or not found:
        raise SystemExit(f"{page}: valgrind failed:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_request(page: str) -> float:
    """Millions of instructions per request, averaged over the roles."""
    roles = sum(page in pages for pages in JOURNEYS.values())
    return (instructions(page, 12) - instructions(page, 2)) / 10 / roles / 1e6


def weights() -> dict[str, float]:
    """Each page's share of the load test's requests: the simulated users
    are spread evenly over the roles, and each picks a page of its journey
    at random."""
    shares: dict[str, float] = {}
    for pages in JOURNEYS.values():
        for page in pages:
            shares[page] = shares.get(page, 0) + 1 / len(pages) / len(JOURNEYS)
    return shares


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--inner":
        os.environ.update(SETTINGS)
        requests(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", help="only these pages (default: every page of the journeys)")
    parser.add_argument("--jobs", type=int, default=2, help="pages counted at once (one core each)")
    args = parser.parse_args()
    share = weights()
    pages = args.pages or list(share)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        counted = dict(zip(pages, pool.map(per_request, pages), strict=True))
    for page in sorted(counted, key=lambda page: -share.get(page, 0) * counted[page]):
        print(f"{page:28} {counted[page]:7.1f} M instructions per request  (share of the load test {share.get(page, 0):.3f})")
    if not args.pages:
        print(f"weighted as the load test mixes them: {sum(share[p] * counted[p] for p in counted):.1f} M per request")
    print(f"({time.monotonic() - started:.0f} s; median page {statistics.median(counted.values()):.1f} M)")


if __name__ == "__main__":
    main()
