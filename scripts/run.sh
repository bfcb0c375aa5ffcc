#!/usr/bin/env bash
# make run: database, schema, demo data, server. Ctrl-C (or SIGTERM) stops the
# server cleanly and then the local database, if this script started it.
set -euo pipefail
cd "$(dirname "$0")/.."

addr=${LANDQUOTA_ADDR:-127.0.0.1:8080}
parcels=${PARCELS:-20000}
started_db=
if [ -z "${DATABASE_URL:-}" ]; then
	scripts/db.sh running || started_db=1
	DATABASE_URL=$(scripts/db.sh url landquota)
	export DATABASE_URL
fi
stop_db() { [ -n "$started_db" ] && scripts/db.sh stop || true; }
trap stop_db EXIT

bin/landquota migrate
bin/landquota seed --if-empty --parcels "$parcels"

bin/landquota serve --addr "$addr" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' INT TERM
# wait returns early when a trapped signal arrives; wait again for the drain.
wait $server || wait $server || true
