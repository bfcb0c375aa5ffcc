package pgstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// planStore has districts 330108 and 330111, park BINFU in 330111, a 2026
// plan, and 100 hm² issued to the city.
func planStore(t *testing.T) *pgstore.Store {
	t.Helper()
	s := openStore(t)
	ctx := context.Background()
	for i, code := range []string{"330108", "330111"} {
		if err := s.InsertDistrict(ctx, planning.District{Adcode: code, NameZh: code, Outline: rect(float64(i)*3000, 0, float64(i)*3000+2000, 2000)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.InsertPark(ctx, planning.Park{Code: "BINFU", NameZh: "滨富", Kind: planning.ParkSpecialCooperationZone,
		HostDistrict: "330111", Outline: rect(3100, 100, 3900, 900)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnsurePlan(ctx, 2026, quota.KindNewConstruction, "2026年度计划"); err != nil {
		t.Fatal(err)
	}
	book(t, s, quota.EntryIssue, "", "330100", 1_000_000, "issue-1")
	return s
}

func book(t *testing.T, s *pgstore.Store, kind quota.EntryKind, from, to string, m2 float64, key string) quota.Entry {
	t.Helper()
	e, err := s.Book(context.Background(), quota.Booking{Year: 2026, Kind: quota.KindNewConstruction, Entry: kind,
		From: from, To: to, AmountM2: amount.FromM2(m2), Reason: "test", By: "tester", IdempotencyKey: key})
	if err != nil {
		t.Fatalf("book %s %s→%s %v: %v", kind, from, to, m2, err)
	}
	return e
}

// consume books 核销 the way an approval does (the API books it only
// through a parcel's approval).
func consume(t *testing.T, s *pgstore.Store, account string, m2 float64) {
	t.Helper()
	if _, err := s.Pool().Exec(context.Background(), `INSERT INTO ledger_entries (plan_id, kind, from_account, amount_m2, reason, created_by, idempotency_key)
		SELECT a.plan_id, 'consume', a.id, $2::numeric, 'test', 'tester', 'consume-' || $1 || '-' || $2::text FROM quota_accounts a
		JOIN plans p ON p.id = a.plan_id AND p.year = 2026 WHERE a.code = $1`, account, m2); err != nil {
		t.Fatalf("consume %s %v: %v", account, m2, err)
	}
}

func held(t *testing.T, s *pgstore.Store) map[string]float64 { return yearHeld(t, s, 2026) }

func TestLedgerMovesQuotaDownTheTree(t *testing.T) {
	s := planStore(t)
	ctx := context.Background()
	if _, err := s.Pool().Exec(ctx, `INSERT INTO projects (code, name, category, district_adcode, park_code) VALUES ('PRJ-1', '光电项目', 'major_industrial', '330111', 'BINFU')`); err != nil {
		t.Fatal(err)
	}
	book(t, s, quota.EntryReserve, "330100", "330100/RESERVE", 100_000, "r1")
	book(t, s, quota.EntryAllocate, "330100", "330111", 400_000, "a1")
	book(t, s, quota.EntryAllocate, "330111", "330111/BINFU", 150_000, "a2")
	book(t, s, quota.EntryAllocate, "330111/BINFU", "P1", 60_000, "a3")
	consume(t, s, "P1", 20_000)
	h := held(t, s)
	want := map[string]float64{"330100": 500_000, "330100/RESERVE": 100_000, "330111": 250_000, "330111/BINFU": 90_000, "P1": 40_000, "330108": 0}
	for code, v := range want {
		if h[code] != v {
			t.Errorf("%s holds %.2f, want %.2f", code, h[code], v)
		}
	}
	// The project's account hangs under the park earmark.
	_, accounts, _ := s.Plan(ctx, 2026, quota.KindNewConstruction)
	for _, a := range accounts {
		if a.Code == "330111" && a.Subtree.ConsumedM2 != 20_000*amount.PerM2 {
			t.Errorf("Fuyang subtree consumed %s, want 20000", a.Subtree.ConsumedM2)
		}
	}

	// The laws: too much is refused with the missing amount, nothing moves.
	_, err := s.Book(ctx, quota.Booking{Year: 2026, Kind: quota.KindNewConstruction, Entry: quota.EntryAllocate,
		From: "330111/BINFU", To: "P1", AmountM2: 100_000 * amount.PerM2, Reason: "too much", By: "tester", IdempotencyKey: "x1"})
	var de *planning.Error
	if !asError(err, &de) || de.Code != planning.ErrConflict || de.Details["shortfall_m2"] != 10000.0 || !strings.Contains(de.Message, "1.00 hm²") {
		t.Fatalf("overdraft: %v %+v", err, de)
	}
	// Consumption beyond the allocation, and skipping a level, are refused.
	for _, b := range []struct {
		kind     quota.EntryKind
		from, to string
		m2       float64
		code     planning.ErrorCode
	}{
		{quota.EntryConsume, "P1", "", 1, planning.ErrInvalid}, // consumption comes from approvals only
		{quota.EntryAllocate, "330100", "P1", 1, planning.ErrInvalid},
		{quota.EntryAllocate, "330108", "330111", 1, planning.ErrInvalid},
		{quota.EntryIssue, "", "330111", 1, planning.ErrInvalid},
		{quota.EntryAllocate, "330100", "330999", 1, planning.ErrNotFound},
	} {
		_, err := s.Book(ctx, quota.Booking{Year: 2026, Kind: quota.KindNewConstruction, Entry: b.kind,
			From: b.from, To: b.to, AmountM2: amount.FromM2(b.m2), Reason: "bad", By: "tester", IdempotencyKey: fmt.Sprint("bad", b)})
		if planning.CodeOf(err) != b.code {
			t.Errorf("%s %s→%s %.2f: %v, want %s", b.kind, b.from, b.to, b.m2, err, b.code)
		}
	}
	if h2 := held(t, s); fmt.Sprint(h2) != fmt.Sprint(h) {
		t.Fatalf("refused entries moved quota: %v → %v", h, h2)
	}

	// A retry books nothing new; a reused key with other content is a conflict.
	again := book(t, s, quota.EntryAllocate, "330111", "330111/BINFU", 150_000, "a2")
	if fmt.Sprint(held(t, s)) != fmt.Sprint(h) || again.Kind != quota.EntryAllocate {
		t.Fatal("a retried booking moved quota again")
	}
	if _, err := s.Book(ctx, quota.Booking{Year: 2026, Kind: quota.KindNewConstruction, Entry: quota.EntryAllocate,
		From: "330111", To: "330111/BINFU", AmountM2: 1 * amount.PerM2, Reason: "x", By: "tester", IdempotencyKey: "a2"}); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("reused key: %v", err)
	}

	// Entries are never edited; a reversal corrects them, once.
	if _, err := s.Pool().Exec(ctx, "UPDATE ledger_entries SET amount_m2 = 1"); err == nil {
		t.Fatal("the ledger accepted an UPDATE")
	}
	if _, err := s.Pool().Exec(ctx, "DELETE FROM ledger_entries"); err == nil {
		t.Fatal("the ledger accepted a DELETE")
	}
	if _, err := s.Reverse(ctx, 2026, quota.KindNewConstruction, 6, "consumption", "tester", "rev-0"); planning.CodeOf(err) != planning.ErrInvalid ||
		!strings.Contains(err.Error(), "withdraw the approval") {
		t.Fatalf("a consumption is reversed by withdrawing the approval, not by hand: %v", err)
	}
	rev, err := s.Reverse(ctx, 2026, quota.KindNewConstruction, 2, "booked in error", "tester", "rev-1")
	if err != nil {
		t.Fatal(err)
	}
	if rev.Reverses != 2 || rev.From != "330100/RESERVE" || rev.To != "330100" {
		t.Fatalf("reversal: %+v", rev)
	}
	if h := held(t, s); h["330100"] != 600_000 || h["330100/RESERVE"] != 0 {
		t.Fatal("the reversal did not restore the city's balance")
	}
	if _, err := s.Reverse(ctx, 2026, quota.KindNewConstruction, 2, "again", "tester", "rev-2"); planning.CodeOf(err) != planning.ErrConflict {
		t.Fatalf("second reversal: %v", err)
	}
	if again, err := s.Reverse(ctx, 2026, quota.KindNewConstruction, 2, "booked in error", "tester", "rev-1"); err != nil || again.ID != rev.ID {
		t.Fatalf("a retried reversal: %+v %v", again, err)
	}
	entries, err := s.Ledger(ctx, 2026, quota.KindNewConstruction, "P1", 0, 100)
	if err != nil || len(entries) != 2 {
		t.Fatalf("ledger of P1: %d entries, %v", len(entries), err)
	}
}

// TestConcurrentApprovalsNeverOverallocate: 50 officials race for the last
// hectares of one account.
func TestConcurrentApprovalsNeverOverallocate(t *testing.T) {
	s := planStore(t)
	ctx := context.Background()
	book(t, s, quota.EntryAllocate, "330100", "330108", 105_000, "to-binjiang")
	for i := 1; i <= 50; i++ {
		if _, err := s.Pool().Exec(ctx, `INSERT INTO projects (code, name, category, district_adcode) VALUES ($1, $1, 'general', '330108')`, fmt.Sprintf("R%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	// Each asks for 1 hm²: 10 fit, with 5,000 m² left over.
	results := together(50, func(i int) error {
		_, err := s.Book(ctx, quota.Booking{Year: 2026, Kind: quota.KindNewConstruction, Entry: quota.EntryAllocate,
			From: "330108", To: fmt.Sprintf("P%d", i+1), AmountM2: 10_000 * amount.PerM2, Reason: "race", By: "tester", IdempotencyKey: fmt.Sprintf("race-%d", i)})
		return err
	})
	accepted := 0
	for i, err := range results {
		switch {
		case err == nil:
			accepted++
		case planning.CodeOf(err) != planning.ErrConflict || !strings.Contains(err.Error(), "more would be needed"):
			t.Errorf("request %d: %v, want a clear conflict", i, err)
		}
	}
	if accepted != 10 {
		t.Fatalf("%d approvals accepted, want exactly 10", accepted)
	}
	var n int
	var sum float64
	if err := s.Pool().QueryRow(ctx, "SELECT count(*), sum(amount_m2)::float8 FROM ledger_entries WHERE idempotency_key LIKE 'race-%'").Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if n != 10 || sum != 100_000 || held(t, s)["330108"] != 5_000 {
		t.Fatalf("%d race entries summing %.2f m², Binjiang holds %.2f", n, sum, held(t, s)["330108"])
	}
}
