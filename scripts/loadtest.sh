#!/usr/bin/env bash
# make loadtest: a one-minute mixed load (tiles, GeoJSON pages, searches,
# grants) at 8, 16, 32 and 64 clients against a fresh server on loopback,
# over the 1,000,000-parcel benchmark database (seeded by make bench; set
# LOAD_PARCELS to use a smaller one). Prints p50/p99 per endpoint and the
# server's RSS; fails on any 5xx.
#
# Then the same load again with a read replica: a streaming standby of the
# cluster (scripts/standby.sh, pg_basebackup of the whole cluster into
# .data/loadtest-standby, deleted afterwards) and the server started with
# --replica-url. In both runs each booked grant is read back at once by its
# writer (a miss fails the run). The two throughputs are printed side by
# side. LOAD_REPLICA=0 skips this part.
set -euo pipefail
cd "$(dirname "$0")/.."
parcels=${LOAD_PARCELS:-1000000}
started_db=
scripts/db.sh running || started_db=1
url=$(scripts/db.sh url "landquota_bench_$parcels")
go build -o bin/landquota ./cmd/landquota
go build -o bin/loadtest ./scripts/loadtest
DATABASE_URL=$url bin/landquota migrate
if [ "$(psql "$url" -tAc 'SELECT count(*) FROM parcels')" != "$parcels" ]; then
	DATABASE_URL=$url bin/landquota seed --replace --parcels "$parcels" --seed 1
fi
export LANDQUOTA_PASSWORD='load test password'
DATABASE_URL=$url bin/landquota user add --username loadtest --role allocator >/dev/null 2>&1 || true
token=$(DATABASE_URL=$url bin/landquota token create --username loadtest --name "loadtest $(date +%s)" | grep -o 'lqt_[A-Za-z0-9_-]*')
port=$(for p in $(seq 18080 18180); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; break; }; done)
standby=$PWD/.data/loadtest-standby
server=
stop_server() {
	[ -n "$server" ] && { kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
	server=
}
cleanup() {
	stop_server
	scripts/standby.sh clean "$standby" 2>/dev/null || true
	[ -n "$started_db" ] && scripts/db.sh stop || true
}
trap cleanup EXIT

# load LABEL [serve flags...]: serve, wait until the pool is open, run the
# load, keep its output in .data/loadtest-LABEL.txt.
load() {
	local label=$1
	shift
	DATABASE_URL=$url bin/landquota serve --addr "127.0.0.1:$port" "$@" >/dev/null 2>".data/loadtest-server-$label.log" &
	server=$!
	for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
	# The server opens and readies its pool in the background: measure the
	# load, not the start (up to 30 s).
	for _ in $(seq 150); do
		curl -sf "http://127.0.0.1:$port/metrics" | awk '/^landquota_db_pool_connections /{c=$2} /^landquota_db_pool_max /{m=$2} END {exit !(m > 0 && c >= m)}' && break
		sleep 0.2
	done
	local rc=0
	bin/loadtest --url "http://127.0.0.1:$port" --token "$token" --pid "$server" --duration "${LOAD_DURATION:-60s}" "${extra[@]}" |
		tee ".data/loadtest-$label.txt" || rc=$?
	stop_server
	return $rc
}
# rate FILE: the mean of the steps' requests per second (the steps last
# equally long).
rate() { sed -nE 's/.*requests \(([0-9]+)\/s\).*/\1/p' "$1" | awk '{s += $1; n++} END {if (n > 0) printf "%.0f", s / n}'; }

# Both runs read each booked grant back, so that they do the same work.
extra=(--read-back)
echo "== without a replica"
load primary
[ "${LOAD_REPLICA:-1}" = 0 ] && exit 0

dbname=${url##*/}
dbname=${dbname%%\?*}
pport=$(echo "$url" | sed -E 's#.*@[^:/]+:([0-9]+)/.*#\1#')
echo "== with a read replica (copying the cluster on port $pport into $standby)"
sport=$(scripts/standby.sh start "$pport" "$standby")
rurl="postgres://postgres@127.0.0.1:$sport/$dbname?sslmode=disable"
commits() { psql "$1" -tAc "SELECT xact_commit FROM pg_stat_database WHERE datname = '$dbname'"; }
p0=$(commits "$url") r0=$(commits "$rurl")
load replica --replica-url "$rurl"
p1=$(commits "$url") r1=$(commits "$rurl")
# The replica brings a pool of its own, so twice the statements at once:
# the primary alone with as many connections tells that part apart.
conns=$((2 * $(nproc) > 4 ? 2 * $(nproc) : 4))
echo "== without a replica, --max-conns $((2 * conns)) (as many connections as with it)"
load primary2 --max-conns $((2 * conns))
without=$(rate .data/loadtest-primary.txt) with=$(rate .data/loadtest-replica.txt) wide=$(rate .data/loadtest-primary2.txt)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "throughput, mean of the client steps:"
echo "  primary only, --max-conns $conns:            $without requests/s"
echo "  with the replica ($conns + $conns connections):  $with requests/s ($(ratio "$with" "$without")x)"
echo "  primary only, --max-conns $((2 * conns)):            $wide requests/s ($(ratio "$wide" "$without")x)"
echo "transactions during the replica run: primary $((p1 - p0)), replica $((r1 - r0)) (both on this machine's cores)"
