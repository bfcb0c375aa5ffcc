package planner

import (
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
)

// TolerancePolicy is the protected-line tolerance of the eligibility
// policy as stored (table eligibility_policy): the rule is
// planning.LineTolerance, this is who set it and when.
type TolerancePolicy struct {
	AreaToleranceM2 float64   `json:"area_tolerance_m2"` // an overlap of at most this area is no conflict
	SliverWidthM    float64   `json:"sliver_width_m"`    // nor one thinner everywhere than this (0: off)
	Note            string    `json:"note"`
	UpdatedBy       string    `json:"updated_by"` // a username, "cli", or "" when only the migrations set it
	UpdatedAt       time.Time `json:"updated_at"`
}

// Tolerance is the rule the policy sets.
func (p TolerancePolicy) Tolerance() planning.LineTolerance {
	return planning.LineTolerance{AreaM2: p.AreaToleranceM2, WidthM: p.SliverWidthM}
}

// ToleranceChange is a change of the policy: a nil figure stays as it is.
// It is the body of PUT /api/eligibility/policy (where both figures are
// required) and what `landquota policy tolerance` sets.
type ToleranceChange struct {
	AreaToleranceM2 *float64 `json:"area_tolerance_m2"`
	SliverWidthM    *float64 `json:"sliver_width_m"`
	Note            *string  `json:"note"`
	By              string   `json:"-"`
}

// Bounds of the policy, as the table's CHECKs keep them (migrations 020, 024).
const (
	MaxAreaToleranceM2 = 10000
	MaxSliverWidthM    = 10
	maxToleranceNote   = 500
)

// Check refuses a change that makes no sense, naming the field; with
// whole, both figures must be given (a PUT replaces the policy).
func (c *ToleranceChange) Check(whole bool) error {
	if whole && c.AreaToleranceM2 == nil {
		return planning.Errorf(planning.ErrInvalid, "area_tolerance_m2 is required (m², 0 to %d)", MaxAreaToleranceM2).WithDetail("field", "area_tolerance_m2")
	}
	if whole && c.SliverWidthM == nil {
		return planning.Errorf(planning.ErrInvalid, "sliver_width_m is required (m, 0 to %d; 0 switches the width off)", MaxSliverWidthM).WithDetail("field", "sliver_width_m")
	}
	if a := c.AreaToleranceM2; a != nil && !(*a >= 0 && *a <= MaxAreaToleranceM2) { // NaN fails every comparison
		return planning.Errorf(planning.ErrInvalid, "area_tolerance_m2: %v is not between 0 and %d m²", *a, MaxAreaToleranceM2).WithDetail("field", "area_tolerance_m2")
	}
	if w := c.SliverWidthM; w != nil && !(*w >= 0 && *w <= MaxSliverWidthM) {
		return planning.Errorf(planning.ErrInvalid, "sliver_width_m: %v is not between 0 and %d m (0 switches the width off)", *w, MaxSliverWidthM).WithDetail("field", "sliver_width_m")
	}
	if c.Note != nil {
		n := strings.TrimSpace(*c.Note)
		if len([]rune(n)) > maxToleranceNote {
			return planning.Errorf(planning.ErrInvalid, "note: longer than %d characters", maxToleranceNote).WithDetail("field", "note")
		}
		c.Note = &n
	}
	if c.AreaToleranceM2 == nil && c.SliverWidthM == nil && c.Note == nil {
		return planning.Errorf(planning.ErrInvalid, "nothing to change: give area_tolerance_m2, sliver_width_m or note")
	}
	return nil
}
