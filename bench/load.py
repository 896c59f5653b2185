"""Load test: simulated users against gunicorn + PostgreSQL on this machine.

    DATABASE_URL=postgres:///bolots_bench CACHE_URL=redis://127.0.0.1:6379/1 \
        .venv/bin/python bench/load.py [--users 50] [--seconds 60]
    ... bench/load.py --rate-search [--seconds 45]    # the highest rate at p95 <= 300 ms

Run after `bench/seed_timing.py` on the same database. Starts gunicorn with
the repository's gunicorn.conf.py (production settings: DEBUG off, plain
HTTP on 127.0.0.1; GUNICORN_WORKER_CLASS, GUNICORN_WORKERS and
GUNICORN_THREADS in the environment override its choice, which is how the
worker classes were compared), logs each simulated user in through the login
form as one of the demo users (a bolots, a case officer or a manager, in
turn), and lets every user walk through the pages of their role with a think
time of 0.5–1.5 s for `--seconds`, each on its own kept-alive connection
(`--no-keepalive`: a new connection per request). Prints requests, the request rate, errors
(any status other than 200, or a failed connection) and the latency
percentiles. The load generator runs on the same two cores as gunicorn and
PostgreSQL, so the figures are pessimistic.

`--rate-search` runs one step after another on the same server, with more
users each time (`--steps`, default 50 75 100 125 150 175 200), stops after
the first step over the budget, and prints the highest request rate served
with p95 <= 300 ms and no errors: with a think time of about a second, the
offered rate grows with the number of users until the server cannot keep
up, which shows as the p95 rising over the budget.
"""

import argparse
import http.client
import http.cookiejar
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"

# The pages each role opens during a working day (no record ids: the lists
# and start pages, which are the most frequent requests).
JOURNEYS = {
    "bolots": ["/min-dag/", "/klienter/", "/boendekurs/", "/lagenheter/"],
    "handlaggare": ["/klienter/", "/uppdrag/", "/beslut/ej-verkstallda/", "/signaler/",
                    "/lagenheter/", "/boende/overtagande/", "/underrattelser/",
                    # The rent ledger (issue 14): the overview, the aging and who is behind.
                    "/hyra/", "/hyra/aldersanalys/", "/hyra/efter/"],
    "chef": ["/bolots/enheten/", "/bolots/avbokningar/", "/mal/", "/klienter/", "/logg/",
             # Arrears figures and the monthly log review (issue 15).
             "/hyra/", "/hyra/restskulder/", "/logggranskning/"],
}
BUDGET_P95_MS = 300
DEFAULT_STEPS = [50, 75, 100, 125, 150, 175, 200]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def start_server():
    env = dict(
        os.environ,
        DEBUG="0",
        SECRET_KEY="bench-only-not-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        STATIC_MANIFEST="0",
        # Production refuses to start without these (config/settings.py);
        # the pages measured enqueue nothing, so tasks may run eagerly.
        SITE_URL=os.environ.get("SITE_URL", f"http://127.0.0.1:{PORT}"),
        CELERY_EAGER=os.environ.get("CELERY_EAGER", "1"),
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        # The load generator logs in before the clock starts; a generous
        # timeout there only (pages must answer in far less anyway).
        GUNICORN_TIMEOUT="120",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=BASE_DIR, env=env, start_new_session=True,
    )
    for _ in range(60):
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=10)
            return server, describe_server(env)
        except urllib.error.HTTPError:
            # Up, but a component is reported unhealthy: serving pages is what counts here.
            return server, describe_server(env)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def describe_server(env):
    """The worker settings gunicorn.conf.py ends up with, for the printout."""
    import importlib.util

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        spec = importlib.util.spec_from_file_location("gunicorn_conf", BASE_DIR / "gunicorn.conf.py")
        conf = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(conf)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    threads = f" x {conf.threads} threads" if conf.worker_class == "gthread" else ""
    return f"gunicorn {conf.worker_class} {conf.workers} workers{threads}"


