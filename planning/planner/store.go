package planner

import (
	"context"
	"time"
)

// StockQuery selects parcels of the stock layer: those with at least one
// of the wanted flags as of a day.
type StockQuery struct {
	AsOf      time.Time
	Rules     Rules
	BBox      *[4]float64 // minLon, minLat, maxLon, maxLat (EPSG:4490); nil for everywhere
	District  string
	Park      string
	Kinds     []string // StockKinds; empty: any of them
	Limit     int
	After     int64 // keyset: parcel ids greater than this
	Precision int
}

// StockKinds are the flags the stock layer can be filtered by.
var StockKinds = []string{"unsupplied", "idle", "idle_exempt", "fee_due", "recovery_due", "facts_missing",
	string(LowSuppliedUnused), string(LowUsedUnfinished), string(LowBuiltNotProducing), string(LowProducingBelowStandard)}

// Store is what the planners' questions need from storage.
type Store interface {
	// SearchParcels runs a search: it hands each matching feature of the
	// page, encoded as GeoJSON, to emit as it arrives (the bytes are valid
	// only during the call) and returns the totals and the next cursor.
	SearchParcels(ctx context.Context, q Search, emit func(feature []byte) error) (SearchResult, error)
	// CheckEligibility measures a drawn shape or a parcel against the
	// protected lines and decides whether it needs new quota.
	CheckEligibility(ctx context.Context, q EligibilityQuery) (Eligibility, error)
	// StreamStock hands each parcel of the stock layer to emit, with its
	// derived flags, and returns the id to continue after (0 at the end).
	StreamStock(ctx context.Context, q StockQuery, emit func(feature []byte) error) (next int64, err error)
	// StockSummary sums the stock land per district and park as of a day.
	StockSummary(ctx context.Context, asof time.Time, r Rules) (StockSummary, error)
	// YearReport gathers the year's statistics; stock figures as of asof
	// (the year's last day, or earlier for the current year).
	YearReport(ctx context.Context, year int, asof time.Time, r Rules) (Report, error)
	// The parcels' idle-land history (events.go).
	EventStore
}
