#!/usr/bin/env bash
# Import benchmark (issue 7): a million parcels from GeoJSON, end to end,
# against ogr2ogr loading the same file into PostGIS in the same run.
#
#   scripts/bench-import.sh            export from the 1M benchmark database
#                                      (read only; `make bench` seeds it),
#                                      import into a scratch database, compare
#   BENCH_PARCELS=1000000  BENCH_DIR=/tmp/landquota-import-bench  BENCH_KEEP=1 (keep the scratch database)
#   BIN=path        the landquota binary to measure (default: built from this tree)
#   OLD_BIN=path    a second binary (say, main's), imported alternately with BIN
#                   in each round, into a fresh scratch database each time
#   ROUNDS=1        rounds of OLD_BIN, BIN, ogr2ogr; BENCH_REUSE=1 keeps the
#                   exported files of an earlier run instead of exporting again
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
bin=${BIN:-}
if [ -z "$bin" ]; then
	bin="$dir/landquota"
	go build -o "$bin" ./cmd/landquota
fi
old_bin=${OLD_BIN:-}
rounds=${ROUNDS:-1}

secs() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

if [ -n "${BENCH_REUSE:-}" ] && [ -s "$dir/parcels.geojson" ]; then
	echo "== reusing the export in $dir"
else
	echo "== exporting the layers of landquota_bench_$parcels as GeoJSON (read only)"
	t0=$(secs)
	for layer in districts parks protected-zones parcels; do
		DATABASE_URL=$source_url "$bin" export "$layer" -o "$dir/$layer.geojson" 2>&1
	done
	t1=$(secs)
	echo "export: $(elapsed "$t0" "$t1") s"
fi
echo "parcels.geojson: $(du -m "$dir/parcels.geojson" | cut -f1) MiB"

scratch=$(scripts/db.sh url landquota_import_bench)
# ogr2ogr wants libpq key=value, not a URI with parameters.
u=${scratch#*://}; creds=${u%%@*}; rest=${u#*@}; hostport=${rest%%/*}; dbq=${rest#*/}
conn="host=${hostport%%:*} port=${hostport##*:} dbname=${dbq%%\?*} user=${creds%%:*}"

# run_import BIN NAME: a fresh scratch schema migrated by BIN, the small layers,
# then the parcels timed; sets $took and checks every parcel arrived.
run_import() {
	psql "$scratch" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null 2>&1
	DATABASE_URL=$scratch "$1" migrate >/dev/null
	for layer in districts parks protected-zones; do
		DATABASE_URL=$scratch "$1" import "$layer" "$dir/$layer.geojson" --progress none >/dev/null
	done
	echo "== $2: landquota import parcels ($parcels features; load $(cut -d' ' -f1-3 /proc/loadavg))"
	local t0 t1
	t0=$(secs)
	DATABASE_URL=$scratch /usr/bin/time -f "$2: %M KiB peak RSS, client CPU %U s user %S s system" "$1" import parcels "$dir/parcels.geojson" --progress none --report "$dir/report-$2.json" | tail -n 1
	t1=$(secs)
	took=$(elapsed "$t0" "$t1")
	local n
	n=$(psql "$scratch" -tAc "SELECT count(*) FROM parcels")
	[ "$n" = "$parcels" ] || { echo "bench-import: $2 left $n parcels, not $parcels" >&2; exit 1; }
	echo "$2: $took s"
}

results=()
for round in $(seq 1 "$rounds"); do
	old=
	if [ -n "$old_bin" ]; then
		run_import "$old_bin" old
		old=$took
	fi
	run_import "$bin" new
	lq=$took
	echo "== ogr2ogr -f PostgreSQL (the same file, into a plain table; load $(cut -d' ' -f1-3 /proc/loadavg))"
	t0=$(secs)
	/usr/bin/time -f 'ogr2ogr: %M KiB peak RSS, client CPU %U s user %S s system' ogr2ogr -f PostgreSQL "PG:$conn" "$dir/parcels.geojson" -nln ogr_parcels -nlt MULTIPOLYGON \
		-lco GEOMETRY_NAME=geom -lco FID=ogc_fid -overwrite
	t1=$(secs)
	og=$(elapsed "$t0" "$t1")
	ogloaded=$(psql "$scratch" -tAc "SELECT count(*) FROM ogr_parcels")
	[ "$ogloaded" = "$parcels" ] || { echo "bench-import: ogr2ogr loaded $ogloaded features, not $parcels" >&2; exit 1; }
	echo "ogr2ogr: $og s"
	results+=("$round $lq $og ${old:--} $(cut -d' ' -f1 /proc/loadavg)")
done

echo
echo "== figures ($(nproc) CPUs, load now $(cut -d' ' -f1-3 /proc/loadavg)); each import validated and wrote every parcel"
for r in "${results[@]}"; do
	echo "$r"
done | awk -v n="$parcels" '{
	printf "round %d (load %s at its end): landquota %.1f s (%.0f/s), ogr2ogr %.1f s: landquota / ogr2ogr %.2fx", $1, $5, $2, n / $2, $3, $2 / $3
	if ($4 != "-") printf "; old %.1f s: old / ogr2ogr %.2fx, new / old %.2fx", $4, $4 / $3, $2 / $4
	printf "\n"
}'
if command -v python3 >/dev/null; then
	python3 - "$dir/report-new.json" "${old_bin:+$dir/report-old.json}" <<-'EOF'
	import json, os, sys
	def steps(path):
	    out = {}
	    if path and os.path.exists(path):
	        for s in json.load(open(path))["steps"]:
	            out[s["name"][:60]] = out.get(s["name"][:60], 0) + s["ms"]
	    return out
	new, old = steps(sys.argv[1]), steps(sys.argv[2])
	print("steps of the last round's imports (ms: new, then old when OLD_BIN ran):")
	for name in list(new) + [n for n in old if n not in new]:
	    if max(new.get(name, 0), old.get(name, 0)) >= 100:
	        print("  %7s  %7s  %s" % (new.get(name, "-"), old.get(name, "-") if old else "", name))
	EOF
fi
