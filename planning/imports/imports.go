// Package imports is the import and export use cases' own vocabulary: the
// layers a file is imported into, the fields each layer imports and their
// kinds, what an import does with stored keys, the request, mapping and
// rows a store stages (Store), the validation report an import answers
// with and its progress; and the formats, queries and columns of an
// export (ExportStore). It reads no file and holds no SQL:
// planning/adapters/importer reads files into these, the service runs an
// import and says its verdict, and planning/pgstore keeps what a committed
// import wrote. Both import this package, not each other.
package imports

import (
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
)

// Layer is a geography table that files are imported into and exported
// from. The names are the map's layer names (planning.LayerNames).
type Layer string

const (
	Districts Layer = "districts"
	Parks     Layer = "parks"
	Zones     Layer = "protected-zones"
	Parcels   Layer = "parcels"
)

// Layers lists the layers in the order a whole geography is loaded.
var Layers = []Layer{Districts, Parks, Zones, Parcels}

// ParseLayer reads a layer name.
func ParseLayer(s string) (Layer, error) {
	for _, l := range Layers {
		if string(l) == s {
			return l, nil
		}
	}
	if s == "zones" || s == "protected_zones" {
		return Zones, nil
	}
	return "", planning.Errorf(planning.ErrInvalid, "unknown layer %q (one of districts, parks, protected-zones, parcels)", s).
		WithDetail("parameter", "layer")
}

// Mode says what an import does with features whose key is already stored.
type Mode string

const (
	ModeInsert Mode = "insert" // refuse them: the file must hold new features only
	ModeUpsert Mode = "upsert" // update them: re-importing a file updates by code
)

// ParseMode reads a mode name; "" is insert.
func ParseMode(s string) (Mode, error) {
	switch Mode(strings.ToLower(strings.TrimSpace(s))) {
	case "", ModeInsert:
		return ModeInsert, nil
	case ModeUpsert, "update":
		return ModeUpsert, nil
	}
	return "", planning.Errorf(planning.ErrInvalid, "mode %q is not insert or upsert", s).WithDetail("field", "mode")
}

// LogEntry sums up one committed import (the import log).
type LogEntry struct {
	ID         string    `json:"id"`
	Layer      string    `json:"layer"`
	Source     string    `json:"source"`
	Mode       string    `json:"mode"`
	Features   int64     `json:"features"`
	Inserted   int64     `json:"inserted"`
	Updated    int64     `json:"updated"`
	CreatedBy  string    `json:"created_by"`
	FinishedAt time.Time `json:"finished_at"`
}
