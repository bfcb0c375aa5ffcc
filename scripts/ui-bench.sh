#!/usr/bin/env bash
# Browser benchmark of the map on a large database (issue 16): headless Chromium (software
# rendering) against the real binary serving the big database read-only, and in the same run a
# small seeded reference database; medians of page ready, first view drawn, page load to parcels
# drawn at zoom 14 (the view set as soon as the page is ready), the same from a link to that view
# (#map=14/lon/lat), pan/zoom to rendercomplete at zooms 10, 12, 14, 16, and an A3 300-dpi print to
# PDF, with big/reference ratios. Visits start once every server has warmed its low-zoom tiles, and a
# view counts as drawn at the rendercomplete of a frame of that view. Not part of make test.
#
#   scripts/ui-bench.sh
#
# Settings (environment):
#   LANDQUOTA_TEST_DATABASE_URL   the cluster (the reference database is created and dropped there);
#                                 default TEST_DATABASE_URL or the local cluster's landquota_test
#   LANDQUOTA_BENCH_URL           the big database (default landquota_bench_1000000 on that cluster;
#                                 make one with `landquota seed --parcels 1000000`)
#   LANDQUOTA_BENCH_REF_PARCELS   parcels of the reference seed (default 3000)
#   LANDQUOTA_BENCH_ROUNDS        visits per database (default 3)
#   LANDQUOTA_BENCH_OLD_BIN       another build of landquota (e.g. of the previous commit) that serves
#                                 the big database and the reference too, visited in turn with this
#                                 one (old and new take turns at going first): new/old ratios on both
#   LANDQUOTA_BENCH_PRINT=0       skip the A3 print (by default each page-load visit then prints the
#                                 view on screen to an A3 landscape PDF at 300 dpi, click to file)
#   LANDQUOTA_BENCH_POPUPS=1      Chromium with its omnibox popups, as benches before session 11 ran
#                                 (by default they are off: each visit's new window loaded them in two
#                                 renderers of their own, ~1.5 s of CPU a visit; tests/harness.mjs)
# Figures print and go to web/ui/test-output/ui-bench.json.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'ui-bench: %s\n' "$*" >&2; }
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { say "chromium is missing (scripts/ui-test.sh installs it)"; exit 1; }
command -v psql >/dev/null || { say "psql is missing"; exit 1; }
[ -d web/ui/node_modules/playwright-core ] || (cd web/ui && npm ci --no-audit --no-fund --loglevel=error)
(cd web/ui && npm run build --silent >/dev/null 2>&1) || (cd web/ui && npm run build)
go build -o bin/landquota ./cmd/landquota
if [ -z "${LANDQUOTA_TEST_DATABASE_URL:-}" ]; then
	LANDQUOTA_TEST_DATABASE_URL=${TEST_DATABASE_URL:-$(scripts/db.sh url landquota_test)}
	export LANDQUOTA_TEST_DATABASE_URL
fi
cd web/ui
exec node tests/bench.mjs
