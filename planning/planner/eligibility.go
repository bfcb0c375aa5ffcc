package planner

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/paulmach/orb"
)

// EligibilityRequest is the body of POST /api/eligibility: a drawn shape
// or a stored parcel (by id or code), exactly one of them.
type EligibilityRequest struct {
	Geometry   json.RawMessage `json:"geometry"` // GeoJSON Polygon or MultiPolygon (or a Feature of one), lon/lat EPSG:4490
	ParcelID   *int64          `json:"parcel_id"`
	ParcelCode string          `json:"parcel_code"`
	Precision  *int            `json:"precision"` // decimals of the overlap geometries (7)
}

// EligibilityQuery is a checked EligibilityRequest.
type EligibilityQuery struct {
	Geometry   orb.Geometry
	ParcelID   int64
	ParcelCode string
	Precision  int
	Tolerance  planning.LineTolerance
}

// Check validates the request.
func (r *EligibilityRequest) Check() (EligibilityQuery, error) {
	q := EligibilityQuery{ParcelCode: strings.TrimSpace(r.ParcelCode), Precision: 7, Tolerance: planning.DefaultLineTolerance}
	given := 0
	if len(r.Geometry) > 0 && string(r.Geometry) != "null" {
		given++
		g, err := DecodePolygon(r.Geometry, "geometry")
		if err != nil {
			return q, err
		}
		q.Geometry = g
	}
	if r.ParcelID != nil {
		given++
		if *r.ParcelID <= 0 {
			return q, planning.FieldError("parcel_id", "%d is not a parcel id", *r.ParcelID)
		}
		q.ParcelID = *r.ParcelID
	}
	if q.ParcelCode != "" {
		given++
	}
	if given != 1 {
		return q, planning.FieldError("geometry", "send exactly one of geometry (a drawn GeoJSON polygon), parcel_id or parcel_code")
	}
	if r.Precision != nil {
		if *r.Precision < 0 || *r.Precision > 15 {
			return q, planning.FieldError("precision", "%d is not a number of decimals between 0 and 15", *r.Precision)
		}
		q.Precision = *r.Precision
	}
	return q, nil
}

// Subject is what was checked.
type Subject struct {
	Kind             string          `json:"kind"` // "geometry" or "parcel"
	ParcelID         int64           `json:"parcel_id,omitempty"`
	ParcelCode       string          `json:"parcel_code,omitempty"`
	LandUse          string          `json:"land_use,omitempty"`
	Status           planning.Status `json:"status,omitempty"`
	ConstructionLand *bool           `json:"construction_land,omitempty"`
	Underground      bool            `json:"underground,omitempty"`
	// The parcel's recorded protected-line exception and its document.
	LineException         planning.LineException `json:"line_exception,omitempty"`
	LineExceptionDocument string                 `json:"line_exception_document,omitempty"`
	Area
}

// Quota basis: how the new-quota question was decided.
const (
	BasisParcel         = "parcel"          // the parcel's own record
	BasisCoveredParcels = "covered_parcels" // the surface parcels the drawn shape covers
	BasisUnknown        = "unknown"         // the shape covers no parcel: treated as new
)

// NewQuota says whether the land would consume new construction-land quota
// (新增建设用地计划指标): farmland or unused land today does, land that is
// already construction land (stock) does not.
type NewQuota struct {
	Consumes bool   `json:"consumes"`
	Basis    string `json:"basis"`
	New      Area   `json:"new"`     // not construction land today: needs quota
	Stock    Area   `json:"stock"`   // already construction land: needs none
	Unknown  Area   `json:"unknown"` // covered by no parcel: unknown, treated as new
	// TreatedAsNew is set when part of a drawn shape covers no parcel.
	TreatedAsNew bool `json:"treated_as_new"`
}

// need is the land that needs quota: the new and the unknown, exactly.
func (nq *NewQuota) need() amount.Area { return nq.New.Amount() + nq.Unknown.Amount() }

