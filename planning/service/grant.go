package service

import (
	"context"

	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// Grants grants quota to a project from the account above it (its park
// earmark, or its district), or releases it back.
type Grants struct {
	Store ProjectGrants
}

// Grant books g: its own fields checked first, then decided against the
// project's holding under the store's lock (quota.Grant.Decide).
func (s Grants) Grant(ctx context.Context, g quota.Grant) (quota.Entry, error) {
	if err := g.Check(); err != nil {
		return quota.Entry{}, err
	}
	return s.Store.GrantTx(ctx, g, g.Decide)
}
