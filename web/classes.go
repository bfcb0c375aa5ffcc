package web

import "github.com/hangzhou-hitech/landquota/planning"

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

// class is in as a class to store; whether it is construction land is never
// assumed.
func (in classInput) class() (planning.LandUseClass, error) {
	if in.Construction == nil {
		return planning.LandUseClass{}, planning.Errorf(planning.ErrInvalid, "construction: say whether the class is construction land (true or false)").WithDetail("field", "construction")
	}
	return planning.LandUseClass{Code: in.Code, ParentCode: in.ParentCode, NameZh: in.NameZh,
		NameEn: in.NameEn, Construction: *in.Construction, Source: in.Source, Aliases: in.Aliases}, nil
}
