import logging
import os
import sys

from config.log_filters import WithoutClientErrorTracebacks


def make_record(status):
    try:
        raise PermissionError("refused")
    except PermissionError:

        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden", (), sys.exc_info())
    record.status_code = status
    return record


def test_403_keeps_the_line_but_not_the_traceback():
    record = make_record(403)
    assert WithoutClientErrorTracebacks().filter(record) is True
    assert record.exc_info is None


def test_500_keeps_its_traceback():
    record = make_record(500)
    WithoutClientErrorTracebacks().filter(record)
    assert record.exc_info is not None


# --- issue 16 ops: one line per record, time with offset in one zone, level


import json  # noqa: E402
import subprocess  # noqa: E402
from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from config.log_format import JsonLines, PlainLines  # noqa: E402
from config.tests.test_settings import BASE_DIR, OPS_VARIABLES, PRODUCTION_ENV  # noqa: E402

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FMT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def _record(created, level=logging.INFO, message="Report run %s done", args=(7,), exc_info=None):
    record = logging.LogRecord("reports.tasks", level, __file__, 1, message, args, exc_info)
    record.created = created
    return record


def test_json_lines_carry_time_in_stockholm_with_offset_level_and_logger():
    winter = datetime(2026, 1, 15, 12, 0, 0, tzinfo=ZoneInfo("UTC")).timestamp()
    summer = datetime(2026, 7, 15, 12, 0, 0, tzinfo=ZoneInfo("UTC")).timestamp()

    line = JsonLines(FMT).format(_record(winter))
    assert "\n" not in line
    assert json.loads(line) == {"time": "2026-01-15T13:00:00.000+01:00", "level": "INFO",
                                "logger": "reports.tasks", "message": "Report run 7 done"}
    assert json.loads(JsonLines(FMT).format(_record(summer)))["time"] == "2026-07-15T14:00:00.000+02:00"


def test_a_traceback_stays_inside_its_one_json_line():
    try:
        raise ValueError("broken")
    except ValueError:
        record = _record(0, logging.ERROR, "Failed", (), sys.exc_info())

    line = JsonLines(FMT).format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "ERROR" and "ValueError: broken" in parsed["exc_info"]


def test_plain_lines_have_the_same_time_level_and_logger():
    created = datetime(2026, 1, 15, 12, 0, 0, tzinfo=ZoneInfo("UTC")).timestamp()
    assert PlainLines(FMT).format(_record(created, logging.WARNING)) == (
        "2026-01-15T13:00:00.000+01:00 WARNING reports.tasks Report run 7 done")


def _log_one_line(**env_overrides):
    env = {key: value for key, value in os.environ.items() if not key.startswith(OPS_VARIABLES)}
    env.pop("SECRET_KEY", None)
    env.update(env_overrides)
    code = "import logging; logging.getLogger('bolots.test').warning('hello %s', 42)"
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stderr.splitlines() if "hello 42" in line]


def test_production_logs_json_lines_and_debug_plain_text():
    (line,) = _log_one_line(**PRODUCTION_ENV)
    parsed = json.loads(line)
    assert parsed["level"] == "WARNING" and parsed["logger"] == "bolots.test" and parsed["message"] == "hello 42"
    assert datetime.fromisoformat(parsed["time"]).utcoffset() == datetime.now(STOCKHOLM).utcoffset()

    (line,) = _log_one_line(DEBUG="1", DATABASE_URL=PRODUCTION_ENV["DATABASE_URL"])
    assert line.split(" ", 1)[1] == "WARNING bolots.test hello 42"


# --- the log watch of the whole run (conftest.py, config/tests/log_watch.py)


def _watched(*messages, client=None):
    from config.tests.log_watch import LogLeakWatch

    watch = LogLeakWatch()
    if client is not None:
        watch.remember(None, client)
    for message in messages:
        watch.emit(_record(0, logging.WARNING, message, ()))
    return watch.leaks()


class _Person:
    first_name, last_name, personal_number = "Ingrid", "Walkanderqq", "199107170012"


def test_the_watch_finds_a_clients_name_or_number_in_every_form():
    for message in ("client Walkanderqq moved", "Ingrid Walkanderqq", "199107170012", "19910717-0012",
                    "910717-0012", "number=9107170012"):
        assert _watched(message, client=_Person()) != [], message


def test_the_watch_finds_any_valid_identity_number_even_of_no_known_client():
    # 198001011234 has a wrong check digit: not an identity number.
    assert _watched("Key (personal_number)=(198001011234) already exists.") == []
    assert _watched("Key (personal_number)=(19910717-0012) already exists.") != []


def test_the_watch_lets_ids_times_and_uuids_pass():
    assert _watched(
        "Evaluation run 12 done (5123 bytes).",
        "Task x[8eaa0d7e-11f8-4376-b66e-f15fcb868136] succeeded in 0.08370308900009604s: [2, 3]",
        "2026-12-07T07:06:51.962+01:00 took 1.601261119000128 s",
        "Ingrid Andersson", client=_Person()) == []