def analyze():
    """ANALYZE the database before the clock starts. Every run adds access-log
    and session rows; on a server with autovacuum off (this machine's) the
    planner would go on believing the access log empty and sort the unit's
    whole log for the first page of /logg/ (50 ms instead of 0.5 ms), which
    production's autovacuum would not let happen."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return
    import psycopg

    with psycopg.connect(url.replace("postgres:///", "postgresql:///", 1), autocommit=True) as connection:
        connection.execute("ANALYZE")


def setup_django():
    """Django in this process, only to compute the demo users' second-factor
    codes (demo.users); the server runs with its own settings."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()


def logged_in_opener(username):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(BASE + "/konto/logga-in/", timeout=30).read().decode()
    token = CSRF.search(page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": f"{username}-demo"}
    ).encode()
    request = urllib.request.Request(BASE + "/konto/logga-in/", data=data, headers={"Referer": BASE + "/"})
    response = opener.open(request, timeout=120)
    if "/konto/logga-in/" in response.geturl():
        raise SystemExit(f"login failed for {username}")
    # Step two: the demo user's authenticator code (demo.users' fixed key).
    page = response.read().decode()
    if "tvastegsverifiering" in response.geturl():
        from demo.users import demo_second_factor

        _key, code = demo_second_factor(username)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF.search(page).group(1), "code": code}).encode()
        request = urllib.request.Request(response.geturl(), data=data, headers={"Referer": BASE + "/"})
        response = opener.open(request, timeout=120)
        if "tvastegsverifiering" in response.geturl():
            raise SystemExit(f"second step failed for {username}")
    return opener


# Each simulated user keeps its connection open between requests, as a
# browser does and as the documented proxy does towards gunicorn
# (deploy/nginx-bolots.conf: HTTP/1.1 with an upstream keepalive pool);
# --no-keepalive opens a new connection per request, as the earlier
# figures were taken.
KEEPALIVE = True


def cookie_header(opener):
    """The demo user's session and CSRF cookies, as the browser sends them."""
    jar = next(handler.cookiejar for handler in opener.handlers
               if isinstance(handler, urllib.request.HTTPCookieProcessor))
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def fetch_keepalive(state, path, cookies):
    """GET `path` on this user's persistent connection: (status, connection)."""
    connection = state.get("connection")
    for attempt in range(2):
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        try:
            connection.request("GET", path, headers={"Cookie": cookies})
            response = connection.getresponse()
            response.read()
            if response.will_close:
                connection.close()
                connection = None
            state["connection"] = connection
            return response.status
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed an idle connection (its keep-alive timeout):
            # a browser reconnects and sends again, once.
            connection.close()
            connection = None
            if attempt:
                raise
    raise AssertionError("unreachable")


def user_loop(opener, journey, deadline, results, lock):
    rng = random.Random()
    cookies, state = cookie_header(opener), {}
    # Each user starts after a think time of its own, as users arriving
    # over a second do: fifty first requests sent in the same millisecond
    # are a burst no steady load has, and they were the run's ten slowest
    # requests (a p99 of the start, not of the load).
    time.sleep(rng.uniform(0, 1.5))
    while time.monotonic() < deadline:
        path = rng.choice(journey)
        started = time.perf_counter()
        try:
            if KEEPALIVE:
                outcome = fetch_keepalive(state, path, cookies)
            else:
                response = opener.open(BASE + path, timeout=30)
                response.read()
                outcome = response.status
        except urllib.error.HTTPError as error:
            outcome = error.code
        except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException) as error:
            outcome = type(error).__name__
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            results.append((path, elapsed, outcome, started))
        time.sleep(rng.uniform(0.5, 1.5))
    if state.get("connection") is not None:
        state["connection"].close()


