package importer

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

// The coordinate systems landquota transforms itself. Anything else that
// GDAL knows is transformed by ogr2ogr (-t_srs EPSG:4490).
var nativeSRIDs = []int{geo.SRIDStore, geo.SRIDWGS84, geo.SRIDMeasure, geo.SRIDSurvey}

func isNative(srid int) bool {
	for _, s := range nativeSRIDs {
		if s == srid {
			return true
		}
	}
	return false
}

var epsgPattern = regexp.MustCompile(`(?i)^(?:EPSG:{1,2}|urn:ogc:def:crs:EPSG:[0-9.]*:|https?://www\.opengis\.net/def/crs/EPSG/[0-9.]+/)?([0-9]{4,6})$`)

// ParseSRID reads a CRS name: 4549, EPSG:4549, urn:ogc:def:crs:EPSG::4549,
// the OGC URI, or CRS84.
func ParseSRID(s string) (int, error) {
	s = strings.TrimSpace(s)
	switch strings.ToUpper(s) {
	case "CRS84", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:OGC::CRS84", "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84", "WGS84":
		return geo.SRIDWGS84, nil
	case "CGCS2000":
		return geo.SRIDStore, nil
	}
	m := epsgPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, planning.Errorf(planning.ErrInvalid, "%q is not a coordinate system (give an EPSG code: 4490, 4326, 4549 or 4528)", s).
			WithDetail("field", "srid")
	}
	n, _ := strconv.Atoi(m[1])
	if n < 1024 || n > 999999 {
		return 0, planning.Errorf(planning.ErrInvalid, "EPSG:%d is not a valid EPSG code", n).WithDetail("field", "srid")
	}
	return n, nil
}

// crs is how a file's coordinates become EPSG:4490.
type crs struct {
	srid     int    // of the coordinates as they reach the converter; 0 unknown
	from     string // where srid came from: "--srid", ".prj", "crs member", "GDAL", "none"
	swap     bool   // swap x and y first (--swap-axes)
	declared bool   // the file or the user said so (else assumed)
}

func (c crs) toStore() func(orb.Point) orb.Point {
	switch c.srid {
	case geo.SRIDMeasure:
		return geo.From4549
	case geo.SRIDSurvey:
		return geo.From4528
	}
	return nil
}

// Plausible ranges. China in degrees is generous enough for the islands;
// the Gauss-Krüger ranges cover the zone of CM 120E (±1.5°, and more, for
// outlines that spill over) between 18°N and 54°N.
const (
	minLon, maxLon = 73.0, 136.0
	minLat, maxLat = 3.0, 54.0
	minE, maxE     = 150_000.0, 850_000.0
	minN, maxN     = 1_900_000.0, 6_100_000.0
	zone40         = 40_000_000.0
)

func inDegrees(x, y float64) bool { return x >= minLon && x <= maxLon && y >= minLat && y <= maxLat }
func in4549(x, y float64) bool    { return x >= minE && x <= maxE && y >= minN && y <= maxN }
func in4528(x, y float64) bool    { return in4549(x-zone40, y) }

// looks are the coordinate systems a point's numbers can give away, each
// with its range test.
var looks = []struct {
	name string
	fits func(x, y float64) bool
}{{"degrees", inDegrees}, {"4549", in4549}, {"4528", in4528}}

// guess says what a point's coordinates look like: the name of one of
// looks, that name after "swapped " when they fit with the axes swapped,
// or "".
func guess(x, y float64) string {
	for _, l := range looks {
		if l.fits(x, y) {
			return l.name
		}
	}
	for _, l := range looks {
		if l.fits(y, x) {
			return "swapped " + l.name
		}
	}
	return ""
}

// fitsFor is the range test of the points of srid, nil for a system that
// GDAL transforms (its points are checked in EPSG:4490 afterwards).
func fitsFor(srid int) func(x, y float64) bool {
	switch srid {
	case geo.SRIDStore, geo.SRIDWGS84, 0:
		return inDegrees
	case geo.SRIDMeasure:
		return in4549
	case geo.SRIDSurvey:
		return in4528
	}
	return nil
}

// checkPoint refuses a coordinate that cannot be right in c, naming the
// likely cause and the fix. It returns nil when the point fits.
func (c crs) checkPoint(pt orb.Point) *geomError {
	x, y := pt[0], pt[1]
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return geomErrorf(&pt, "coordinate %s is not a finite number", pointText(pt))
	}
	if fits := fitsFor(c.srid); fits == nil || fits(x, y) {
		return nil
	}
	return c.misfit(pt)
}

