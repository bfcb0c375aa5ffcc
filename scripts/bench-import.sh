#!/usr/bin/env bash
# Import benchmark (issue 7): a million parcels from GeoJSON, end to end,
# against ogr2ogr loading the same file into PostGIS in the same run.
#
#   scripts/bench-import.sh            export from the 1M benchmark database
#                                      (read only; `make bench` seeds it),
#                                      import into a scratch database, compare
#   BENCH_PARCELS=1000000  BENCH_DIR=/tmp/landquota-import-bench  BENCH_KEEP=1 (keep the scratch database)
#
# landquota's figure covers everything `landquota import` does: read and
# decode the file, COPY it into a staging table, validate it in SQL
# (validity, duplicate and existing codes, references, districts, overlaps
# in the file and with stored parcels), and move it into the parcels table
# with all its indexes, constraints and triggers' rules, in one transaction.
# ogr2ogr only loads the features into a new table with one spatial index.
set -euo pipefail
cd "$(dirname "$0")/.."

parcels=${BENCH_PARCELS:-1000000}
dir=${BENCH_DIR:-/tmp/landquota-import-bench}
mkdir -p "$dir"
started_db=
scripts/db.sh running || started_db=1
cleanup() {
	[ -z "${BENCH_KEEP:-}" ] && [ -n "${scratch:-}" ] && psql "$(scripts/db.sh url postgres)" -qc "DROP DATABASE IF EXISTS landquota_import_bench WITH (FORCE)" >/dev/null 2>&1 || true
	[ -n "$started_db" ] && scripts/db.sh stop || true
}
trap cleanup EXIT

source_url=$(scripts/db.sh url "landquota_bench_$parcels")
have=$(psql "$source_url" -tAc "SELECT count(*) FROM parcels" 2>/dev/null || echo 0)
if [ "${have:-0}" != "$parcels" ]; then
	echo "bench-import: landquota_bench_$parcels holds ${have:-no} parcels, not $parcels: run \`make bench\` (or BENCH_PARCELS=$parcels scripts/bench.sh) first" >&2
	exit 1
fi
bin="$dir/landquota"
go build -o "$bin" ./cmd/landquota

secs() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

echo "== exporting the layers of landquota_bench_$parcels as GeoJSON (read only)"
t0=$(secs)
for layer in districts parks protected-zones parcels; do
	DATABASE_URL=$source_url "$bin" export "$layer" -o "$dir/$layer.geojson" 2>&1
done
t1=$(secs)
size=$(du -m "$dir/parcels.geojson" | cut -f1)
echo "export: $(elapsed "$t0" "$t1") s, parcels.geojson $size MiB"

scratch=$(scripts/db.sh url landquota_import_bench)
psql "$scratch" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null 2>&1
DATABASE_URL=$scratch "$bin" migrate >/dev/null
for layer in districts parks protected-zones; do
	DATABASE_URL=$scratch "$bin" import "$layer" "$dir/$layer.geojson" --progress none | tail -n 1
done

echo "== landquota import parcels ($parcels features)"
t0=$(secs)
DATABASE_URL=$scratch /usr/bin/time -f 'landquota: %M KiB peak RSS' "$bin" import parcels "$dir/parcels.geojson" --progress none --report "$dir/report.json" | tail -n 1
t1=$(secs)
lq=$(elapsed "$t0" "$t1")
loaded=$(psql "$scratch" -tAc "SELECT count(*) FROM parcels")

# ogr2ogr wants libpq key=value, not a URI with parameters.
u=${scratch#*://}; creds=${u%%@*}; rest=${u#*@}; hostport=${rest%%/*}; dbq=${rest#*/}
conn="host=${hostport%%:*} port=${hostport##*:} dbname=${dbq%%\?*} user=${creds%%:*}"
echo "== ogr2ogr -f PostgreSQL (the same file, into a plain table)"
t0=$(secs)
/usr/bin/time -f 'ogr2ogr: %M KiB peak RSS' ogr2ogr -f PostgreSQL "PG:$conn" "$dir/parcels.geojson" -nln ogr_parcels -nlt MULTIPOLYGON \
	-lco GEOMETRY_NAME=geom -lco FID=ogc_fid -overwrite
t1=$(secs)
og=$(elapsed "$t0" "$t1")
ogloaded=$(psql "$scratch" -tAc "SELECT count(*) FROM ogr_parcels")

echo
echo "== figures ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
awk -v n="$loaded" -v lq="$lq" -v og="$og" -v on="$ogloaded" 'BEGIN {
	printf "landquota import: %d parcels in %.1f s (%.0f/s), validated and written into parcels (target < 120 s)\n", n, lq, n / lq
	printf "ogr2ogr:          %d features in %.1f s (%.0f/s), loaded into a bare table\n", on, og, on / og
	printf "landquota / ogr2ogr time: %.2fx\n", lq / og
}'
if command -v python3 >/dev/null; then
	python3 - "$dir/report.json" <<-'EOF'
	import json, sys
	r = json.load(open(sys.argv[1]))
	print("steps of the import (ms):")
	for s in r["steps"]:
	    if s["ms"] >= 100:
	        print("  %7d  %s" % (s["ms"], s["name"][:60]))
	EOF
fi