// Verdict is a plain-language answer in both languages.
type Verdict struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// Eligibility is the answer of the protected-line check. Overlap areas are
// measured in EPSG:4549; Overlaps is a GeoJSON FeatureCollection (built by
// PostGIS) of the pieces that conflict, for the map to draw.
type Eligibility struct {
	Subject         Subject  `json:"subject"`
	Eligible        bool     `json:"eligible"`
	InsideBoundary  bool     `json:"inside_boundary"`
	OutsideBoundary Area     `json:"outside_boundary"`
	Farmland        Area     `json:"farmland_overlap"`
	RedLine         Area     `json:"red_line_overlap"`
	NewQuota        NewQuota `json:"new_quota"`
	Verdict         Verdict  `json:"verdict"`
	// The widths of the overlaps (m, the widest disc that fits, capped at
	// 10 m) and the policy: an overlap of at most ToleranceM2, or thinner
	// everywhere than SliverWidthM, is no conflict.
	FarmlandWidthM        float64 `json:"farmland_width_m"`
	RedLineWidthM         float64 `json:"red_line_width_m"`
	OutsideBoundaryWidthM float64 `json:"outside_boundary_width_m"`
	ToleranceM2           float64 `json:"tolerance_m2"`
	SliverWidthM          float64 `json:"sliver_width_m"`
	// Conflicts says which overlaps count under the policy (the rule's one
	// home is planning.LineTolerance.Counts; the map marks these, so it
	// never judges an ignored sliver itself).
	Conflicts Conflicts `json:"conflicts"`
	// ExceptionApplied is set when the verdict rests on the parcel's
	// exception (an overlap or an outside part it excuses).
	ExceptionApplied planning.LineException `json:"exception_applied,omitempty"`
	Overlaps         json.RawMessage        `json:"overlaps"`
}

// Conflicts are the overlaps that count under the tolerance policy, before
// any exception excuses them.
type Conflicts struct {
	Farmland        bool `json:"farmland"`
	RedLine         bool `json:"red_line"`
	OutsideBoundary bool `json:"outside_boundary"`
}

// overlaps are the measured overlaps and the policy they are judged by.
func (e *Eligibility) overlaps() (farm, red, outside planning.Overlap, t planning.LineTolerance) {
	return planning.Overlap{M2: e.Farmland.M2, WidthM: e.FarmlandWidthM}, planning.Overlap{M2: e.RedLine.M2, WidthM: e.RedLineWidthM},
		planning.Overlap{M2: e.OutsideBoundary.M2, WidthM: e.OutsideBoundaryWidthM},
		planning.LineTolerance{AreaM2: e.ToleranceM2, WidthM: e.SliverWidthM}
}

// Decide sets Eligible, InsideBoundary, NewQuota.Consumes and the verdict
// from the measured figures (m² and width fields must be set).
func (e *Eligibility) Decide() {
	farm, red, outside, t := e.overlaps()
	x := e.Subject.LineException
	e.InsideBoundary = !t.Counts(outside)
	e.Conflicts = Conflicts{Farmland: t.Counts(farm), RedLine: t.Counts(red), OutsideBoundary: t.Counts(outside)}
	e.Eligible = planning.Eligible(farm, red, outside, t, x)
	if e.Eligible && !planning.Eligible(farm, red, outside, t, planning.LineExceptionNone) {
		e.ExceptionApplied = x
	}
	nq := &e.NewQuota
	nq.TreatedAsNew = nq.Unknown.M2 > t.AreaM2
	nq.Consumes = nq.need().M2() > t.AreaM2
	e.Verdict = e.verdict()
}

func (e *Eligibility) verdict() Verdict {
	zh, en := e.linesVerdict()
	qzh, qen := e.NewQuota.verdict()
	zh, en = append(zh, qzh...), append(en, qen...)
	if e.Subject.Underground {
		zh = append(zh, "注：这是分层设立的地下建设用地使用权，是否占用新增指标以当年政策为准。")
		en = append(en, "Note: this is a stratified underground right; whether it consumes new quota depends on the year's policy.")
	}
	return Verdict{Zh: strings.Join(zh, ""), En: strings.Join(en, " ")}
}

