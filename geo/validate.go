package geo

import (
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// ValidationError says in plain words why a geometry was refused, so the
// message can be shown to the official who uploaded it.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// validationField is the Field of every error from ValidatePolygonal; where
// in the geometry the problem is goes into the Message.
const validationField = "geometry"

// China's extent in degrees, generous enough for the islands.
const (
	chinaMinLon, chinaMaxLon = 73.0, 136.0
	chinaMinLat, chinaMaxLat = 3.0, 54.0
)

func invalid(format string, args ...any) error {
	return &ValidationError{Field: validationField, Message: fmt.Sprintf(format, args...)}
}

// ValidatePolygonal checks a Polygon or MultiPolygon in EPSG:4490 before it
// is stored: not empty, finite coordinates, closed rings of at least 4
// points, inside China, and at most maxVertices vertices (maxVertices <= 0
// means no limit). It returns nil or a *ValidationError describing the
// first problem found. Topology (self-intersection) is left to PostGIS.
func ValidatePolygonal(g orb.Geometry, maxVertices int) error {
	var polys []orb.Polygon
	switch g := g.(type) {
	case nil:
		return invalid("empty geometry: no polygon was given")
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		return invalid("expected a Polygon or MultiPolygon, got a %s", g.GeoJSONType())
	}
	multi := isMulti(g)
	// Count first so an oversized upload is refused before any per-point work.
	if err := checkSize(polys, multi, maxVertices); err != nil {
		return err
	}
	if err := checkRings(polys, multi); err != nil {
		return err
	}
	for pi, p := range polys {
		for ri, r := range p {
			for vi, pt := range r {
				// The ring is named only for a point outside: naming it
				// for every vertex cost 6% of an import's decoding.
				if !inChina(pt) {
					return checkExtent(pt, ringName(pi, ri, multi), vi)
				}
			}
		}
	}
	return nil
}

// checkSize refuses polygons without rings or points, and more than
// maxVertices vertices in all (maxVertices <= 0: no limit).
func checkSize(polys []orb.Polygon, multi bool, maxVertices int) error {
	if len(polys) == 0 {
		return invalid("empty geometry: the MultiPolygon has no polygons")
	}
	total := 0
	for pi, p := range polys {
		if len(p) == 0 {
			return invalid("empty geometry: %s has no rings", polygonName(pi, multi))
		}
		for _, r := range p {
			total += len(r)
		}
	}
	if total == 0 {
		return invalid("empty geometry: the rings have no points")
	}
	if maxVertices > 0 && total > maxVertices {
		return invalid("too many vertices: %d, the limit is %d; simplify the boundary before uploading", total, maxVertices)
	}
	return nil
}

// checkRings refuses a ring with a coordinate that is not a finite number,
// fewer than 4 points, or a last point that does not repeat the first.
func checkRings(polys []orb.Polygon, multi bool) error {
	for pi, p := range polys {
		for ri, r := range p {
			name := ringName(pi, ri, multi)
			for vi, pt := range r {
				if !isFinite(pt[0]) || !isFinite(pt[1]) {
					return invalid("point %d of %s has a coordinate that is not a finite number: %s",
						vi+1, name, pointText(pt))
				}
			}
			if len(r) < 4 {
				return invalid("%s has %d points; a ring needs at least 4 (3 corners plus the first point repeated to close it)",
					name, len(r))
			}
			if first, last := r[0], r[len(r)-1]; first != last {
				return invalid("%s is not closed: first point %s and last point %s differ; the last point must repeat the first",
					name, pointText(first), pointText(last))
			}
		}
	}
	return nil
}

// inChina says whether a point lies within China's lon/lat box.
func inChina(pt orb.Point) bool {
	return pt[0] >= chinaMinLon && pt[0] <= chinaMaxLon && pt[1] >= chinaMinLat && pt[1] <= chinaMaxLat
}

// checkExtent explains the two usual mistakes (projected metres, swapped
// axes) before falling back to a generic out-of-China message.
func checkExtent(pt orb.Point, ring string, vi int) error {
	lon, lat := pt[0], pt[1]
	if inChina(pt) {
		return nil
	}
	where := fmt.Sprintf("point %d %s of %s", vi+1, pointText(pt), ring)
	switch {
	case math.Abs(lon) > 1000 || math.Abs(lat) > 1000:
		return invalid("%s: coordinates look like projected metres (EPSG:4549/4528?) but EPSG:4490 degrees were expected", where)
	case lon >= chinaMinLat && lon <= chinaMaxLat && lat >= chinaMinLon && lat <= chinaMaxLon:
		return invalid("%s: latitude and longitude look swapped; give longitude first (x = longitude %s..%s, y = latitude %s..%s)",
			where, num(chinaMinLon), num(chinaMaxLon), num(chinaMinLat), num(chinaMaxLat))
	}
	return invalid("%s is outside China's extent (longitude %s..%s, latitude %s..%s, EPSG:4490 degrees)",
		where, num(chinaMinLon), num(chinaMaxLon), num(chinaMinLat), num(chinaMaxLat))
}

func isMulti(g orb.Geometry) bool {
	_, ok := g.(orb.MultiPolygon)
	return ok
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Names are 1-based: they are read by people, not programs.
func polygonName(pi int, multi bool) string {
	if multi {
		return fmt.Sprintf("polygon %d", pi+1)
	}
	return "the polygon"
}

func ringName(pi, ri int, multi bool) string {
	ring := "the outer ring"
	if ri > 0 {
		ring = fmt.Sprintf("hole %d", ri)
	}
	if multi {
		return fmt.Sprintf("%s of polygon %d", ring, pi+1)
	}
	return ring
}

func pointText(p orb.Point) string {
	return "(" + num(p[0]) + ", " + num(p[1]) + ")"
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
