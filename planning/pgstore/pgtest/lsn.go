package pgtest

import (
	"context"
	"sync"
)

// LSNs stands in for the WAL positions of a primary and its standby
// (pgstore.LSNProbe), so a test decides how far the standby lags and
// whether it answers.
type LSNs struct {
	mu              sync.Mutex
	primary, replay uint64
	down            error
}

// NewLSNs starts at the given positions.
func NewLSNs(primary, replay uint64) *LSNs { return &LSNs{primary: primary, replay: replay} }

// Set moves the positions; down, when set, is what asking the standby returns.
func (l *LSNs) Set(primary, replay uint64, down error) {
	l.mu.Lock()
	l.primary, l.replay, l.down = primary, replay, down
	l.mu.Unlock()
}

// PrimaryLSN is the primary's current WAL position.
func (l *LSNs) PrimaryLSN(context.Context) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.primary, nil
}

// ReplayLSN is what the standby has replayed, or its error when down.
func (l *LSNs) ReplayLSN(context.Context) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.replay, l.down
}
