# landquota: `make run` for the map, `make test` for the whole test suite.
SHELL := /bin/bash
GO ?= go
BIN := bin/landquota
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
UI_SRC := $(shell find web/ui/src -type f 2>/dev/null) web/ui/build.mjs web/ui/package.json

.PHONY: run test build ui lint bench loadtest replica-test db db-stop clean-db clean

## run: start a local PostGIS (under .data/), migrate, seed the demo if empty, serve on :8080
run: build
	@scripts/run.sh

## test: vet, staticcheck, unit and integration tests against a real PostGIS test database
test: ui
	@scripts/test.sh

build: ui
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/landquota

## ui: bundle the OpenLayers app when its source changed
ui: web/ui/dist/index.html

web/ui/dist/index.html: $(UI_SRC) web/ui/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 (apt-get install nodejs npm)"; exit 1; }
	cd web/ui && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent

lint:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## bench: seed 1,000,000 parcels (once) and run every benchmark with its reference
bench: ui
	@scripts/bench.sh

## loadtest: one minute of mixed load at 8-64 clients on loopback; p99 per endpoint, zero 5xx
loadtest: ui
	@scripts/loadtest.sh

## replica-test: a primary and a streaming standby of its own, load, the standby stopped mid-run (about 2 minutes)
replica-test:
	@scripts/replica-test.sh

## db: start the local cluster and print the app database URL
db:
	@scripts/db.sh url landquota

db-stop:
	@scripts/db.sh stop

## clean-db: stop the local cluster and delete its data
clean-db:
	@scripts/db.sh clean

clean:
	rm -rf bin web/ui/node_modules
	find web/ui/dist -mindepth 1 ! -name .gitkeep -delete 2>/dev/null || true
