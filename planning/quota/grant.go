package quota

import (
	"fmt"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
)

// Holding is what a project's account looks like while a grant is being
// decided, read under a lock on the project so that two requests for "the
// outstanding need" cannot both see it outstanding.
type Holding struct {
	Account string      // the project's account code (P42)
	Parent  string      // the account above it, which grants and receives
	Held    amount.Area // what the project's account holds now
	Need    amount.Area // new quota its parcels still need before approval
}

// ProjectAccount is the code of a project's account.
func ProjectAccount(id int64) string { return fmt.Sprintf("P%d", id) }

// Decide turns a grant into the booking it makes, by the rules of a grant:
// without an amount a grant is the outstanding need (need less what the
// account holds) and a release everything held; an explicit grant beyond the
// outstanding need is refused unless an admin gives an override reason,
// which the entry records. Whether the account above has that much is the
// ledger's law, checked where the entry is booked.
func (g *Grant) Decide(h Holding) (Booking, error) {
	var want amount.Area
	if g.Release {
		want = h.Held
		if g.Amount != nil {
			want = *g.Amount
		}
		if want <= 0 {
			return Booking{}, planning.Errorf(planning.ErrConflict, "project %d holds no quota to release", g.ProjectID)
		}
	} else {
		outstanding := max(0, h.Need-h.Held)
		switch {
		case g.Amount == nil && outstanding == 0:
			return Booking{}, planning.Errorf(planning.ErrConflict, "project %d needs no more quota: its parcels still to be approved need %s of new construction land and it holds %s",
				g.ProjectID, amount.FormatM2(h.Need, false), amount.FormatM2(h.Held, false)).WithDetail("need_m2", h.Need).WithDetail("held_m2", h.Held)
		case g.Amount == nil:
			want = outstanding
		case *g.Amount > outstanding && g.OverrideReason == "":
			return Booking{}, planning.Errorf(planning.ErrConflict, "project %d needs only %s more (%.2f hm²); granting %s needs an admin's override_reason",
				g.ProjectID, amount.FormatM2(outstanding, false), outstanding.Rounded(amount.Hectare), amount.FormatM2(*g.Amount, false)).
				WithDetail("outstanding_m2", outstanding).WithDetail("field", "amount")
		default:
			want = *g.Amount
		}
	}
	b := Booking{Year: g.Year, Kind: g.Kind, Entry: EntryAllocate, From: h.Parent, To: h.Account,
		AmountM2: want, Reason: g.Reason, By: g.By, IdempotencyKey: g.IdempotencyKey, OverrideReason: g.OverrideReason}
	if g.Release {
		b.Entry, b.From, b.To = EntryRelease, h.Account, h.Parent
	}
	return b, b.Check()
}

// Retried checks that prior, the entry already booked under the grant's
// idempotency key, is this grant booked before (in the same plan, for the
// same project, the same way), so a retry answers it instead of booking
// again; any other use of the key is a conflict.
func (g *Grant) Retried(prior Entry, samePlan bool) error {
	code := ProjectAccount(g.ProjectID)
	if !samePlan || (prior.To != code && prior.From != code) || (prior.Kind == EntryRelease) != g.Release {
		return planning.Errorf(planning.ErrConflict, "idempotency key %q was already used for entry %d (%s %s m² from %q to %q); use a new key for a new grant",
			g.IdempotencyKey, prior.ID, prior.Kind, amount.AppendM2(nil, prior.AmountM2), prior.From, prior.To).WithDetail("entry_id", prior.ID)
	}
	return nil
}