// misfit is the error of a point that does not fit c: what its numbers
// look like instead, who said c, and the flag that fixes it.
func (c crs) misfit(pt orb.Point) *geomError {
	x, y := pt[0], pt[1]
	said := planning.Textf("the file says %s", geo.SRIDName(c.srid))
	switch {
	case c.from == "--srid":
		said = planning.Textf("--srid says %s", geo.SRIDName(c.srid))
	case !c.declared:
		said = planning.Textf("the file names no coordinate system, so %s was assumed", geo.SRIDName(c.srid))
	}
	override := planning.Textf("override it with")
	if !c.declared {
		override = planning.Textf("give it with")
	}
	p := pointText(pt)
	switch g := guess(x, y); g {
	case "degrees":
		return geomErrorf(&pt, "coordinates %s are degrees, but %s: %s --srid 4490", p, said, override)
	case "4549":
		return geomErrorf(&pt, "coordinates %s are metres (they look like EPSG:4549, Gauss-Krüger CM 120E), but %s: %s --srid 4549", p, said, override)
	case "4528":
		return geomErrorf(&pt, "coordinates %s are metres with the zone number 40 in front of the easting (EPSG:4528), but %s: %s --srid 4528", p, said, override)
	case "swapped degrees":
		return geomErrorf(&pt, "coordinates %s look like latitude, longitude: the axes are swapped; re-export with longitude first, or import with --swap-axes", p)
	case "swapped 4549", "swapped 4528":
		code := g[len(g)-4:]
		return geomErrorf(&pt, "coordinates %s look like northing, easting (EPSG:%s with the axes swapped, as its definition orders them): import with --srid %s --swap-axes", p, code, code)
	}
	if c.srid == geo.SRIDStore || c.srid == geo.SRIDWGS84 || c.srid == 0 {
		return geomErrorf(&pt, "coordinates %s lie outside China (longitude %g..%g, latitude %g..%g); check the file's coordinate system", p, minLon, maxLon, minLat, maxLat)
	}
	return geomErrorf(&pt, "coordinates %s cannot be %s: they do not fall in China; check the file's coordinate system", p, geo.SRIDName(c.srid))
}

// prepare swaps, checks and transforms an outline to EPSG:4490 in place.
func (c crs) prepare(mp orb.MultiPolygon) *geomError {
	t := c.toStore()
	for _, pg := range mp {
		for _, r := range pg {
			for k := range r {
				if c.swap {
					r[k][0], r[k][1] = r[k][1], r[k][0]
				}
				if err := c.checkPoint(r[k]); err != nil {
					return err
				}
				if t != nil {
					r[k] = t(r[k])
				}
			}
		}
	}
	return nil
}

// crsFromName reads a GeoJSON crs member's name.
func crsFromName(name string) (int, bool) {
	n, err := ParseSRID(name)
	return n, err == nil
}

// srsFromWKT finds the EPSG code of a WKT coordinate system: its last
// top-level ID/AUTHORITY, or the names ArcGIS writes in .prj files.
func srsFromWKT(wkt string) int {
	wkt = strings.TrimSpace(wkt)
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`ID\["EPSG",\s*([0-9]+)\]\]\s*$`),
		regexp.MustCompile(`AUTHORITY\["EPSG",\s*"([0-9]+)"\]\]\s*$`),
	} {
		if m := re.FindStringSubmatch(wkt); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	upper := strings.ToUpper(wkt)
	switch {
	case strings.Contains(upper, "CGCS2000_3_DEGREE_GK_CM_120E"), strings.Contains(upper, "CGCS2000 / 3-DEGREE GAUSS-KRUGER CM 120E"):
		return geo.SRIDMeasure
	case strings.Contains(upper, "CGCS2000_3_DEGREE_GK_ZONE_40"), strings.Contains(upper, "CGCS2000 / 3-DEGREE GAUSS-KRUGER ZONE 40"):
		return geo.SRIDSurvey
	case strings.HasPrefix(upper, "GEOGCS[\"GCS_CHINA_GEODETIC_COORDINATE_SYSTEM_2000\""), strings.HasPrefix(upper, "GEOGCRS[\"CHINA GEODETIC COORDINATE SYSTEM 2000\""):
		return geo.SRIDStore
	case strings.HasPrefix(upper, "GEOGCS[\"GCS_WGS_1984\""), strings.HasPrefix(upper, "GEOGCS[\"WGS 84\""), strings.HasPrefix(upper, "GEOGCRS[\"WGS 84\""):
		return geo.SRIDWGS84
	}
	return 0
}
