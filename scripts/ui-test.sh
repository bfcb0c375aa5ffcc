#!/usr/bin/env bash
# Browser tests of the map UI (web/ui/tests/browser.e2e.mjs): Debian's Chromium driven by
# playwright-core against the real binary and a fresh database on the test server.
#
#   scripts/ui-test.sh          (make test runs it; alone it starts the local cluster itself)
#   scripts/ui-test.sh forms    (only tests/forms.e2e.mjs; several names may follow)
#
# Needs: chromium, fonts-noto-cjk and poppler-utils (installed from Debian's packages when
# missing and run as root), Node.js with npm, Go, psql. Screenshots of the main screens go to
# web/ui/test-output/.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'ui-test: %s\n' "$*" >&2; }

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		say "chromium is missing; install it with: sudo apt-get install -y chromium"
		exit 1
	fi
	say "installing chromium from Debian's packages (once)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }
	[ -x "$chromium" ] || { say "chromium is still missing after apt-get install"; exit 1; }
fi
# Debian's CJK font, so that screenshots show Chinese (the tests check text pixels); pdftoppm
# and pdftotext (poppler-utils) read the printed map back.
need=()
# (grep without -q: under pipefail, -q's early exit kills fc-list with SIGPIPE and reads as missing)
fc-list 2>/dev/null | grep -i 'Noto Sans CJK' >/dev/null || need+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		say "missing ${need[*]}; install with: sudo apt-get install -y ${need[*]}"
		exit 1
	fi
	say "installing ${need[*]} from Debian's packages (once)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null; }
fi
command -v psql >/dev/null || { say "psql is missing (scripts/db.sh installs PostgreSQL)"; exit 1; }
command -v npm >/dev/null || { say "npm is missing: install Node.js 20 (apt-get install nodejs npm)"; exit 1; }

# npm ci unless every dependency in package.json is installed at its pinned version.
if ! (cd web/ui && node -e '
	const fs = require("fs");
	const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
	for (const [name, want] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
		const got = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
		if (got !== want) process.exit(1);
	}' 2>/dev/null); then
	(cd web/ui && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd web/ui && npm run build --silent >/dev/null 2>&1) || (cd web/ui && npm run build)

started_db=
if [ -z "${LANDQUOTA_TEST_DATABASE_URL:-}" ]; then
	scripts/db.sh running 2>/dev/null || started_db=1
	LANDQUOTA_TEST_DATABASE_URL=${TEST_DATABASE_URL:-$(scripts/db.sh url landquota_test)}
	export LANDQUOTA_TEST_DATABASE_URL
fi
stop_db() { [ -n "$started_db" ] && scripts/db.sh stop || true; }
trap stop_db EXIT

export CHROMIUM="$chromium"
# Every tests/*.e2e.mjs file is one suite with its own server and database; names given as
# arguments pick suites.
cd web/ui
suites=(tests/*.e2e.mjs)
if [ $# -gt 0 ]; then
	suites=()
	for name in "$@"; do
		[ -f "tests/${name%.e2e.mjs}.e2e.mjs" ] || { say "no suite tests/${name%.e2e.mjs}.e2e.mjs"; exit 2; }
		suites+=("tests/${name%.e2e.mjs}.e2e.mjs")
	done
fi
status=0
for suite in "${suites[@]}"; do
	say "suite ${suite#tests/}"
	node "$suite" || status=1
done
exit $status
