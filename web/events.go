package web

import (
	"net/http"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// parcelEvents serves GET /api/parcels/{id}/events: the parcel's idle-land
// history (认定书, 处置决定书, extensions, fees, recovery) in date order.
func (s *Server) parcelEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", aParcel)
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
	var in planner.EventInput
	id, err := pathIDBody(r, aParcel, &in)
	if err != nil {
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
