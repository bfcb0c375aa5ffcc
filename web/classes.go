package web

import (
	"context"
	"net/http"

	"github.com/hangzhou-hitech/landquota/planning"
)

// classStore is what the local land-use classes need from storage.
type classStore interface {
	AddLandUseClass(ctx context.Context, c planning.LandUseClass) (planning.LandUseClass, error)
	LocalLandUseClasses(ctx context.Context) ([]planning.LandUseClass, error)
}

// withClasses gives h the store's local land-use classes.
func (s *Server) withClasses(h func(classStore, http.ResponseWriter, *http.Request) error) handlerFunc {
	return withPart(s, planning.Textf("local land-use classes are not available on this server"), h)
}

// localClasses serves GET /api/land-use-classes/local: the classes a
// province or city added to the 2023 guide, with the codes files use.
func localClasses(cs classStore, w http.ResponseWriter, r *http.Request) error {
	list, err := cs.LocalLandUseClasses(r.Context())
	return respond(w, http.StatusOK, map[string]any{"classes": list}, err)
}

// classInput is a local class as an admin sends it.
type classInput struct {
	Code         string   `json:"code"`
	ParentCode   string   `json:"parent_code"`
	NameZh       string   `json:"name_zh"`
	NameEn       string   `json:"name_en"`
	Construction *bool    `json:"construction"`
	Source       string   `json:"source"`
	Aliases      []string `json:"aliases"`
}

// addLocalClass serves POST /api/land-use-classes (admin): 201 with the
// stored class.
func addLocalClass(cs classStore, w http.ResponseWriter, r *http.Request) error {
	var in classInput
	if err := decodeStrictJSON(r, &in); err != nil {
		return err
	}
	if in.Construction == nil {
		return planning.Errorf(planning.ErrInvalid, "construction: say whether the class is construction land (true or false)").WithDetail("field", "construction")
	}
	c, err := cs.AddLandUseClass(r.Context(), planning.LandUseClass{Code: in.Code, ParentCode: in.ParentCode, NameZh: in.NameZh,
		NameEn: in.NameEn, Construction: *in.Construction, Source: in.Source, Aliases: in.Aliases})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}
