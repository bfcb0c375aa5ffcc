package pgstore_test

import (
	"context"
	"testing"

	"github.com/hangzhou-hitech/landquota/migrations"
	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
)

// migratedFrom10 builds a database at version 10, lets seed fill it as the
// old schema allowed, then applies the rest: the land migrations must carry
// stored rows over.
func migratedFrom10(t *testing.T, seed string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.EmptyURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	m, err := migrate.NewMigrator(ctx, conn, migrations.VersionTable)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.LoadMigrations(migrations.Files()); err != nil {
		t.Fatal(err)
	}
	if err := m.MigrateTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, seed); err != nil {
		t.Fatal(err)
	}
	if err := m.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return conn
}

const seed10 = `
INSERT INTO districts (adcode, name_zh, geom, area_m2) VALUES ('330108', '滨江区',
  ST_Multi(ST_Transform(ST_MakeEnvelope(520000, 3340000, 530000, 3350000, 4549), 4490)), 0);
INSERT INTO parcels (code, district_adcode, land_use_code, status, geom, area_m2, approved_on, construction_land)
SELECT c, '330108', u, 'reserve', ST_Multi(ST_Transform(ST_MakeEnvelope(520000 + 200 * i, 3340000, 520100 + 200 * i, 3340100, 4549), 4490)), 0, a::date, cl
FROM (VALUES (1, 'FARM', '0101', NULL, false), (2, 'APPROVED', '100101', '2024-03-01', false),
             (3, 'RECOVERED', '100101', NULL, true)) v(i, c, u, a, cl);`

func TestLifecycleMigrationKeepsStoredParcels(t *testing.T) {
	conn := migratedFrom10(t, seed10)
	ctx := context.Background()
	got := map[string]string{}
	rows, err := conn.Query(ctx, "SELECT code, status FROM parcels")
	if err != nil {
		t.Fatal(err)
	}
	var c, s string
	if _, err := pgx.ForEachRow(rows, []any{&c, &s}, func() error { got[c] = s; return nil }); err != nil {
		t.Fatal(err)
	}
	// Old 储备 before filing: never approved farmland is planned now;
	// approved land and recovered construction land stay in reserve.
	want := map[string]string{"FARM": "planned", "APPROVED": "reserve", "RECOVERED": "reserve"}
	for c, s := range want {
		if got[c] != s {
			t.Errorf("%s: status %q, want %q", c, got[c], s)
		}
	}
	var order []string
	rows, err = conn.Query(ctx, "SELECT code FROM parcel_statuses ORDER BY ordinal LIMIT 5")
	if err != nil {
		t.Fatal(err)
	}
	order, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 5 || order[0] != "planned" || order[3] != "expropriated" || order[4] != "reserve" {
		t.Errorf("ordinals start %v, want planned, filed, approved, expropriated, reserve", order)
	}
}
