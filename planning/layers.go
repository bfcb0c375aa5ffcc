package planning

import (
	"context"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/catalog"

	"github.com/paulmach/orb"
)

// LayerNames lists the map layers, in drawing order (bottom first); each is
// described in planning/catalog.
var LayerNames = catalog.Names()

// LayerQuery selects features of one layer.
type LayerQuery struct {
	Layer      string
	BBox       *orb.Bound    // lon/lat, EPSG:4490; nil for everything
	Filter     *ParcelFilter // parcels layer only
	Properties []string      // only these properties; nil for all
	Limit      int           // > 0
	After      string        // keyset: only features whose key sorts after this
	Key        string        // only the feature with this key (id, code or adcode)
	Precision  int           // coordinate decimals
	SRID       int           // output coordinates: 0 or 4490 lon/lat, 4549 metres
	LatLon     bool          // write coordinates in the CRS's axis order (lat/lon, northing/easting)
	Count      bool          // also report how many features match in all
	Updated    *TimeRange    // only features whose updated_at falls in it (OGC datetime)
}

// TimeRange is a closed interval of time; a nil end is open.
type TimeRange struct {
	Start, End *time.Time
}

// GeoStore is what the web face needs from the geography store.
type GeoStore interface {
	// Ready reports whether the database answers and its schema is current.
	Ready(ctx context.Context) error
	// StreamLayer hands each matching feature, encoded as GeoJSON, to emit
	// (the bytes are valid only during the call)
	// as it arrives, and returns the key to continue after ("" at the end).
	// Matched, when q.Count is set, is the total number of matches.
	StreamLayer(ctx context.Context, q LayerQuery, emit func(feature []byte) error) (res LayerResult, err error)
	// LayerVersion changes whenever any layer's data changes (for ETags).
	LayerVersion(ctx context.Context) (string, error)
	// Extent is the bounding box of the districts.
	Extent(ctx context.Context) (orb.Bound, error)
	// Tile renders one Mapbox Vector Tile of the layers visible at q.Z;
	// empty when no feature falls in it.
	Tile(ctx context.Context, q TileQuery) ([]byte, error)
	// TileLayer describes one layer of the vector tiles (for TileJSON).
	TileLayer(ctx context.Context, name string) (TileLayer, error)
}

// LayerResult is what a finished stream reports besides its features.
type LayerResult struct {
	Next    string // key to continue after; "" at the end
	Matched int64  // total matches when asked for, else -1
}

// TileQuery asks for one Mapbox Vector Tile (XYZ scheme, Web Mercator).
type TileQuery struct {
	Layers  []string // one or more of LayerNames
	Z, X, Y int
	Limit   int // most features per layer in the tile; 0: the layer's default
}

// Change says that features of a layer changed somewhere: caches drop what
// the change touches. A nil BBox means "anywhere in the layer".
type Change struct {
	Layer string
	BBox  *orb.Bound // lon/lat, EPSG:4490
}

// TileLayer describes one layer of the vector tiles.
type TileLayer struct {
	Name             string
	MinZoom, MaxZoom int               // outside these zooms the layer is absent from tiles
	Fields           map[string]string // property name -> "String", "Number" or "Boolean"
	Bounds           orb.Bound         // lon/lat extent of the layer's data
}
