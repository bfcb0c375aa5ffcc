package allocation

import "github.com/hangzhou-hitech/landquota/planning/amount"

// Area is the exact amount the engine computes in: whole hundredths of a
// m², the ledger's own unit, so what it grants is booked without rounding.
type Area = amount.Area

const (
	// AreaPerHectare is the number of Area units in one hectare (公顷).
	AreaPerHectare = amount.PerHectare
	// MaxArea bounds every amount the engine accepts (Input.Available,
	// needs, floors, caps): 1e9 m² = 100 000 hm², far above any annual plan,
	// and small enough that score × area sums stay exact in int64.
	MaxArea Area = 100_000_000_000
)
