package imports

import (
	"context"
	"time"

	"github.com/paulmach/orb"
)

// Request says what to import and how, as far as the store is concerned
// (the importer's request adds how the file's fields are found).
type Request struct {
	ID        string // names the import in the log; the caller makes it unique
	Layer     Layer
	Mode      Mode
	DryRun    bool   // validate only
	Repair    bool   // repair invalid outlines (ST_MakeValid, open rings closed) and report each repair
	MaxIssues int    // issues listed in the report (all are counted); 0: DefaultMaxIssues
	CreatedBy string // who imports (for the log)
	// StatementTimeout bounds each statement of the import; 0: no limit.
	StatementTimeout time.Duration
}

// Mapping says which of a layer's fields a file fills: the part of a
// resolved field map the store needs to stage the rows.
type Mapping struct {
	Layer    Layer
	Source   []string // per field of Fields(Layer): the source field, "" when not read
	Defaults []any    // per field: the value for empty source values; nil none
}

// Mapped reports whether field i is read from the file or has a default.
func (m *Mapping) Mapped(i int) bool { return m.Source[i] != "" || m.Defaults[i] != nil }

// Row is one feature ready for the staging table: its outline in
// EPSG:4490 and its values in the order of Fields(layer).
type Row struct {
	Feature       int64
	Key           string           // the key field's value as text ("" when missing)
	Geom          orb.MultiPolygon // nil when the outline could not be read
	Values        []any
	Bad           bool   // reading found errors in this feature
	SourceLandUse string // the land-use code as the file wrote it, when crosswalked
	// Attributes are the file's other properties (parcels): name -> text,
	// json.Number, bool, or raw JSON for objects and arrays.
	Attributes map[string]any
}

// Rows hands rows to the store one at a time, as the file is read.
type Rows interface {
	Next() bool
	Row() *Row
	Err() error
}

// Store is what an import needs from storage.
type Store interface {
	// ImportRows stages the rows, checks them in the database, adds what
	// it finds to rep, and writes them, all in one transaction, only when
	// rep holds no error and req.DryRun is false. It sets rep's write
	// counts and returns the outcome; an error means nothing was written.
	ImportRows(ctx context.Context, req Request, m *Mapping, rows Rows, rep *Report, prog *Progress) (Outcome, error)
}
