package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
)

// fingerprint is a checksum of the ledger, the balances and the parcels.
func fingerprint(t *testing.T, db string) string {
	t.Helper()
	return queryOne[string](t, db, `SELECT md5(
		(SELECT string_agg(concat_ws('|', id, kind, from_account, to_account, amount_m2, reason, created_by, idempotency_key), E'\n' ORDER BY id) FROM ledger_entries) ||
		(SELECT string_agg(concat_ws('|', id, code, held), E'\n' ORDER BY id) FROM quota_accounts) ||
		(SELECT string_agg(concat_ws('|', id, code, status, area_m2, ST_AsText(geom)), E'\n' ORDER BY id) FROM parcels) ||
		(SELECT count(*) FROM users)::text)`)
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	src := pgtest.URL(t)
	must(t, src, "seed", "--parcels", "1500", "--seed", "5")
	t.Setenv("LANDQUOTA_PASSWORD", "a long enough password")
	must(t, src, "user", "add", "--username", "ops", "--role", "admin")
	file := filepath.Join(t.TempDir(), "lq.dump")
	must(t, src, "backup", "--out", file)

	dst := pgtest.EmptyURL(t)
	if out := must(t, dst, "restore", file); !strings.Contains(out, "restored") {
		t.Fatalf("restore: %q", out)
	}
	if fingerprint(t, src) != fingerprint(t, dst) {
		t.Fatal("the restored database differs from the original")
	}
	// The restored database is usable: migrations are current, the
	// ledger still enforces its laws.
	if out := must(t, dst, "migrate"); !strings.Contains(out, "current") {
		t.Fatalf("migrate after restore: %q", out)
	}
	// Restoring over existing data is refused.
	if out, err := landquota(t, dst, "restore", file); err == nil || !strings.Contains(out, "already holds") {
		t.Fatalf("restore over data: %v %q", err, out)
	}
}
