package quota

import (
	"fmt"
	"sort"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// CityAccount is the code of the city's account, the root of every plan
// (Hangzhou's adcode).
const CityAccount = "330100"

// ScenarioLock is a scenario's state as its approval sees it, read under a
// lock on its plan: no booking can slip in between.
type ScenarioLock struct {
	Status    string // draft | approved
	LedgerNow int64  // the plan's last ledger entry now
}

// Approvable refuses to approve a scenario approved already, or one that is
// stale: run before the ledger last moved, its figures no longer hold.
func (sc *Scenario) Approvable(l ScenarioLock) error {
	if l.Status == "approved" {
		return planning.Errorf(planning.ErrConflict, "scenario %d is already approved", sc.ID)
	}
	if l.LedgerNow != sc.LedgerMark {
		return planning.Errorf(planning.ErrConflict,
			"scenario %d is stale: the ledger moved since it ran (entry %d then, %d now); run the allocation again", sc.ID, sc.LedgerMark, l.LedgerNow).
			WithDetail("ledger_mark", sc.LedgerMark).WithDetail("ledger_now", l.LedgerNow)
	}
	return nil
}

// ApprovalBookings are the entries that approving sc books, all or none: what
// it keeps at the top into the city's reserve (so the dashboard shows what
// the scenario reserved), then the city passes each district what its
// projects were granted, each district its park earmarks theirs, and each
// account its projects'. Each is checked; each has a key of its own.
func ApprovalBookings(sc Scenario, by string) ([]Booking, error) {
	bookings := scenarioBookings(sc)
	if sc.Result.Reserve > 0 {
		bookings = append([]Booking{{Entry: EntryReserve, From: CityAccount, To: CityAccount + "/RESERVE",
			AmountM2: sc.Result.Reserve, Reason: "市级预留 / city reserve"}}, bookings...)
	}
	for i := range bookings {
		b := &bookings[i]
		b.Year, b.Kind, b.By = sc.Year, sc.Kind, by
		b.Reason = fmt.Sprintf("方案 %d 审批：%s / scenario %d approved: %s", sc.ID, b.Reason, sc.ID, b.Reason)
		b.IdempotencyKey = fmt.Sprintf("scenario-%d-%d", sc.ID, i)
		if err := b.Check(); err != nil {
			return nil, err
		}
	}
	return bookings, nil
}

// scenarioBookings turns a result into allocations down the tree, parents
// before children, in a stable order.
func scenarioBookings(sc Scenario) []Booking {
	parent := map[string]string{}
	for _, a := range sc.Result.Accounts {
		parent[a.AccountID] = a.ParentID
	}
	down := map[[2]string]amount.Area{} // (from, to) -> amount
	for _, d := range sc.Result.Decisions {
		if d.Granted <= 0 {
			continue
		}
		child := ProjectAccount(d.ProjectID)
		for acc := d.AccountID; ; acc = parent[acc] {
			down[[2]string{acc, child}] += d.Granted
			if parent[acc] == "" {
				down[[2]string{CityAccount, acc}] += d.Granted
				break
			}
			child = acc
		}
	}
	keys := make([][2]string, 0, len(down))
	for k := range down {
		keys = append(keys, k)
	}
	depth := func(code string) int {
		n := 0
		for c := code; c != "" && c != CityAccount; c = parent[c] {
			n++
			if _, ok := parent[c]; !ok {
				n += 10 // a project: deepest
				break
			}
		}
		return n
	}
	sort.Slice(keys, func(i, j int) bool {
		di, dj := depth(keys[i][0]), depth(keys[j][0])
		if di != dj {
			return di < dj
		}
		return keys[i][0]+">"+keys[i][1] < keys[j][0]+">"+keys[j][1]
	})
	out := make([]Booking, len(keys))
	for i, k := range keys {
		out[i] = Booking{Entry: EntryAllocate, From: k[0], To: k[1], AmountM2: down[k],
			Reason: fmt.Sprintf("%s → %s", k[0], k[1])}
	}
	return out
}
