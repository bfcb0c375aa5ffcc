package planning

import (
	"context"

	"github.com/paulmach/orb"
)

// LayerNames lists the map layers, in drawing order (bottom first).
var LayerNames = []string{"districts", "parks", "protected-zones", "parcels"}

// LayerQuery selects features of one layer.
type LayerQuery struct {
	Layer     string
	BBox      *orb.Bound // lon/lat, EPSG:4490; nil for everything
	Limit     int        // > 0
	After     string     // keyset: only features whose key sorts after this
	Precision int        // coordinate decimals
}

// GeoStore is what the web face needs from the geography store.
type GeoStore interface {
	// Ready reports whether the database answers and its schema is current.
	Ready(ctx context.Context) error
	// StreamLayer hands each matching feature, encoded as GeoJSON, to emit
	// as it arrives, and returns the key to continue after ("" at the end).
	StreamLayer(ctx context.Context, q LayerQuery, emit func(feature []byte) error) (next string, err error)
	// Extent is the bounding box of the districts.
	Extent(ctx context.Context) (orb.Bound, error)
}
