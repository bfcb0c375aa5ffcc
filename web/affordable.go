package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// affordableStore is what the affordable-housing targets need from storage.
type affordableStore interface {
	SetAffordableTarget(ctx context.Context, t planner.AffordableTarget, by string) error
	AffordableTarget(ctx context.Context, year int) (*planner.AffordableTarget, error)
}

// withAffordable gives h the store's affordable-housing targets and the
// year the path names.
func (s *Server) withAffordable(h func(affordableStore, int, http.ResponseWriter, *http.Request) error) handlerFunc {
	return withPart(s, planning.Textf("affordable-housing targets are not available on this server"),
		func(as affordableStore, w http.ResponseWriter, r *http.Request) error {
			y, err := targetYear(r)
			if err != nil {
				return err
			}
			return h(as, y, w, r)
		})
}

// targetYear is the {year} of an affordable-housing path.
func targetYear(r *http.Request) (int, error) {
	y, err := strconv.Atoi(chi.URLParam(r, "year"))
	if err != nil || y < 1990 || y > 2100 {
		return 0, invalidParam("year", "%q is not a year between 1990 and 2100", chi.URLParam(r, "year"))
	}
	return y, nil
}

// affordableTarget serves GET /api/affordable-housing/{year}: the city's
// 保障性住房 land target (null when none is set).
func affordableTarget(as affordableStore, year int, w http.ResponseWriter, r *http.Request) error {
	t, err := as.AffordableTarget(r.Context(), year)
	return respond(w, http.StatusOK, map[string]any{"year": year, "target": t}, err)
}

// setAffordableTarget serves PUT /api/affordable-housing/{year} (admin):
// {"target": 12.5, "unit": "公顷", "document": "…"}; the unit is m2, mu or
// ha in any of their spellings (平方米, 亩, 公顷 ...).
func setAffordableTarget(as affordableStore, year int, w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Target   float64 `json:"target"`
		Unit     string  `json:"unit"`
		City     string  `json:"city_adcode"`
		Document string  `json:"document"`
	}
	if err := decodeStrictJSON(r, &in); err != nil {
		return err
	}
	unit := amount.M2
	if in.Unit != "" {
		var err error
		if unit, err = amount.ParseUnit(in.Unit); err != nil {
			return planning.Errorf(planning.ErrInvalid, "unit: %v", err).WithDetail("field", "unit")
		}
	}
	t := planner.AffordableTarget{Year: year, City: in.City, TargetM2: unit.ToM2(in.Target), Document: in.Document}
	if err := as.SetAffordableTarget(r.Context(), t, username(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": year, "target": t})
	return nil
}