def run_step(sessions, users, seconds):
    """`users` simulated users for `seconds`: [(path, ms, outcome, started)]
    (`started`: time.perf_counter() when the request was sent)."""
    roles = list(JOURNEYS)
    names = [roles[i % len(roles)] for i in range(users)]
    results, lock = [], threading.Lock()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=user_loop, args=(sessions[name], JOURNEYS[name], deadline, results, lock))
               for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def pct(values, p):
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def summary(results, users, seconds):
    times = sorted(elapsed for _path, elapsed, *_rest in results)
    errors = sum(1 for _path, _elapsed, outcome, _started in results if outcome != 200)
    return {
        "users": users, "requests": len(results), "rate": len(results) / seconds, "errors": errors,
        "p50": statistics.median(times), "p95": pct(times, 0.95), "p99": pct(times, 0.99), "max": times[-1],
    }


def print_step(row, server):
    print(f"{row['users']} users, {server}: {row['requests']} requests, {row['rate']:.1f} req/s, "
          f"{row['errors']} errors, p50 {row['p50']:.0f} ms, p95 {row['p95']:.0f} ms, "
          f"p99 {row['p99']:.0f} ms, max {row['max']:.0f} ms", flush=True)


def print_details(results):
    kinds = {}
    for path, _elapsed, outcome, _started in results:
        if outcome != 200:
            kinds[(path, outcome)] = kinds.get((path, outcome), 0) + 1
    for (path, outcome), count in sorted(kinds.items(), key=str):
        print(f"  error {outcome} on {path}: {count}")
    by_path = {}
    for path, elapsed, _outcome, _started in results:
        by_path.setdefault(path, []).append(elapsed)
    for path, values in sorted(by_path.items()):
        values.sort()
        print(f"  {path}: {len(values)} requests, p50 {statistics.median(values):.0f} ms, "
              f"p95 {pct(values, 0.95):.0f} ms, max {values[-1]:.0f} ms")
    # The tail: whether the slowest requests are one page's or happen
    # together (a moment when every page waits: a cache refilled, a
    # collection, another process) tells where p99 comes from.
    first = min((started for *_rest, started in results), default=0.0)
    slowest = sorted(results, key=lambda row: row[1], reverse=True)[:10]
    print("  slowest: " + ", ".join(f"{path} {elapsed:.0f} ms at {started - first:.1f} s"
                                    for path, elapsed, _outcome, started in slowest))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rate-search", action="store_true",
                        help="raise the number of users step by step; report the highest rate within the budget")
    parser.add_argument("--steps", type=int, nargs="+", default=DEFAULT_STEPS)
    parser.add_argument("--no-keepalive", action="store_true",
                        help="a new connection for every request (the figures before issue 16's keep-alive)")
    args = parser.parse_args()
    global KEEPALIVE
    KEEPALIVE = not args.no_keepalive

    server, described = start_server()
    try:
        roles = list(JOURNEYS)
        # Logging in costs an Argon2 hash each (on purpose): done before the
        # clock starts. A code works once (RFC 6238 replay protection), so
        # each demo user logs in once and the simulated users of a role
        # share that session.
        from concurrent.futures import ThreadPoolExecutor

        setup_django()
        with ThreadPoolExecutor(max_workers=len(roles)) as pool:
            sessions = dict(zip(roles, pool.map(logged_in_opener, roles), strict=True))
        # One short round first: workers import their views and fill the
        # caches, as a server in use has.
        run_step(sessions, len(roles) * 2, 5)
        analyze()
        if not args.rate_search:
            results = run_step(sessions, args.users, args.seconds)
            row = summary(results, args.users, args.seconds)
            print_step(row, described)
            print_details(results)
            failed = row["errors"] > 0
        else:
            best = None
            for users in args.steps:
                results = run_step(sessions, users, args.seconds)
                row = summary(results, users, args.seconds)
                print_step(row, described)
                if row["errors"] or row["p95"] > BUDGET_P95_MS:
                    print_details(results)
                    break
                best = row
            if best is None:
                print(f"no step within p95 <= {BUDGET_P95_MS} ms and 0 errors")
            else:
                print(f"highest rate within the budget: {best['rate']:.1f} req/s "
                      f"({best['users']} users, p95 {best['p95']:.0f} ms, 0 errors)")
            failed = best is None
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
