"""Settings of the app server started by test_postgres_restart.py: the
real settings with the test-only views of db_outage_urls."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "config.tests.db_outage_urls"
