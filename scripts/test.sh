#!/usr/bin/env bash
# make test: a separate test database on the local cluster (or
# TEST_DATABASE_URL), then go vet, staticcheck and go test.
set -euo pipefail
cd "$(dirname "$0")/.."

started_db=
if [ -z "${TEST_DATABASE_URL:-}" ]; then
	scripts/db.sh running || started_db=1
	TEST_DATABASE_URL=$(scripts/db.sh url landquota_test)
fi
stop_db() { [ -n "$started_db" ] && scripts/db.sh stop || true; }
trap stop_db EXIT
# Integration tests make one fresh database per test from this server; with
# LANDQUOTA_REQUIRE_DB they fail, rather than skip, when it is unreachable.
export LANDQUOTA_TEST_DATABASE_URL=$TEST_DATABASE_URL LANDQUOTA_REQUIRE_DB=1

echo "== go vet"
go vet ./...
echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
echo "== ui unit tests (node --test)"
(cd web/ui && npm test --silent)
echo "== ui browser tests (chromium)"; scripts/ui-test.sh
echo "== OpenAPI document of /ogc (swagger-parser)"; (cd web/ui && node tests/openapi.mjs)
# A short fuzz pass of the input parsers; the full go test comes last so its
# summary closes the run. Each pass starts from the seed corpus: a corpus
# cached by earlier runs can take longer than the pass to replay, and Go then
# fails the pass with "context deadline exceeded".
go clean -fuzzcache
for f in planning/adapters/importer:FuzzGeoJSON planning/adapters/importer:FuzzFieldMap web:FuzzParseBBox web:FuzzParseParcelFilter web:FuzzParseTileRequest web:FuzzParseLSN; do echo "== fuzz ${f#*:} (4 s)"; go test -run '^$' -fuzz "^${f#*:}\$" -fuzztime 4s "./${f%%:*}" 2>&1 | grep -v "^fuzz: elapsed"; done
echo "== fault test (PostgreSQL restarted under load, own cluster)"; scripts/fault-test.sh
echo "== go test"
go test -count=1 -timeout 30m ./...
