#!/usr/bin/env bash
# make bench: seed a 1,000,000-parcel benchmark database (once; reused while
# the seed is unchanged), then run every Go benchmark, including the
# end-to-end ones in cmd/landquota that load the real server with 8 clients,
# and print each figure beside its reference.
#   BENCH_PARCELS=1000000  BENCHTIME=10s  BENCH=regexp  BENCH_TIMEOUT=1h (10h at 10M)
set -euo pipefail
cd "$(dirname "$0")/.."

parcels=${BENCH_PARCELS:-1000000}
started_db=
scripts/db.sh running || started_db=1
stop_db() { [ -n "$started_db" ] && scripts/db.sh stop || true; }
trap stop_db EXIT
url=$(scripts/db.sh url "landquota_bench_$parcels")
test_url=$(scripts/db.sh url landquota_test)
go build -o bin/landquota ./cmd/landquota
DATABASE_URL=$url bin/landquota migrate
count=$(psql "$url" -tAc "SELECT count(*) FROM parcels")
if [ "${count:-0}" != "$parcels" ]; then
	echo "== seeding $parcels parcels (time and peak memory of landquota seed)"
	DATABASE_URL=$url /usr/bin/time -f 'seed: %e s wall, %M KiB peak RSS' bin/landquota seed --replace --parcels "$parcels" --seed 1
fi

# The planning-year benchmark changes data: it runs on a fresh copy, made
# only when BENCH selects it (a copy of the 10M database is 6 GB).
year_db="landquota_bench_year_$parcels"
year_url=
bench_top=${BENCH:-.}
listed=$(go test -run '^$' -list "${bench_top%%/*}" ./cmd/landquota)
if [[ $bench_top == *Year* || $listed == *BenchmarkPlanningYear* ]]; then
	admin_url=$(scripts/db.sh url postgres)
	psql "$admin_url" -qc "DROP DATABASE IF EXISTS $year_db" -c "CREATE DATABASE $year_db TEMPLATE landquota_bench_$parcels"
	year_url=${url%/*}/$year_db?sslmode=disable
fi

# An hour per million parcels (the 1M default), at least one: sampling
# and warming up grow with the table.
timeout=${BENCH_TIMEOUT:-$((parcels > 1000000 ? parcels / 1000000 : 1))h}
out=$(mktemp)
echo "== go test -bench (BENCHTIME=${BENCHTIME:-10s})"
LANDQUOTA_TEST_DATABASE_URL=$test_url LANDQUOTA_BENCH_DATABASE_URL=$url LANDQUOTA_BENCH_YEAR_DATABASE_URL=$year_url \
	go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-10s}" -benchmem -timeout "$timeout" ./... | tee "$out"

echo
echo "== figures against their references ($parcels parcels, 8 clients)"
awk '
	/ops\/s/ { for (i = 1; i < NF; i++) if ($(i+1) == "ops/s") ops[$1] = $i }
	/MiB-rss-growth/ { for (i = 1; i < NF; i++) if ($(i+1) == "MiB-rss-growth") rss = $i }
	/p95-ms/ { for (i = 1; i < NF; i++) if ($(i+1) == "p95-ms") { p95[$1] = $i; order[++n] = $1 } }
	/approve-10k-s/ { for (i = 1; i < NF; i++) { if ($(i+1) == "approve-10k-s") yr[$1] = $i; if ($(i+1) == "close-10k-s") yc[$1] = $i } }
	/max-ms/ { for (i = 1; i < NF; i++) if ($(i+1) == "max-ms") maxms[$1] = $i }
	function find(pat,   k) { for (k in ops) if (k ~ pat) return ops[k]; return 0 }
	END {
		s = find("GeoJSONPage/server"); p = find("GeoJSONPage/postgres")
		if (p > 0) printf "GeoJSON 1,000-parcel page: server %.1f/s, PostgreSQL alone %.1f/s: %.2fx (target >= 0.8x)\n", s, p, s / p
		u = find("Tile14/server-uncached"); r = find("Tile14/postgres"); c = find("Tile14/server-cached")
		if (r > 0) printf "zoom-14 parcels tile: uncached %.1f/s, raw ST_AsMVT %.1f/s: %.2fx (target >= 0.9x); cached %.1f/s: %.1fx (target >= 20x)\n", u, r, u / r, c, c / r
		if (rss != "") printf "100,000-feature response: peak RSS growth %.1f MiB (target < 64 MiB)\n", rss
		for (k = 1; k <= n; k++) {
			name = order[k]
			if (name !~ /\/server/) continue
			ref = name; sub(/\/server/, "/postgres", ref)
			label = name; sub(/^Benchmark/, "", label); sub(/\/server.*/, "", label)
			target = (label ~ /Eligibility/) ? 20 : (label ~ /^TileZoom/) ? 100 : 50
			printf "%s: p95 %.1f ms, bare SQL %.1f ms (target < %d ms)\n", label, p95[name], p95[ref], target
		}
		for (name in yr) printf "planning year, 10,000 parcels: approved with consumption in %.1f s (target < 30 s), year closed with 10,000 project accounts in %.1f s (target < 10 s)\n", yr[name], yc[name]
		for (name in maxms) if (name ~ /YearReport/) { label = name; sub(/^Benchmark/, "", label); sub(/-[0-9]+$/, "", label); printf "%s: slowest %.0f ms (target < 2000 ms)\n", label, maxms[name] }
	}' "$out"
rm -f "$out"
