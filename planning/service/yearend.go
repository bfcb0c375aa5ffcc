package service

import (
	"context"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/allocation"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// YearEnd previews and books the end of a planning year (年终结转):
// carry-over by the policy's share, the lapsed rest, and the 增存挂钩
// rewards (quota.PlanClose).
type YearEnd struct {
	Policies Policies
	Plans    Plans
	Store    YearEnds
}

// Preview computes a year end without booking anything.
func (s YearEnd) Preview(ctx context.Context, year int, kind quota.Kind) (quota.Closing, error) {
	decide, err := s.rules(ctx, year, kind)
	if err != nil {
		return quota.Closing{}, err
	}
	p, accounts, err := s.Plans.Plan(ctx, year, kind)
	if err != nil {
		return quota.Closing{}, err
	}
	return decide(p, accounts)
}

// Close books the year end and closes the plan.
func (s YearEnd) Close(ctx context.Context, year int, kind quota.Kind, by string) (quota.Closing, error) {
	if by == "" {
		return quota.Closing{}, planning.Errorf(planning.ErrUnauthenticated, "log in first")
	}
	decide, err := s.rules(ctx, year, kind)
	if err != nil {
		return quota.Closing{}, err
	}
	c, err := s.Store.CloseTx(ctx, year, kind, by, decide)
	if err != nil {
		return quota.Closing{}, err
	}
	c.Closed = true
	return c, nil
}

// rules reads what a year end needs besides the accounts: the year's
// policy (the documented default when none is stored) and the districts'
// stock facts. Neither moves with bookings, so they are read before the
// plan is locked (a transaction that waited for more connections while
// holding the plan could starve the bookings it blocks).
func (s YearEnd) rules(ctx context.Context, year int, kind quota.Kind) (func(quota.Plan, []quota.Account) (quota.Closing, error), error) {
	pol := allocation.DefaultPolicy(year)
	pv, err := s.Policies.Policy(ctx, year, 0)
	switch {
	case err == nil:
		pol = pv.Policy
	case planning.CodeOf(err) != planning.ErrNotFound:
		return nil, err
	}
	rules := quota.CloseRulesOf(pol)
	var stock []quota.DistrictStock
	if kind == quota.KindNewConstruction { // 增存挂钩 concerns the new construction-land quota
		if stock, err = s.Store.DistrictStock(ctx, year); err != nil {
			return nil, err
		}
	}
	return func(p quota.Plan, accounts []quota.Account) (quota.Closing, error) {
		if err := p.Closable(); err != nil {
			return quota.Closing{}, err
		}
		return quota.PlanClose(year, kind, accounts, stock, rules), nil
	}, nil
}
