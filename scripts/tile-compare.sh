#!/usr/bin/env bash
# Uncached parcels tiles from landquota beside the popular tile server
# (CrunchyData pg_tileserv), on one database, in one run (issue 17).
#
#   scripts/tile-compare.sh        TILE_PARCELS=100000 TILE_CLIENTS=8 TILE_PER_ZOOM=60 TILE_ZOOMS="10 11 12 13 14 15 16"
#   OLD_BIN=/tmp/landquota-old scripts/tile-compare.sh    this build beside another landquota build
#
# With OLD_BIN (a landquota binary, e.g. built from an older commit) the two
# servers are that build ("old") and this checkout's ("new"), with the same
# flags, and pg_tileserv is not needed. The database is then not migrated
# (either build may be behind: migrate it first, with the newer build) and
# TILE_CLIENTS may list several counts ("1 8"): one full comparison each.
#
# Needs pg_tileserv on PATH, in $(go env GOPATH)/bin, or named by PG_TILESERV
# (`go install github.com/CrunchyData/pg_tileserv@latest`, or `go build` in a
# checkout of it); without it the comparison is skipped. The database is
# TILE_DATABASE_URL, or landquota_tiles_N on the project's local cluster
# (scripts/db.sh), seeded with the demo world of N parcels when it holds
# another count. Both servers run on loopback with 4 database connections
# (landquota's default on two cores, pg_tileserv's default), landquota with
# --tile-cache-mb 0 (pg_tileserv has no tile cache), and each with its
# statement timeout raised past what a low-zoom tile takes under load
# (pg_tileserv's default, 10 s, cut some zoom-10 tiles). The tiles are those
# under a fixed random sample of parcels (the tiles someone looks at), up to
# TILE_PER_ZOOM distinct tiles per zoom; TILE_CLIENTS clients share each
# pass, and each server gets two passes, alternating which goes first
# (scripts/tilecompare). pg_tileserv is asked for the parcels table's own
# columns that landquota's tile carries (code, district, park, land use,
# current use, status, area); landquota's tile also carries the names of
# the classes and statuses (joins) and, below zoom 14, aggregate cells
# instead of single parcels (docs/SCALING.md). Both servers are stopped at
# the end, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${TILE_PARCELS:-100000}
clients=${TILE_CLIENTS:-8}
per=${TILE_PER_ZOOM:-60}
zooms=${TILE_ZOOMS:-10 11 12 13 14 15 16}

old=${OLD_BIN:-}
ts=${PG_TILESERV:-$(command -v pg_tileserv || echo "$(go env GOPATH)/bin/pg_tileserv")}
if [ -n "$old" ] && [ ! -x "$old" ]; then
	echo "tile comparison FAILED: OLD_BIN=$old is not an executable" >&2
	exit 1
fi
if [ -z "$old" ] && [ ! -x "$ts" ]; then
	echo "tile comparison skipped: pg_tileserv not found (PG_TILESERV, PATH or $(go env GOPATH)/bin)"
	exit 0
fi
dir=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "tile comparison FAILED: $*" >&2; exit 1; }
url=${TILE_DATABASE_URL:-$(scripts/db.sh url "landquota_tiles_$n" 2>/dev/null)}
psqlq() { psql "$url" -v ON_ERROR_STOP=1 -tAc "$1"; }

go build -o bin/landquota ./cmd/landquota
go build -o bin/tilecompare ./scripts/tilecompare
[ -n "$old" ] || DATABASE_URL=$url bin/landquota migrate >/dev/null
have=$(psqlq 'SELECT count(*) FROM parcels')
if [ "$have" != "$n" ]; then
	echo "seeding $n parcels (the database holds $have)"
	DATABASE_URL=$url bin/landquota seed --replace --parcels "$n" --seed 1 >/dev/null 2>&1
fi
[ -n "$old" ] || psqlq 'ANALYZE parcels' >/dev/null

# The tiles under a fixed sample of parcels, up to $per distinct ones a zoom.
for z in $zooms; do
	psqlq "SELECT setseed(0.17); WITH p AS (SELECT ST_Transform(ST_PointOnSurface(geom), 3857) AS g FROM parcels ORDER BY random() LIMIT 5000),
		t AS (SELECT DISTINCT $z AS z, floor((ST_X(g) + 20037508.342789244) / (40075016.68557849 / 2 ^ $z))::int AS x,
			floor((20037508.342789244 - ST_Y(g)) / (40075016.68557849 / 2 ^ $z))::int AS y FROM p)
		SELECT z || ' ' || x || ' ' || y FROM t ORDER BY md5(x || '/' || y) LIMIT $per" | grep -v '^$' >>"$dir/tiles.txt" || true
done
echo "$(wc -l <"$dir/tiles.txt") tiles at zooms $zooms over $n parcels, $clients clients"

