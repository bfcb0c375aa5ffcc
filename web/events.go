package web

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// parcelID reads the {id} of a parcel route.
func parcelID(r *http.Request) (int64, error) {
	x := chi.URLParam(r, "id")
	id, err := strconv.ParseInt(x, 10, 64)
	if err != nil || id < 1 {
		return 0, invalidParam("id", "%q is not a parcel id", x)
	}
	return id, nil
}

// parcelEvents serves GET /api/parcels/{id}/events: the parcel's idle-land
// history (认定书, 处置决定书, extensions, fees, recovery) in date order.
func (s *Server) parcelEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := parcelID(r)
	if err != nil {
		return err
	}
	es, err := s.store.ParcelEvents(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"parcel_id": id, "events": es, "kinds": planner.EventKinds})
	return nil
}

// addParcelEvent serves POST /api/parcels/{id}/events (admin): records one
// step; 201 with the stored event.
func (s *Server) addParcelEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := parcelID(r)
	if err != nil {
		return err
	}
	var in planner.EventInput
	if err := decodeStrictJSON(r, &in); err != nil {
		return err
	}
	e, err := in.Check()
	if err != nil {
		return err
	}
	by := ""
	if p := planning.PrincipalFrom(r.Context()); p != nil {
		by = p.User.Username
	}
	out, err := s.store.AddParcelEvent(r.Context(), id, "", e, by)
	return respond(w, http.StatusCreated, out, err)
}
