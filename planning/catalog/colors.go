package catalog

// StatusColors is the one colour of each parcel lifecycle status (keyed by
// planning.Status code), from "land in the pipe" (warm) through "being
// built / used" (blue, teal) to "problem land" (pink, purple). The web map
// reads them from /api/meta; the QGIS project uses them as they are.
var StatusColors = map[string]string{
	"planned": "#d7ccc8", "reserve": "#a1887f", "filed": "#fdd835", "approved": "#fb8c00",
	"expropriated": "#c62828", "supplied": "#4fc3f7", "under_construction": "#1e88e5",
	"completed": "#283593", "in_production": "#00897b", "low_efficiency": "#ec407a",
	"redevelopment": "#8e24aa",
}

// ZoneColors is the colour of each protected-line kind (planning.ZoneKind).
// These, ParkColor and DistrictColor reach the web map in /api/meta
// ("colors"), the status colours with the statuses; the map's hatching and
// dashes are its own (web/ui/src/styles.js).
var ZoneColors = map[string]string{
	"permanent_basic_farmland": "#2e7d32", "ecological_red_line": "#d32f2f", "urban_development_boundary": "#7b1fa2",
}

// The outlines of districts and parks.
const (
	DistrictColor = "#37474f"
	ParkColor     = "#0b5394"
)
