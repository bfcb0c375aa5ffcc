package web

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb/geojson"
)

// enclaveStore is what the enclaves need from storage.
type enclaveStore interface {
	InsertEnclave(ctx context.Context, e planning.Enclave) (planning.Enclave, error)
	Enclaves(ctx context.Context) ([]planning.Enclave, error)
}

// withEnclaves gives h the store's enclaves.
func (s *Server) withEnclaves(h func(enclaveStore, http.ResponseWriter, *http.Request) error) handlerFunc {
	return withPart(s, planning.Textf("enclaves are not available on this server"), h)
}

// enclaves serves GET /api/enclaves: the science enclaves (科创飞地).
func enclaves(es enclaveStore, w http.ResponseWriter, r *http.Request) error {
	list, err := es.Enclaves(r.Context())
	return respond(w, http.StatusOK, map[string]any{"enclaves": list}, err)
}

// enclaveInput is an enclave as an admin sends it.
type enclaveInput struct {
	Code         string          `json:"code"`
	NameZh       string          `json:"name_zh"`
	NameEn       string          `json:"name_en"`
	HomePark     string          `json:"home_park"`
	City         string          `json:"city"`
	Country      string          `json:"country"`
	Location     []float64       `json:"location"` // [lon, lat] degrees
	Site         json.RawMessage `json:"site"`     // GeoJSON Polygon or MultiPolygon, optional
	FloorAreaM2  float64         `json:"floor_area_m2"`
	LeaseStartOn string          `json:"lease_start_on"`
	LeaseEndOn   string          `json:"lease_end_on"`
}

// addEnclave serves POST /api/enclaves (admin): 201 with the stored enclave.
func addEnclave(es enclaveStore, w http.ResponseWriter, r *http.Request) error {
	var in enclaveInput
	if err := decodeStrictJSON(r, &in); err != nil {
		return err
	}
	if len(in.Location) != 2 {
		return planning.FieldError("location", "give [longitude, latitude] in degrees")
	}
	e := planning.Enclave{Code: in.Code, NameZh: in.NameZh, NameEn: in.NameEn, HomePark: in.HomePark, City: in.City,
		Country: in.Country, FloorAreaM2: in.FloorAreaM2}
	e.Location[0], e.Location[1] = in.Location[0], in.Location[1]
	if len(in.Site) > 0 && string(in.Site) != "null" {
		g, err := geojson.UnmarshalGeometry(in.Site)
		if err != nil {
			return planning.FieldError("site", "not a GeoJSON geometry: %v", err)
		}
		e.Site = g.Geometry()
	}
	if err := readDays(dayField{"lease_start_on", in.LeaseStartOn, &e.LeaseStartOn}, dayField{"lease_end_on", in.LeaseEndOn, &e.LeaseEndOn}); err != nil {
		return err
	}
	out, err := es.InsertEnclave(r.Context(), e)
	return respond(w, http.StatusCreated, out, err)
}
