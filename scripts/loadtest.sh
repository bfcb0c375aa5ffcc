#!/usr/bin/env bash
# make loadtest: a one-minute mixed load (tiles, GeoJSON pages, searches,
# grants) at 8, 16, 32 and 64 clients against a fresh server on loopback,
# over the 1,000,000-parcel benchmark database (seeded by make bench; set
# LOAD_PARCELS to use a smaller one). Prints p50/p99 per endpoint and the
# server's RSS; fails on any 5xx.
set -euo pipefail
cd "$(dirname "$0")/.."
parcels=${LOAD_PARCELS:-1000000}
started_db=
scripts/db.sh running || started_db=1
url=$(scripts/db.sh url "landquota_bench_$parcels")
go build -o bin/landquota ./cmd/landquota
DATABASE_URL=$url bin/landquota migrate
if [ "$(psql "$url" -tAc 'SELECT count(*) FROM parcels')" != "$parcels" ]; then
	DATABASE_URL=$url bin/landquota seed --replace --parcels "$parcels" --seed 1
fi
export LANDQUOTA_PASSWORD='load test password'
DATABASE_URL=$url bin/landquota user add --username loadtest --role allocator >/dev/null 2>&1 || true
token=$(DATABASE_URL=$url bin/landquota token create --username loadtest --name "loadtest $(date +%s)" | grep -o 'lqt_[A-Za-z0-9_-]*')
port=18080
DATABASE_URL=$url bin/landquota serve --addr "127.0.0.1:$port" >/dev/null 2>.data/loadtest-server.log &
server=$!
cleanup() {
	kill -TERM $server 2>/dev/null || true
	wait $server 2>/dev/null || true
	[ -n "$started_db" ] && scripts/db.sh stop || true
}
trap cleanup EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
# The server opens and readies its pool in the background: measure the
# load, not the start (up to 30 s).
for _ in $(seq 150); do
	curl -sf "http://127.0.0.1:$port/metrics" | awk '/^landquota_db_pool_connections /{c=$2} /^landquota_db_pool_max /{m=$2} END {exit !(m > 0 && c >= m)}' && break
	sleep 0.2
done
go run ./scripts/loadtest --url "http://127.0.0.1:$port" --token "$token" --pid $server --duration "${LOAD_DURATION:-60s}"
