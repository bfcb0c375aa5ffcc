package importer

import (
	"strconv"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/paulmach/orb"
)

// MaxVertices bounds one feature's outline: a parcel with more is a data
// error (a digitising accident or a raster traced to death).
const MaxVertices = 200_000

// geomError says what is wrong with a feature's geometry, and where.
type geomError struct {
	text planning.Text // for the report, in its reader's language
	at   *orb.Point    // the offending point, in the file's coordinates
}

func (e *geomError) Error() string { return e.text.String() }

func geomErrorf(at *orb.Point, format string, args ...any) *geomError {
	return &geomError{text: planning.Textf(format, args...), at: at}
}

// parseGeometry reads a GeoJSON geometry object: a Polygon or MultiPolygon
// (a Polygon becomes a MultiPolygon of one). Positions may carry Z and M,
// which are dropped. Nothing is checked but the syntax and the vertex count.
func parseGeometry(raw []byte, maxVertices int) (orb.MultiPolygon, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || hasPrefixAt(raw, i, "null") {
		return nil, geomErrorf(nil, "the feature has no geometry")
	}
	var typ string
	var coords []byte
	haveType := false
	err := eachMember(raw, func(key []byte, _ bool, val []byte) error {
		switch string(key) {
		case "type":
			var d textDecoder
			v, err := d.value(val)
			if err != nil || v.kind != 's' {
				return geomErrorf(nil, "the geometry's type must be a text, got %s", string(val))
			}
			typ, haveType = v.str, true
		case "coordinates":
			coords = val
		}
		return nil
	})
	if err != nil {
		if ge, ok := err.(*geomError); ok {
			return nil, ge
		}
		return nil, geomErrorf(nil, "the geometry is not a JSON object")
	}
	if !haveType {
		return nil, geomErrorf(nil, "the geometry has no type")
	}
	if typ != "Polygon" && typ != "MultiPolygon" {
		return nil, geomErrorf(nil, "the geometry must be a Polygon or MultiPolygon, got a %s", typ)
	}
	if coords == nil {
		return nil, geomErrorf(nil, "the %s has no coordinates", typ)
	}
	p := coordParser{b: coords, max: maxVertices}
	if maxVertices <= 0 {
		p.max = MaxVertices
	}
	var mp orb.MultiPolygon
	if typ == "Polygon" {
		pg, err := p.polygon(0, false)
		if err != nil {
			return nil, err
		}
		mp = orb.MultiPolygon{pg}
	} else {
		if mp, err = p.multiPolygon(); err != nil {
			return nil, err
		}
	}
	if j := skipSpace(coords, p.i); j != len(coords) {
		return nil, geomErrorf(nil, "unexpected text after the coordinates")
	}
	return mp, nil
}

// coordParser reads nested coordinate arrays, counting vertices as it goes
// so that an outline of millions of points is refused before it is built.
type coordParser struct {
	b   []byte
	i   int
	n   int
	max int
}

func (p *coordParser) expect(c byte, what planning.Text) error {
	p.i = skipSpace(p.b, p.i)
	if p.i >= len(p.b) || p.b[p.i] != c {
		return geomErrorf(nil, "the coordinates are malformed: expected %s", what)
	}
	p.i++
	return nil
}

// list parses '[' item (',' item)* ']' calling item for each element.
func (p *coordParser) list(what planning.Text, item func(k int) error) error {
	if err := p.expect('[', planning.Textf("an array of %s", what)); err != nil {
		return err
	}
	p.i = skipSpace(p.b, p.i)
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for k := 0; ; k++ {
		if err := item(k); err != nil {
			return err
		}
		p.i = skipSpace(p.b, p.i)
		if p.i >= len(p.b) {
			return geomErrorf(nil, "the coordinates end early")
		}
		if p.b[p.i] == ']' {
			p.i++
			return nil
		}
		if p.b[p.i] != ',' {
			return geomErrorf(nil, "the coordinates are malformed: expected ',' or ']' between %s", what)
		}
		p.i++
	}
}

func (p *coordParser) multiPolygon() (orb.MultiPolygon, error) {
	var mp orb.MultiPolygon
	err := p.list(planning.Textf("polygons"), func(k int) error {
		pg, err := p.polygon(k, true)
		mp = append(mp, pg)
		return err
	})
	return mp, err
}

