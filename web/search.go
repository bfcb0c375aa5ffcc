package web

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// searchParcels serves POST /api/parcels/search: one page of matching
// parcels as a GeoJSON FeatureCollection, streamed, with the totals of
// all matches and the cursor of the next page.
func (s *Server) searchParcels(w http.ResponseWriter, r *http.Request) error {
	var req planner.SearchRequest
	q, r, done, err := askPlanner(s, w, r, &req, &req.Where.Polygon, "where.polygon")
	if err != nil {
		return err
	}
	defer done()
	w.Header().Set("Cache-Control", "no-store")
	fw := s.newFeatureWriter(w, r)
	res, err := s.store.SearchParcels(r.Context(), q, fw.emit)
	return fw.finish(err, func() string {
		totals, _ := json.Marshal(res.Totals)
		next := "null"
		if res.Next != "" {
			next = strconv.Quote(res.Next)
		}
		return `,"numberReturned":` + strconv.Itoa(fw.n) + `,"totals":` + string(totals) + `,"next":` + next +
			`,"order":` + strconv.Quote(string(q.Order)) + `,"limit":` + strconv.Itoa(q.Limit)
	})
}

// eligibility serves POST /api/eligibility.
func (s *Server) eligibility(w http.ResponseWriter, r *http.Request) error {
	var req planner.EligibilityRequest
	q, r, done, err := askPlanner(s, w, r, &req, &req.Geometry, "geometry")
	if err != nil {
		return err
	}
	defer done()
	e, err := s.store.CheckEligibility(r.Context(), q)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, e)
	return nil
}

// askPlanner reads a planner's question (a search, an eligibility check)
// into req, checks it and the shape it draws (at shape, named field), and
// waits for an interactive slot; done frees the slot.
func askPlanner[Q any](s *Server, w http.ResponseWriter, r *http.Request, req interface{ Check() (Q, error) },
	shape *json.RawMessage, field string) (q Q, _ *http.Request, done func(), err error) {
	if err := decodeStrictJSON(r, req); err != nil {
		return q, r, nil, err
	}
	q, err = req.Check()
	if err == nil && len(*shape) > 0 {
		err = capShape(*shape, field)
	}
	if err != nil {
		return q, r, nil, err
	}
	r, done, err = s.interactiveSlot(w, r)
	return q, r, done, err
}

// Caps on a shape drawn for an interactive question (search, eligibility):
// beyond them one request could keep PostGIS busy for many seconds. A
// real parcel or plot has at most a few hundred vertices, and the largest
// district concerned (Fuyang) is about 1,830 km².
const (
	maxShapeBytes    = 256 << 10
	maxShapeVertices = 5_000
	maxShapeAreaKm2  = 2_500
)

// capShape refuses a drawn shape beyond the caps, naming the limit.
func capShape(raw json.RawMessage, field string) error {
	tooBig := func(what planning.Text, got, limit any) error {
		return planning.Errorf(planning.ErrInvalid, "%s: the drawn shape has %v %s, more than the %v allowed; simplify it or split the question",
			field, got, what, limit).WithDetail("field", field).WithDetail("limit", limit)
	}
	if len(raw) > maxShapeBytes {
		return tooBig(planning.Textf("bytes"), len(raw), maxShapeBytes)
	}
	g, err := planner.DecodePolygon(raw, field)
	if err != nil {
		return err
	}
	vertices := 0
	var area float64 // km², on a sphere: the degree cells scaled at each ring's latitude
	for _, p := range polygonsOf(g) {
		for i, ring := range p {
			vertices += len(ring)
			lat := ring.Bound().Center().Lat()
			a := math.Abs(planar.Area(ring)) * 111.32 * 111.32 * math.Cos(lat*math.Pi/180)
			if i == 0 {
				area += a
			} else {
				area -= a
			}
		}
	}
	if vertices > maxShapeVertices {
		return tooBig(planning.Textf("vertices"), vertices, maxShapeVertices)
	}
	if area > maxShapeAreaKm2 {
		return tooBig(planning.Textf("km² of area"), math.Round(area), maxShapeAreaKm2)
	}
	return nil
}

func polygonsOf(g orb.Geometry) []orb.Polygon {
	switch x := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{x}
	case orb.MultiPolygon:
		return x
	}
	return nil
}
