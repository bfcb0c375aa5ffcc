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

func (s *Server) affordable(r *http.Request) (affordableStore, int, error) {
	as, err := storePart[affordableStore](s, planning.Textf("affordable-housing targets are not available on this server"))
	if err != nil {
		return nil, 0, err
	}
	y, err := strconv.Atoi(chi.URLParam(r, "year"))
	if err != nil || y < 1990 || y > 2100 {
		return nil, 0, invalidParam("year", "%q is not a year between 1990 and 2100", chi.URLParam(r, "year"))
	}
	return as, y, nil
}

// affordableTarget serves GET /api/affordable-housing/{year}: the city's
// 保障性住房 land target (null when none is set).
func (s *Server) affordableTarget(w http.ResponseWriter, r *http.Request) error {
	as, year, err := s.affordable(r)
	if err != nil {
		return err
	}
	t, err := as.AffordableTarget(r.Context(), year)
	return respond(w, http.StatusOK, map[string]any{"year": year, "target": t}, err)
}

// setAffordableTarget serves PUT /api/affordable-housing/{year} (admin):
// {"target": 12.5, "unit": "公顷", "document": "…"}; the unit is m2, mu or
// ha in any of their spellings (平方米, 亩, 公顷 ...).
func (s *Server) setAffordableTarget(w http.ResponseWriter, r *http.Request) error {
	as, year, err := s.affordable(r)
	if err != nil {
		return err
	}
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
		if unit, err = amount.ParseUnit(in.Unit); err != nil {
			return planning.Errorf(planning.ErrInvalid, "unit: %v", err).WithDetail("field", "unit")
		}
	}
	by := ""
	if p := planning.PrincipalFrom(r.Context()); p != nil {
		by = p.User.Username
	}
	t := planner.AffordableTarget{Year: year, City: in.City, TargetM2: unit.ToM2(in.Target), Document: in.Document}
	if err := as.SetAffordableTarget(r.Context(), t, by); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": year, "target": t})
	return nil
}