func (p *coordParser) polygon(pi int, multi bool) (orb.Polygon, error) {
	var pg orb.Polygon
	err := p.list(planning.Textf("rings"), func(ri int) error {
		var r orb.Ring
		err := p.list(planning.Textf("positions"), func(vi int) error {
			pt, err := p.position()
			if err != nil {
				return geomErrorf(nil, "point %d of %s: %v", vi+1, ringName(pi, ri, multi), err)
			}
			r = append(r, pt)
			return nil
		})
		pg = append(pg, r)
		return err
	})
	return pg, err
}

func (p *coordParser) position() (orb.Point, error) {
	var pt orb.Point
	n := 0
	err := p.list(planning.Textf("numbers"), func(k int) error {
		p.i = skipSpace(p.b, p.i)
		end, err := skipNumber(p.b, p.i)
		if err != nil {
			if hasPrefixAt(p.b, p.i, "NaN") || hasPrefixAt(p.b, p.i, "Infinity") || hasPrefixAt(p.b, p.i, "-Infinity") {
				return planning.Errorf(planning.ErrInvalid, "expected a finite number (NaN and Infinity are not coordinates)")
			}
			return planning.Errorf(planning.ErrInvalid, "expected a number")
		}
		v, err := strconv.ParseFloat(string(p.b[p.i:end]), 64)
		if err != nil {
			return planning.Errorf(planning.ErrInvalid, "coordinate %s is out of range", p.b[p.i:end])
		}
		if k < 2 {
			pt[k] = v
		} else if k >= 4 {
			return planning.Errorf(planning.ErrInvalid, "a position has at most 4 numbers (x, y, z, m)")
		}
		n++
		p.i = end
		return nil
	})
	if err != nil {
		return pt, err
	}
	if n < 2 {
		return pt, planning.Errorf(planning.ErrInvalid, "a position needs two numbers (x, y), got %d", n)
	}
	p.n++
	if p.n > p.max {
		return pt, planning.Errorf(planning.ErrInvalid, "the outline has more than %d vertices; simplify it before importing", p.max)
	}
	return pt, nil
}

func ringName(pi, ri int, multi bool) planning.Text {
	ring := planning.Textf("the outer ring")
	if ri > 0 {
		ring = planning.Textf("hole %d", ri)
	}
	if multi {
		return planning.Textf("%s of polygon %d", ring, pi+1)
	}
	return ring
}

// checkRings makes sure every ring has at least 4 points and is closed.
// With repair, an open ring is closed by repeating its first point and the
// repairs are returned as messages.
func checkRings(mp orb.MultiPolygon, repair bool) (repairs []planning.Text, err *geomError) {
	multi := len(mp) > 1
	if len(mp) == 0 {
		return nil, geomErrorf(nil, "the geometry is empty")
	}
	for pi, pg := range mp {
		if len(pg) == 0 {
			return nil, geomErrorf(nil, "polygon %d has no rings", pi+1)
		}
		for ri, r := range pg {
			name := ringName(pi, ri, multi)
			if len(r) > 0 && r[0] != r[len(r)-1] {
				first, last := r[0], r[len(r)-1]
				if !repair {
					return nil, geomErrorf(&last, "%s is not closed: its first point %s and last point %s differ (import with --repair to close it)",
						name, pointText(first), pointText(last))
				}
				pg[ri] = append(r, first)
				r = pg[ri]
				repairs = append(repairs, planning.Textf("%s was not closed: closed it by repeating its first point %s", name, pointText(first)))
			}
			if len(r) < 4 {
				var at *orb.Point
				if len(r) > 0 {
					at = &r[0]
				}
				return nil, geomErrorf(at, "%s has %d points; a ring needs at least 4 (3 corners and the first repeated to close it)", name, len(r))
			}
		}
	}
	return repairs, nil
}

func pointText(p orb.Point) string {
	return "(" + strconv.FormatFloat(p[0], 'f', -1, 64) + ", " + strconv.FormatFloat(p[1], 'f', -1, 64) + ")"
}
