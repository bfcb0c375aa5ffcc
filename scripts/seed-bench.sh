#!/usr/bin/env bash
# Seed benchmark (issue 17): `landquota seed --parcels N` into a fresh
# database on the project cluster, timed.
#
#   scripts/seed-bench.sh N        e.g. 1000000, or 10000000 on a quiet machine
#   KEEP=1                         keep the database (landquota_seedbench_N, or DB) afterwards
#   DB=name                        seed into that database instead (dropped and made again)
#   BIN=path/to/landquota          time that binary instead of building this checkout's
#   SEED_ARGS='--projects-per-area 0'   more arguments for landquota seed
#
# Prints the wall time, parcels per second, the seed's own per-phase times
# (--timings), its peak RSS, the load average before and after, and the
# database's size on disk. The database is dropped at the end unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:?usage: scripts/seed-bench.sh N}
case $n in *[!0-9]*) echo "seed-bench: N must be a number of parcels, not $n" >&2; exit 2 ;; esac
db=${DB:-landquota_seedbench_$n}
started_db=
scripts/db.sh running || started_db=1
admin=$(scripts/db.sh url postgres)
cleanup() {
	if [ -z "${KEEP:-}" ]; then
		psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	fi
	[ -n "$started_db" ] && scripts/db.sh stop || true
}
trap cleanup EXIT

bin=${BIN:-}
if [ -z "$bin" ]; then
	bin=$(mktemp -d)/landquota
	go build -o "$bin" ./cmd/landquota
fi
psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
url=$(scripts/db.sh url "$db")
DATABASE_URL=$url "$bin" migrate >/dev/null
timings=
case $("$bin" seed --help 2>&1 || true) in *-timings*) timings=--timings ;; esac # not in older binaries

echo "== seed-bench: $n parcels into $db ($bin)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
out=$(mktemp)
start=$(date +%s.%N)
# shellcheck disable=SC2086 # SEED_ARGS is a list of words
DATABASE_URL=$url /usr/bin/time -f 'peak RSS %M KiB, CPU of the seed process %U s user %S s system' "$bin" seed --parcels "$n" --seed 1 $timings ${SEED_ARGS:-} 2>"$out" >/dev/null || {
	cat "$out" >&2
	exit 1
}
end=$(date +%s.%N)
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
tr '\r' '\n' <"$out" | grep -v -e '^seed: [0-9]' -e '^$' | sed 's/^/  /'
awk -v a="$start" -v b="$end" -v n="$n" 'BEGIN { printf "wall %.1f s, %.0f parcels/s\n", b - a, n / (b - a) }'
psql "$url" -tAc "SELECT 'database ' || pg_size_pretty(pg_database_size(current_database())) || ', parcels with indexes ' || pg_size_pretty(pg_total_relation_size('parcels'))"
rm -f "$out"
