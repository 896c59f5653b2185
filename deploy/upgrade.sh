#!/bin/sh
# Upgrade Bolots in place (docs/deploy.md "Upgrading"). Run as root from the
# new release's checkout in /srv/bolots/app. Stops at the first failure.
set -eu
cd /srv/bolots/app
set -a; . /etc/bolots/bolots.env; set +a
run() { runuser -u bolots -- env "$@"; }
run /srv/bolots/venv/bin/pip install --quiet -r requirements.txt
run /srv/bolots/venv/bin/python manage.py check --deploy --fail-level WARNING
run /srv/bolots/venv/bin/python manage.py compilemessages
run DATABASE_URL="$MIGRATION_DATABASE_URL" /srv/bolots/venv/bin/python manage.py migrate --noinput
run DATABASE_URL="$MIGRATION_DATABASE_URL" /srv/bolots/venv/bin/python manage.py db_roles --owner bolots_owner --runtime bolots_app
run /srv/bolots/venv/bin/python manage.py collectstatic --noinput
# Graceful: gunicorn starts new workers on the new code and lets the old
# ones finish their requests; the worker finishes its tasks before exiting.
systemctl reload bolots-web
systemctl restart bolots-worker bolots-beat
