package planning

import (
	"time"
)

// ParcelFilter narrows the parcels layer. Conditions are AND-ed; within a
// list, values are OR-ed. The store renders it to SQL with bound parameters.
type ParcelFilter struct {
	Statuses     []Status
	LandUse      []string // planned use (规划用途): class codes or prefixes: "10" is all 工矿, "1001" all 工业
	CurrentUse   []string // current use (现状地类): class codes or prefixes
	Parks        []string // park codes
	Districts    []string // adcodes
	MinAreaM2    *float64
	MaxAreaM2    *float64
	Eligible     *bool      // inside the urban development boundary and clear of farmland and red line
	UpdatedSince *time.Time // changed at or after
	Text         string     // in the name, owner or code (any case, a part of it)
}

// Empty reports whether f selects everything.
func (f *ParcelFilter) Empty() bool {
	return f == nil || (len(f.Statuses) == 0 && len(f.LandUse) == 0 && len(f.CurrentUse) == 0 && len(f.Parks) == 0 && len(f.Districts) == 0 &&
		f.MinAreaM2 == nil && f.MaxAreaM2 == nil && f.Eligible == nil && f.UpdatedSince == nil && f.Text == "")
}
