"""Load test: simulated users against gunicorn + PostgreSQL on this machine.

    DATABASE_URL=postgres:///bolots_bench .venv/bin/python bench/load.py [--users 50] [--seconds 60]

Run after `bench/seed_timing.py` on the same database. Starts gunicorn
(production settings: DEBUG off, plain HTTP on 127.0.0.1) with
2 × cores + 1 workers, logs each simulated user in through the login form as
one of the demo users (a bolots, a case officer or a manager, in turn), and
lets every user walk through the pages of their role with a think time of
0.5–1.5 s for `--seconds`. Prints requests, errors (any status other than
200, or a failed connection) and the latency percentiles. The load generator
runs on the same two cores as gunicorn and PostgreSQL, so the figures are
pessimistic.
"""

import argparse
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
                    "/lagenheter/", "/boende/overtagande/", "/underrattelser/"],
    "chef": ["/bolots/enheten/", "/bolots/avbokningar/", "/mal/", "/klienter/", "/logg/"],
}
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
    )
    workers = 2 * (os.cpu_count() or 1) + 1
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(workers),
         "--log-level", "warning", "--timeout", "120"],
        cwd=BASE_DIR, env=env, start_new_session=True,
    )
    for _ in range(60):
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=10)
            return server, workers
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


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
        sys.path.insert(0, str(BASE_DIR))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from demo.users import demo_second_factor

        _key, code = demo_second_factor(username)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF.search(page).group(1), "code": code}).encode()
        request = urllib.request.Request(response.geturl(), data=data, headers={"Referer": BASE + "/"})
        response = opener.open(request, timeout=120)
        if "tvastegsverifiering" in response.geturl():
            raise SystemExit(f"second step failed for {username}")
    return opener


def user_loop(opener, journey, deadline, results, lock):
    rng = random.Random()
    while time.monotonic() < deadline:
        path = rng.choice(journey)
        started = time.perf_counter()
        try:
            response = opener.open(BASE + path, timeout=30)
            response.read()
            outcome = response.status
        except urllib.error.HTTPError as error:
            outcome = error.code
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            outcome = type(error).__name__
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            results.append((path, elapsed, outcome))
        time.sleep(rng.uniform(0.5, 1.5))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()

    server, workers = start_server()
    try:
        roles = list(JOURNEYS)
        # Logging in costs an Argon2 hash each (on purpose): done before the
        # clock starts, a few at a time.
        from concurrent.futures import ThreadPoolExecutor

        # A code works once (RFC 6238 replay protection), so each demo user
        # logs in once and the simulated users of a role share that session.
        with ThreadPoolExecutor(max_workers=workers) as pool:
            sessions = dict(zip(roles, pool.map(logged_in_opener, roles), strict=True))
            names = [roles[i % len(roles)] for i in range(args.users)]
            openers = [(sessions[name], JOURNEYS[name]) for name in names]
        print(f"{len(openers)} users logged in", flush=True)
        results, lock = [], threading.Lock()
        deadline = time.monotonic() + args.seconds
        threads = [threading.Thread(target=user_loop, args=(opener, journey, deadline, results, lock))
                   for opener, journey in openers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()

    times = sorted(elapsed for _path, elapsed, _ok in results)
    errors = sum(1 for *_rest, outcome in results if outcome != 200)
    kinds = {}
    for path, _elapsed, outcome in results:
        if outcome != 200:
            kinds[(path, outcome)] = kinds.get((path, outcome), 0) + 1

    def pct(p):
        return times[min(len(times) - 1, round(p * (len(times) - 1)))]

    print(f"{args.users} users, {args.seconds} s, gunicorn {workers} workers: {len(results)} requests, "
          f"{errors} errors, p50 {statistics.median(times):.0f} ms, p95 {pct(0.95):.0f} ms, "
          f"p99 {pct(0.99):.0f} ms, max {times[-1]:.0f} ms")
    for (path, outcome), count in sorted(kinds.items(), key=str):
        print(f"  error {outcome} on {path}: {count}")
    by_path = {}
    for path, elapsed, _outcome in results:
        by_path.setdefault(path, []).append(elapsed)
    for path, values in sorted(by_path.items()):
        values.sort()
        print(f"  {path}: {len(values)} requests, p95 {values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]:.0f} ms")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