free_port() { for p in $(seq 18400 18500); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }; done; }
# serve BIN NAME PORT: starts a landquota build on loopback and waits until it is ready.
serve() {
	DATABASE_URL=$url "$1" serve --addr "127.0.0.1:$3" --statement-timeout 120s --tile-cache-mb 0 --max-conns 4 --slow-query 0 >/dev/null 2>"$dir/$2.log" &
	pids+=($!)
	for _ in $(seq 150); do curl -sf "http://127.0.0.1:$3/readyz" >/dev/null && break; sleep 0.2; done
	curl -sf "http://127.0.0.1:$3/readyz" >/dev/null || fail "landquota ($2) did not start: $(tail -5 "$dir/$2.log")"
}
# settle PORT...: waits until the servers' start-up warming of the low-zoom
# tiles (web/tiles.go warmStart; with --tile-cache-mb 0 a build before
# session 12 renders about 200 tiles for nothing, a later one none) is over:
# no render in flight and no new miss for a second. Otherwise it runs beside the first zoom measured, for one server more than the other.
settle() {
	local p s prev=""
	for _ in $(seq 120); do
		s=""
		for p in "$@"; do s="$s $(curl -sf "http://127.0.0.1:$p/api/tiles/stats" | tr -d ' \n' | sed -E 's/.*"misses":([0-9]+).*"in_flight":([0-9]+).*/\1-\2/')"; done
		if [ "$s" = "$prev" ] && ! echo "$s" | grep -qE -- '-[1-9]'; then return; fi
		prev=$s
		sleep 1
	done
}
lport=$(free_port)
serve bin/landquota landquota "$lport"
# cpu_ticks PID: CPU time (user + system, clock ticks) of a server and of the
# PostgreSQL backends serving its connections (found by their client ports):
# what its tiles cost the machine, which a loaded machine changes far less
# than their latency.
pgport=$(psqlq 'SELECT inet_server_port()')
cpu_ticks() {
	local total ports b
	total=$(awk '{print $14 + $15}' "/proc/$1/stat")
	ports=$(ss -tnpH "( dport = :$pgport )" | grep "pid=$1," | awk '{n = split($4, a, ":"); print a[n]}' | paste -sd, -)
	if [ -n "$ports" ]; then
		for b in $(psqlq "SELECT pid FROM pg_stat_activity WHERE client_port IN ($ports)"); do
			total=$((total + $(awk '{print $14 + $15}' "/proc/$b/stat" 2>/dev/null || echo 0)))
		done
	fi
	echo "$total"
}
if [ -n "$old" ]; then
	oport=$(free_port)
	serve "$old" old "$oport"
	settle "$lport" "$oport"
	hz=$(getconf CLK_TCK)
	for c in $clients; do
		echo "== $c client(s), load average $(cut -d' ' -f1-3 /proc/loadavg)"
		o0=$(cpu_ticks "${pids[1]}") n0=$(cpu_ticks "${pids[0]}")
		bin/tilecompare --tiles "$dir/tiles.txt" --clients "$c" --passes 2 \
			--server "old=http://127.0.0.1:$oport/tiles/parcels/{z}/{x}/{y}.mvt" \
			--server "new=http://127.0.0.1:$lport/tiles/parcels/{z}/{x}/{y}.mvt"
		o1=$(cpu_ticks "${pids[1]}") n1=$(cpu_ticks "${pids[0]}")
		awk -v o=$((o1 - o0)) -v n=$((n1 - n0)) -v hz="$hz" 'BEGIN { printf "CPU for all its tiles (server + its database backends): old %.1f s, new %.1f s, new ÷ old %.2f×\n", o / hz, n / hz, n / o }'
		echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	done
	exit 0
fi
tport=$(free_port)
DATABASE_URL=$url TS_HTTPHOST=127.0.0.1 TS_HTTPPORT=$tport TS_DBPOOLMAXCONNS=4 TS_DBTIMEOUT=120 "$ts" >"$dir/pg_tileserv.log" 2>&1 &
pids+=($!)
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$tport/index.json" >/dev/null && break; sleep 0.2; done
settle "$lport"
curl -sf "http://127.0.0.1:$tport/index.json" | grep -q '"public.parcels"' || fail "pg_tileserv does not list public.parcels: $(tail -5 "$dir/pg_tileserv.log")"

props=code,district_adcode,park_code,land_use_code,current_use_code,status,area_m2
bin/tilecompare --tiles "$dir/tiles.txt" --clients "$clients" --passes 2 \
	--server "landquota=http://127.0.0.1:$lport/tiles/parcels/{z}/{x}/{y}.mvt" \
	--server "pg_tileserv=http://127.0.0.1:$tport/public.parcels/{z}/{x}/{y}.pbf?properties=$props"
