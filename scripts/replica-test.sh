#!/usr/bin/env bash
# The read-replica test (issue 17): a throwaway primary and a streaming
# standby (pg_basebackup -R) on free loopback ports under .data/replica,
# never the shared clusters; two servers run against both with
# --replica-url behind a round-robin proxy (scripts/rrproxy, standing in for
# a load balancer) while 8 clients load it (tiles, GeoJSON, searches,
# grants, each booked grant read back at once by its caller with the
# grant's lq_wal cookie, through whichever server the proxy picks). The
# standby is stopped mid-run. Checks: zero errors, no grant missed by its
# writer on either server, and every acknowledged grant in the ledger (none
# lost); the standby answered reads before it stopped; each server logs its
# loss once and goes back to it when it returns. Everything is removed at
# the end.
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
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
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
go build -o bin/rrproxy ./scripts/rrproxy
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

free_port() { for p in $(seq 18180 18280); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }
ports=()
for name in a b; do
	port=$(free_port)
	DATABASE_URL=$url bin/landquota serve --addr "127.0.0.1:$port" --replica-url "$rurl" --replica-max-lag 2s --slow-query 0 \
		>/dev/null 2>"$dir/server-$name.log" &
	pids+=($!)
	ports+=("$port")
	for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
	grep -q 'read replica in use' "$dir/server-$name.log" || fail "server $name did not start reading from the standby: $(grep -i replica "$dir/server-$name.log")"
done
port=$(free_port)
bin/rrproxy --listen "127.0.0.1:$port" --to "http://127.0.0.1:${ports[0]},http://127.0.0.1:${ports[1]}" >"$dir/proxy.txt" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
echo "servers on 127.0.0.1:${ports[0]} and :${ports[1]} behind a round-robin proxy on :$port"
# What the standby ran (its own count; each server's poller adds about 20
# a second) and what the servers say they sent there.
served() { psqlq "$rurl" "SELECT xact_commit FROM pg_stat_database WHERE datname = 'landquota_replica'"; }
sent() {
	local n=0 p
	for p in "${ports[@]}"; do
		n=$((n + $(curl -sf "http://127.0.0.1:$p/metrics" | awk '/^landquota_db_replica_reads_total / {printf "%d", $2}')))
	done
	echo "$n"
}
logs() { grep -ci "$1" "$dir/server-$2.log" || true; }
before=$(served) sent0=$(sent)

bin/loadtest --url "http://127.0.0.1:$port" --token "$token" --clients 8 --duration "${duration}s" --read-back >"$dir/load.txt" 2>&1 &
load=$!
sleep $((duration / 2))
sent1=$(sent) after=$(served)
scripts/standby.sh stop "$dir/standby"
echo "standby stopped mid-run: the servers had sent it $((sent1 - sent0)) queries, it ran $((after - before)) transactions"
status=0
wait $load || status=$?
cat "$dir/load.txt"
[ "$status" -eq 0 ] || fail "errors under load with the standby stopped (see above)"
[ $((sent1 - sent0)) -gt 500 ] || fail "the servers sent only $((sent1 - sent0)) queries to the standby under load"
[ $((after - before)) -ge $((sent1 - sent0)) ] || fail "the standby ran $((after - before)) transactions, fewer than the $((sent1 - sent0)) queries the servers say it sent there"
booked=$(awk '$1 == "grant" {print $2 - $4}' "$dir/load.txt")
ledger=$(psqlq "$url" "SELECT count(*) FROM ledger_entries WHERE idempotency_key LIKE 'load-%'")
[ -n "$booked" ] && [ "$booked" -gt 0 ] || fail "no grants were booked"
[ "$ledger" -eq "$booked" ] || fail "$booked grants acknowledged, $ledger in the ledger"
for s in a b; do
	[ "$(logs 'read replica not used.*replica unavailable' $s)" -eq 1 ] || fail "server $s logged the standby's loss $(logs 'read replica not used.*replica unavailable' $s) times, want once: $(grep -i replica "$dir/server-$s.log")"
done

scripts/standby.sh start "$pport" "$dir/standby" >/dev/null
for s in a b; do
	for _ in $(seq 100); do
		[ "$(logs 'read replica in use' $s)" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(logs 'read replica in use' $s)" -ge 2 ] || fail "server $s did not go back to the standby when it returned"
done
# Reads after the return meet none of the connections the outage cut.
back=$(sent)
for _ in $(seq 40); do
	curl -sf -o /dev/null "http://127.0.0.1:$port/api/layers/parcels?limit=10" || fail "a read after the standby's return failed"
done
# (Catching up after the outage may be logged as a lag: another state.)
for s in a b; do
	[ "$(logs 'read replica not used.*replica unavailable' $s)" -eq 1 ] || fail "reads through server $s after the return met the outage again: $(grep -i replica "$dir/server-$s.log")"
done
[ $(($(sent) - back)) -ge 40 ] || fail "the reads after the return did not go to the standby"
echo "replica test passed: zero errors, every grant read back by its writer through either server and all $booked in the ledger, each server logged the standby's loss once and noticed its return"
