package pgstore

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
)

// searchFeature is one parcel of a search page as the statement returns it;
// appendJSON writes it as a GeoJSON Feature with its properties and why it
// matched. Figures are rounded as the layers round them: m², hm² and 亩 to
// 2 decimals, shares to 4.
type searchFeature struct {
	id                         int64
	geom                       []byte // GeoJSON text, or nil when geometry was not asked for
	code, district, landUse    string
	park                       *string
	currentUse, currentUseZh   *string // 现状地类, unknown when nil
	lineException              planning.LineException
	landUseZh, status          string
	statusZh                   string
	area                       float64
	underground                bool
	constructionLand           bool
	approvedOn, suppliedOn     *time.Time
	projectID                  *int64
	farmland, redLine, outside planning.Overlap
	distance, overlap          *float64 // present when the search has a point or a polygon
	useMatch                   *string  // the land-use code or prefix asked for that matched
}

func (f *searchFeature) appendJSON(b []byte, tol planning.LineTolerance) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = strconv.AppendInt(b, f.id, 10)
	b = append(b, `,"geometry":`...)
	if f.geom == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, f.geom...)
	}
	b = append(b, `,"properties":{"code":`...)
	b = appendJSONString(b, f.code)
	b = append(b, `,"district":`...)
	b = appendJSONString(b, f.district)
	b = append(b, `,"park":`...)
	b = appendNullString(b, f.park)
	b = append(b, `,"land_use":`...)
	b = appendJSONString(b, f.landUse)
	b = append(b, `,"land_use_zh":`...)
	b = appendJSONString(b, f.landUseZh)
	b = append(b, `,"current_use":`...)
	b = appendNullString(b, f.currentUse)
	b = append(b, `,"current_use_zh":`...)
	b = appendNullString(b, f.currentUseZh)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, f.status)
	b = append(b, `,"status_zh":`...)
	b = appendJSONString(b, f.statusZh)
	b = append(b, `,"area_m2":`...)
	b = appendRounded(b, f.area, 2)
	b = append(b, `,"area_hm2":`...)
	b = appendRounded(b, f.area/10000, 2)
	b = append(b, `,"area_mu":`...)
	b = appendRounded(b, f.area*15/10000, 2)
	b = append(b, `,"underground":`...)
	b = strconv.AppendBool(b, f.underground)
	b = append(b, `,"construction_land":`...)
	b = strconv.AppendBool(b, f.constructionLand)
	b = append(b, `,"approved_on":`...)
	b = appendDate(b, f.approvedOn)
	b = append(b, `,"supplied_on":`...)
	b = appendDate(b, f.suppliedOn)
	b = append(b, `,"project_id":`...)
	if f.projectID == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *f.projectID, 10)
	}
	available := f.projectID == nil && slices.Contains(planner.AvailableStatuses, planning.Status(f.status))
	b = append(b, `,"available":`...)
	b = strconv.AppendBool(b, available)
	b = append(b, `,"why":{`...)
	if f.distance != nil {
		b = append(b, `"distance_m":`...)
		b = appendRounded(b, *f.distance, 2)
		b = append(b, ',')
	}
	if f.overlap != nil {
		b = append(b, `"overlap_m2":`...)
		b = appendRounded(b, *f.overlap, 2)
		b = append(b, `,"overlap_mu":`...)
		b = appendRounded(b, *f.overlap*15/10000, 2)
		if f.area > 0 {
			b = append(b, `,"overlap_share":`...)
			b = appendRounded(b, *f.overlap/f.area, 4)
		}
		b = append(b, ',')
	}
	if f.useMatch != nil {
		b = append(b, `"land_use_match":`...)
		b = appendJSONString(b, *f.useMatch)
		b = append(b, ',')
	}
	b = append(b, `"eligibility":{"eligible":`...)
	b = strconv.AppendBool(b, planning.Eligible(f.farmland, f.redLine, f.outside, tol, f.lineException))
	b = append(b, `,"inside_boundary":`...)
	b = strconv.AppendBool(b, !tol.Counts(f.outside))
	if f.lineException != "" {
		b = append(b, `,"line_exception":`...)
		b = appendJSONString(b, string(f.lineException))
	}
	b = append(b, `,"outside_boundary_m2":`...)
	b = appendRounded(b, f.outside.M2, 2)
	b = append(b, `,"farmland_m2":`...)
	b = appendRounded(b, f.farmland.M2, 2)
	b = append(b, `,"red_line_m2":`...)
	b = appendRounded(b, f.redLine.M2, 2)
	return append(b, "}}}}"...)
}

// appendRounded writes x rounded half away from zero to places decimals,
// in its shortest form (2.50 is written 2.5).
func appendRounded(b []byte, x float64, places int) []byte {
	p := math.Pow10(places)
	r := math.Round(x*p) / p
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.AppendFloat(b, r, 'f', -1, 64)
}

func appendDate(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.DateOnly)
	return append(b, '"')
}

func appendNullString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, *s)
}

// appendJSONString writes s as a JSON string: quotes, backslashes and
// control characters escaped; other text (UTF-8, as PostgreSQL stores it)
// as it is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
