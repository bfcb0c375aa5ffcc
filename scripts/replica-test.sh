#!/usr/bin/env bash
# The read-replica test (issue 17): a throwaway primary and a streaming
# standby (pg_basebackup -R) on free loopback ports under .data/replica,
# never the shared clusters; the server runs against both with
# --replica-url while 8 clients load it (tiles, GeoJSON, searches, grants,
# each booked grant read back at once by its caller). The standby is
# stopped mid-run. Checks: zero errors and no grant missed by its writer;
# the standby answered reads before it stopped; its loss is logged once;
# reads go back to it when it returns. Everything is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/pg_basebackup >/dev/null 2>&1; then
	echo "replica test skipped: it needs Debian's PostgreSQL (pg_basebackup) to start a primary and a standby"
	exit 0
fi
dir=$PWD/.data/replica
parcels=${REPLICA_PARCELS:-2000}
duration=${REPLICA_DURATION:-20}
export LANDQUOTA_DB_DIR=$dir/primary
server=
cleanup() {
	[ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
	scripts/standby.sh clean "$dir/standby" || true
	scripts/db.sh clean >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "replica test FAILED: $*" >&2; exit 1; }
psqlq() { psql "$1" -v ON_ERROR_STOP=1 -tAc "$2"; }

rm -rf "$dir"
url=$(scripts/db.sh url landquota_replica 2>/dev/null)
pport=$(cat "$LANDQUOTA_DB_DIR/port")
case $(psqlq "$url" 'SHOW wal_level') in replica | logical) ;; *) fail "the primary's wal_level is not replica" ;; esac
go build -o bin/landquota ./cmd/landquota
go build -o bin/loadtest ./scripts/loadtest
DATABASE_URL=$url bin/landquota migrate >/dev/null
DATABASE_URL=$url bin/landquota seed --parcels "$parcels" --seed 1 >/dev/null
export LANDQUOTA_PASSWORD='replica test password'
DATABASE_URL=$url bin/landquota user add --username loader --role allocator >/dev/null
token=$(DATABASE_URL=$url bin/landquota token create --username loader --name replica-test 2>/dev/null | grep -o 'lqt_[A-Za-z0-9_-]*')

sport=$(scripts/standby.sh start "$pport" "$dir/standby")
rurl="postgres://postgres@127.0.0.1:$sport/landquota_replica?sslmode=disable"
echo "primary on 127.0.0.1:$pport, standby on 127.0.0.1:$sport, $parcels parcels"
for _ in $(seq 100); do
	[ "$(psqlq "$rurl" 'SELECT count(*) FROM parcels')" = "$parcels" ] && break
	sleep 0.1
done

port=$( (for p in $(seq 18180 18280); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; break; }; done))
DATABASE_URL=$url bin/landquota serve --addr "127.0.0.1:$port" --replica-url "$rurl" --replica-max-lag 2s --slow-query 0 \
	>/dev/null 2>"$dir/server.log" &
server=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
grep -q 'read replica in use' "$dir/server.log" || fail "the server did not start reading from the standby: $(grep -i replica "$dir/server.log")"
# What the standby ran (its own count; the server's poller adds about 20
# a second) and what the server says it sent there.
served() { psqlq "$rurl" "SELECT xact_commit FROM pg_stat_database WHERE datname = 'landquota_replica'"; }
sent() { curl -sf "http://127.0.0.1:$port/metrics" | awk '/^landquota_db_replica_reads_total / {printf "%d", $2}'; }
before=$(served) sent0=$(sent)

bin/loadtest --url "http://127.0.0.1:$port" --token "$token" --clients 8 --duration "${duration}s" --read-back >"$dir/load.txt" 2>&1 &
load=$!
sleep $((duration / 2))
sent1=$(sent) after=$(served)
scripts/standby.sh stop "$dir/standby"
echo "standby stopped mid-run: the server had sent it $((sent1 - sent0)) queries, it ran $((after - before)) transactions"
status=0
wait $load || status=$?
cat "$dir/load.txt"
[ "$status" -eq 0 ] || fail "errors under load with the standby stopped (see above)"
[ $((sent1 - sent0)) -gt 500 ] || fail "the server sent only $((sent1 - sent0)) queries to the standby under load"
[ $((after - before)) -ge $((sent1 - sent0)) ] || fail "the standby ran $((after - before)) transactions, fewer than the $((sent1 - sent0)) queries the server says it sent there"
downs=$(grep -c 'read replica not used.*replica unavailable' "$dir/server.log" || true)
[ "$downs" -eq 1 ] || fail "the standby's loss was logged $downs times, want once: $(grep -i replica "$dir/server.log")"

scripts/standby.sh start "$pport" "$dir/standby" >/dev/null
for _ in $(seq 100); do
	[ "$(grep -c 'read replica in use' "$dir/server.log")" -ge 2 ] && break
	sleep 0.1
done
[ "$(grep -c 'read replica in use' "$dir/server.log")" -ge 2 ] || fail "reads did not go back to the standby when it returned"
# Reads after the return meet none of the connections the outage cut.
back=$(sent)
for _ in $(seq 20); do
	curl -sf -o /dev/null "http://127.0.0.1:$port/api/layers/parcels?limit=10" || fail "a read after the standby's return failed"
done
# (Catching up after the outage may be logged as a lag: another state.)
[ "$(grep -c 'read replica not used.*replica unavailable' "$dir/server.log")" -eq 1 ] || fail "reads after the return met the outage again: $(grep -i replica "$dir/server.log")"
[ $(($(sent) - back)) -ge 20 ] || fail "the reads after the return did not go to the standby"
echo "replica test passed: zero errors, every grant read back by its writer, the standby's loss logged once and its return noticed"
