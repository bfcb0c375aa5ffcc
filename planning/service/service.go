// Package service holds the use cases of the planning year: granting quota
// to a project, running the allocation engine into a scenario, approving a
// scenario, closing a year, importing a file. Each is a small type that
// reads what it needs through the ports below, applies the rules of
// planning/quota and planning/allocation, and saves the outcome. The HTTP
// handlers (web) and the command line (cmd/landquota) both call them, so a
// rule has one home; the store (planning/pgstore) only persists, and
// satisfies the ports.
//
// The ports are split by what is stored. Where a rule must be decided under
// a lock the store holds (the outstanding need of a project, the staleness
// of a scenario, the figures of a closing year), the port takes the rule as
// a function: the store locks and reads, the service decides, the store
// books what was decided, in the same transaction.
package service

import (
	"context"

	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// Policies keeps the versioned allocation policies.
type Policies interface {
	// Policy is one version of a year's policy, the latest when version is
	// 0; ErrNotFound when none is stored.
	Policy(ctx context.Context, year, version int) (quota.PolicyVersion, error)
}

// Plans keeps the plans with their account trees (figures derived from the
// ledger).
type Plans interface {
	Plan(ctx context.Context, year int, kind quota.Kind) (quota.Plan, []quota.Account, error)
}

// ProjectGrants books grants and releases of project quota.
type ProjectGrants interface {
	// GrantTx runs in one transaction under a lock on the project: when
	// g's idempotency key was used before it answers that entry if
	// g.Retried accepts it; otherwise it reads the project's holding
	// (opening its account on first use), calls decide, and books the
	// booking decide returns, under the ledger's law.
	GrantTx(ctx context.Context, g quota.Grant, decide func(quota.Holding) (quota.Booking, error)) (quota.Entry, error)
}

// AllocationRows are the stored facts the engine's input is built from.
type AllocationRows struct {
	Plan       quota.Plan
	Accounts   []quota.Account
	LedgerMark int64 // the plan's last ledger entry when read
	// Stock is each district's 增存挂钩 facts of the year before the plan's,
	// by the yearly report's rules; Evaluations its 亩均 figures of that
	// year, by adcode (absent: not evaluated).
	Stock       []quota.DistrictStock
	Evaluations map[string]planner.DistrictEvaluation
	TiltParks   map[string]bool // parks that receive the policy's tilt
	Projects    []quota.Project // every project, its need by the year's rules
}

// AllocationFacts reads the rows of a plan for the engine.
type AllocationFacts interface {
	AllocationRows(ctx context.Context, year int, kind quota.Kind) (AllocationRows, error)
}

// Scenarios keeps saved runs of the engine.
type Scenarios interface {
	SaveScenario(ctx context.Context, sc quota.Scenario) (quota.Scenario, error)
	Scenario(ctx context.Context, id int64, withInput bool) (quota.Scenario, error)
	// ApproveTx locks the scenario's plan, reads the scenario's state,
	// books the bookings decide returns (as the scenario's) and marks it
	// approved by by, all in one transaction.
	ApproveTx(ctx context.Context, sc quota.Scenario, by string, decide func(quota.ScenarioLock) ([]quota.Booking, error)) error
}

// YearEnds books the end of a planning year.
type YearEnds interface {
	// DistrictStock is each district's 增存挂钩 facts of a year.
	DistrictStock(ctx context.Context, year int) ([]quota.DistrictStock, error)
	// CloseTx locks the plan, reads its accounts, calls decide and books
	// the closing it returns: carry-over and lapse out of every account,
	// carry-in to next year's plan (opened when missing), the rewards, and
	// the plan closed. All or nothing.
	CloseTx(ctx context.Context, year int, kind quota.Kind, by string, decide func(quota.Plan, []quota.Account) (quota.Closing, error)) (quota.Closing, error)
}

// Store is every port of the use cases; planning/pgstore.Store satisfies it.
type Store interface {
	Policies
	Plans
	ProjectGrants
	AllocationFacts
	Scenarios
	YearEnds
}

// Services are the use cases, built on one store.
type Services struct {
	Grants      Grants
	Allocations Allocations
	YearEnd     YearEnd
}

// New builds the use cases on st.
func New(st Store) Services {
	return Services{
		Grants:      Grants{Store: st},
		Allocations: Allocations{Policies: st, Facts: st, Scenarios: st},
		YearEnd:     YearEnd{Policies: st, Plans: st, Store: st},
	}
}
