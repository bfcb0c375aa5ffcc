package planning

import (
	"regexp"
	"strings"

	"github.com/paulmach/orb"
)

// The checks of what an admin adds to the registers (local land-use
// classes, science enclaves): rules, so they live here and the store only
// persists what passed.

var (
	aliasShape  = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,7}$`)
	enclaveCode = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,31}$`)
	countryCode = regexp.MustCompile(`^[A-Z]{2}$`)
)

// CheckLocal tidies c as a new local class (trimmed text, upper-case
// aliases, its parent and level from its code) and refuses one the guide
// cannot hold, naming the field. Whether the parent exists and the code
// and aliases are free is the store's to say.
func (c *LandUseClass) CheckLocal() error {
	c.Code, c.NameZh, c.NameEn, c.Source = strings.TrimSpace(c.Code), strings.TrimSpace(c.NameZh), strings.TrimSpace(c.NameEn), strings.TrimSpace(c.Source)
	switch {
	case !LandUseCodePattern.MatchString(c.Code) || len(c.Code) == 2:
		return FieldError("code", "%q is not a second- or third-level class code (4 or 6 digits, e.g. 100104)", c.Code)
	case c.ParentCode != "" && c.ParentCode != c.Code[:len(c.Code)-2]:
		return FieldError("parent_code", "the parent of %s is %s, not %s", c.Code, c.Code[:len(c.Code)-2], c.ParentCode)
	case c.NameZh == "":
		return FieldError("name_zh", "the Chinese name is required")
	case c.Source == "":
		return FieldError("source", "say who added the class (e.g. 浙江省, 杭州市) and by which document")
	}
	c.ParentCode, c.Level, c.Local = c.Code[:len(c.Code)-2], len(c.Code)/2, true
	for i, a := range c.Aliases {
		a = strings.ToUpper(strings.TrimSpace(a))
		if !aliasShape.MatchString(a) {
			return FieldError("aliases", "%q is not a code a file would write for the class (letters then letters or digits, e.g. M0)", c.Aliases[i])
		}
		c.Aliases[i] = a
	}
	if c.Aliases == nil {
		c.Aliases = []string{}
	}
	return nil
}

// Check tidies e (its country upper case, CN when none is given) and
// refuses an enclave the register cannot hold, naming the field. It
// returns the site as a MultiPolygon, nil when there is none; whether the
// outline is a valid polygon is the database's to say.
func (e *Enclave) Check() (orb.MultiPolygon, error) {
	e.Country = strings.ToUpper(strings.TrimSpace(e.Country))
	if e.Country == "" {
		e.Country = "CN"
	}
	switch {
	case !enclaveCode.MatchString(e.Code):
		return nil, FieldError("code", "%q is not an enclave code (capital letters, digits and _, e.g. SH_ZHANGJIANG)", e.Code)
	case strings.TrimSpace(e.NameZh) == "":
		return nil, FieldError("name_zh", "the Chinese name is required")
	case strings.TrimSpace(e.City) == "":
		return nil, FieldError("city", "the city is required")
	case !countryCode.MatchString(e.Country):
		return nil, FieldError("country", "%q is not a two-letter country code (CN, US, DE ...)", e.Country)
	case !inDegrees(e.Location.Bound()):
		return nil, FieldError("location", "[%g, %g] is not a longitude, latitude pair in degrees", e.Location[0], e.Location[1])
	case !(e.FloorAreaM2 > 0):
		return nil, FieldError("floor_area_m2", "the leased floor area must be more than 0 m²")
	case e.LeaseStartOn != nil && e.LeaseEndOn != nil && !e.LeaseEndOn.After(*e.LeaseStartOn):
		return nil, FieldError("lease_end_on", "the lease must end after it starts")
	}
	return enclaveSite(e.Site)
}

// enclaveSite is an enclave's optional outline as a MultiPolygon.
func enclaveSite(g orb.Geometry) (orb.MultiPolygon, error) {
	var site orb.MultiPolygon
	switch g := g.(type) {
	case nil:
		return nil, nil
	case orb.Polygon:
		site = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		site = g
	default:
		return nil, FieldError("site", "the site must be a Polygon or MultiPolygon")
	}
	if !inDegrees(site.Bound()) {
		return nil, FieldError("site", "the site's coordinates are not longitude, latitude degrees")
	}
	return site, nil
}

// inDegrees says whether b lies within longitude ±180° and latitude ±85°,
// the degrees an enclave's location and site may take.
func inDegrees(b orb.Bound) bool {
	return b.Min[0] >= -180 && b.Max[0] <= 180 && b.Min[1] >= -85 && b.Max[1] <= 85
}
