package web

import (
	"encoding/json"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb/geojson"
)

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

// enclave is in as an enclave to store, its location, site and lease days
// checked.
func (in enclaveInput) enclave() (planning.Enclave, error) {
	if len(in.Location) != 2 {
		return planning.Enclave{}, planning.FieldError("location", "give [longitude, latitude] in degrees")
	}
	e := planning.Enclave{Code: in.Code, NameZh: in.NameZh, NameEn: in.NameEn, HomePark: in.HomePark, City: in.City,
		Country: in.Country, FloorAreaM2: in.FloorAreaM2}
	e.Location[0], e.Location[1] = in.Location[0], in.Location[1]
	if len(in.Site) > 0 && string(in.Site) != "null" {
		g, err := geojson.UnmarshalGeometry(in.Site)
		if err != nil {
			return planning.Enclave{}, planning.FieldError("site", "not a GeoJSON geometry: %v", err)
		}
		e.Site = g.Geometry()
	}
	err := readDays(dayField{"lease_start_on", in.LeaseStartOn, &e.LeaseStartOn}, dayField{"lease_end_on", in.LeaseEndOn, &e.LeaseEndOn})
	return e, err
}
