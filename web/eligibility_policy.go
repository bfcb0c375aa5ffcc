package web

import (
	"context"
	"net/http"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// The protected-line tolerance of the eligibility policy (docs/DOMAIN.md
// §6): an overlap of at most area_tolerance_m2, or thinner everywhere than
// sliver_width_m, is no conflict.
//
//	GET /api/eligibility/policy   everyone
//	PUT /api/eligibility/policy   admin: {"area_tolerance_m2": 1, "sliver_width_m": 0.5, "note": "…"}

// tolerancePolicyStore is what the routes need from storage.
type tolerancePolicyStore interface {
	TolerancePolicy(ctx context.Context) (planner.TolerancePolicy, error)
	ChangeTolerancePolicy(ctx context.Context, c planner.ToleranceChange) (planner.TolerancePolicy, error)
}

// maxPolicyBody bounds the body of a PUT: the policy is two numbers and a note.
const maxPolicyBody = 16 << 10

// withTolerancePolicy gives h the store's eligibility policy.
func (s *Server) withTolerancePolicy(h func(tolerancePolicyStore, http.ResponseWriter, *http.Request) error) handlerFunc {
	return withPart(s, planning.Textf("the eligibility policy is not available on this server"), h)
}

// tolerancePolicy serves GET /api/eligibility/policy.
func tolerancePolicy(ps tolerancePolicyStore, w http.ResponseWriter, r *http.Request) error {
	p, err := ps.TolerancePolicy(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, p)
	return nil
}

// setTolerancePolicy serves PUT /api/eligibility/policy (admin): both
// figures are required; the answer is the policy as it now stands.
func setTolerancePolicy(ps tolerancePolicyStore, w http.ResponseWriter, r *http.Request) error {
	var c planner.ToleranceChange
	if err := decodeStrictJSON(r, &c); err != nil {
		return err
	}
	if err := c.Check(true); err != nil {
		return err
	}
	c.By = username(r)
	p, err := ps.ChangeTolerancePolicy(r.Context(), c)
	return respond(w, http.StatusOK, p, err)
}
