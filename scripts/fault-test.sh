#!/usr/bin/env bash
# The database fault test (issue 8): restart PostgreSQL while the server is
# under load, then check the ledger (cmd/landquota/fault_test.go). It runs on
# a cluster of its own under .data/fault (scripts/db.sh with LANDQUOTA_DB_DIR),
# never the shared test cluster, and stops that cluster at the end. Extra
# arguments go to go test.
#
# To aim it elsewhere, set LANDQUOTA_FAULT_DATABASE_URL and
# LANDQUOTA_FAULT_RESTART (a shell command that restarts that server) first.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${LANDQUOTA_FAULT_DATABASE_URL:-}" ] || [ -z "${LANDQUOTA_FAULT_RESTART:-}" ]; then
	if [ "$(id -u)" -ne 0 ] && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
		echo "fault test skipped: it needs a local PostgreSQL it may restart (or LANDQUOTA_FAULT_DATABASE_URL and LANDQUOTA_FAULT_RESTART)"
		exit 0
	fi
	export LANDQUOTA_DB_DIR="$PWD/.data/fault"
	trap 'scripts/db.sh stop || true' EXIT
	LANDQUOTA_FAULT_DATABASE_URL=$(scripts/db.sh url landquota_fault)
	# Down for 2 s, so requests meet the outage, then back on the same port.
	LANDQUOTA_FAULT_RESTART="LANDQUOTA_DB_DIR='$LANDQUOTA_DB_DIR' '$PWD/scripts/db.sh' restart 2"
fi
export LANDQUOTA_FAULT_DATABASE_URL LANDQUOTA_FAULT_RESTART
go test -count=1 -v -run '^TestDatabaseRestartUnderLoad$' "$@" ./cmd/landquota