// linesVerdict says whether the subject may take new construction land
// under the protected lines, and on what ground (a recorded exception) or
// for which reasons (only what no recorded exception excuses).
func (e *Eligibility) linesVerdict() (zh, en []string) {
	what := map[bool][2]string{true: {"该地块", "The parcel"}, false: {"所绘范围", "The drawn area"}}[e.Subject.Kind == "parcel"]
	doc := e.Subject.LineExceptionDocument
	switch {
	case e.Eligible && e.ExceptionApplied == planning.LineExceptionSingleSite:
		zh = append(zh, fmt.Sprintf("%s可以作为新增建设用地：有 %s 平方米位于城镇开发边界外，但属单独选址的基础设施（%s），不受城镇开发边界限制；未占用永久基本农田和生态保护红线。",
			what[0], num(e.OutsideBoundary.M2), doc))
		en = append(en, fmt.Sprintf("%s may take new construction land: %s m² lies outside the urban development boundary, but it is single-site (单独选址) infrastructure (%s), which the boundary does not bind; it is clear of permanent basic farmland and the ecological red line.",
			what[1], num(e.OutsideBoundary.M2), doc))
	case e.Eligible && e.ExceptionApplied == planning.LineExceptionMajorProject:
		zh = append(zh, fmt.Sprintf("%s可以作为新增建设用地：占用永久基本农田 %s 平方米、生态保护红线 %s 平方米，但属国务院批准的国家重大项目（%s）。",
			what[0], num(e.Farmland.M2), num(e.RedLine.M2), doc))
		en = append(en, fmt.Sprintf("%s may take new construction land: it overlaps permanent basic farmland by %s m² and the ecological red line by %s m², but it is a national major project approved by the State Council (%s).",
			what[1], num(e.Farmland.M2), num(e.RedLine.M2), doc))
	case e.Eligible:
		zh = append(zh, what[0]+"可以作为新增建设用地：位于城镇开发边界内，未占用永久基本农田和生态保护红线。")
		en = append(en, what[1]+" may take new construction land: it lies inside the urban development boundary and clear of permanent basic farmland and the ecological red line.")
	default:
		// Only what no recorded exception excuses is a reason.
		var whyZh, whyEn []string
		major := e.Subject.LineException == planning.LineExceptionMajorProject
		farm, red, _, t := e.overlaps()
		if t.Counts(red) && !major {
			whyZh = append(whyZh, fmt.Sprintf("占用生态保护红线 %s 平方米（%s 亩），红线内严禁开发", num(e.RedLine.M2), num(e.RedLine.Mu)))
			whyEn = append(whyEn, fmt.Sprintf("it overlaps the ecological red line by %s m² (%s mu), where development is banned", num(e.RedLine.M2), num(e.RedLine.Mu)))
		}
		if t.Counts(farm) && !major {
			whyZh = append(whyZh, fmt.Sprintf("占用永久基本农田 %s 平方米（%s 亩），不得占用", num(e.Farmland.M2), num(e.Farmland.Mu)))
			whyEn = append(whyEn, fmt.Sprintf("it overlaps permanent basic farmland by %s m² (%s mu), which may not be occupied", num(e.Farmland.M2), num(e.Farmland.Mu)))
		}
		if !e.InsideBoundary && e.Subject.LineException != planning.LineExceptionSingleSite {
			whyZh = append(whyZh, fmt.Sprintf("有 %s 平方米（%s 亩）位于城镇开发边界外", num(e.OutsideBoundary.M2), num(e.OutsideBoundary.Mu)))
			whyEn = append(whyEn, fmt.Sprintf("%s m² (%s mu) lies outside the urban development boundary", num(e.OutsideBoundary.M2), num(e.OutsideBoundary.Mu)))
		}
		zh = append(zh, what[0]+"不能作为新增建设用地："+strings.Join(whyZh, "；")+"。")
		en = append(en, what[1]+" may not take new construction land: "+strings.Join(whyEn, "; ")+".")
	}
	return zh, en
}

// verdict says what the subject takes of the new construction-land quota.
func (nq NewQuota) verdict() (zh, en []string) {
	need := AreaFrom(nq.need())
	needMu, needHa := need.Mu, need.Hm2
	switch {
	case !nq.Consumes:
		zh = append(zh, "现状已是建设用地（存量），不占用新增建设用地计划指标。")
		en = append(en, "It is already construction land (stock) and needs no new construction-land quota.")
	case nq.TreatedAsNew && nq.New.M2 == 0:
		zh = append(zh, fmt.Sprintf("范围内没有已登记的地块，现状用途未知，按新增建设用地计：需新增指标 %s 亩（%s 公顷）。", num(needMu), num(needHa)))
		en = append(en, fmt.Sprintf("No recorded parcel lies under it, so its current use is unknown and it is treated as new: %s mu (%s hm²) of new quota.", num(needMu), num(needHa)))
	case nq.TreatedAsNew:
		zh = append(zh, fmt.Sprintf("需新增建设用地计划指标 %s 亩（%s 公顷），其中 %s 亩不在已登记地块内、现状未知，按新增计；%s 亩现状已是建设用地，不占指标。",
			num(needMu), num(needHa), num(nq.Unknown.Mu), num(nq.Stock.Mu)))
		en = append(en, fmt.Sprintf("It would consume %s mu (%s hm²) of new construction-land quota, of which %s mu covers no recorded parcel and is treated as new; %s mu is already construction land and needs none.",
			num(needMu), num(needHa), num(nq.Unknown.Mu), num(nq.Stock.Mu)))
	default:
		zh = append(zh, fmt.Sprintf("现状为农用地或未利用地，需占用新增建设用地计划指标 %s 亩（%s 公顷）。", num(needMu), num(needHa)))
		en = append(en, fmt.Sprintf("It is farmland or unused land today and would consume %s mu (%s hm²) of new construction-land quota.", num(needMu), num(needHa)))
	}
	return zh, en
}

// num writes a figure with 2 decimals and thousands separators.
func num(x float64) string {
	s := fmt.Sprintf("%.2f", x)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}
