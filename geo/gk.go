package geo

import (
	"math"
	"math/cmplx"
	"strconv"

	"github.com/paulmach/orb"
)

// SRIDs used across the project.
const (
	SRIDStore       = 4490 // CGCS2000 geographic: how everything is stored
	SRIDMeasure     = 4549 // CGCS2000 / 3-degree Gauss-Kruger CM 120E: areas & lengths
	SRIDSurvey      = 4528 // CGCS2000 / 3-degree GK zone 40 (false easting 40 500 000)
	SRIDWGS84       = 4326
	SRIDWebMercator = 3857
)

// SRIDName names a coordinate system for a person: the EPSG code, with
// what it is for the systems landquota knows.
func SRIDName(srid int) string {
	switch srid {
	case SRIDStore:
		return "EPSG:4490 (CGCS2000 longitude/latitude)"
	case SRIDWGS84:
		return "EPSG:4326 (WGS 84 longitude/latitude)"
	case SRIDMeasure:
		return "EPSG:4549 (CGCS2000 / 3-degree Gauss-Krüger CM 120E, metres)"
	case SRIDSurvey:
		return "EPSG:4528 (CGCS2000 / 3-degree Gauss-Krüger zone 40, metres)"
	}
	return "EPSG:" + strconv.Itoa(srid)
}

// CGCS2000 ellipsoid (same as GRS80). Its 1/f differs from WGS84's
// (298.257223563) by so little that coordinates move about 0.1 mm, which is
// why PROJ treats 4326<->4490 as a null shift.
const (
	cgcs2000A    = 6378137.0
	cgcs2000InvF = 298.257222101
)

// Parameters shared by EPSG:4549 and EPSG:4528.
const (
	hangzhouCM   = 120.0
	feMeasure    = 500000.0
	feSurvey     = 40500000.0
	gkScale      = 1.0
	gkFalseNorth = 0.0
)

// tmSeries holds the Krueger n-series coefficients (to order n^6) for one
// ellipsoid. At order n^6 the truncation error is far below a micrometre
// anywhere within a few degrees of the central meridian.
type tmSeries struct {
	e     float64    // first eccentricity
	e2m   float64    // 1 - e^2
	rectA float64    // rectifying radius A
	alpha [6]float64 // conformal (xi', eta') -> projected (xi, eta)
	beta  [6]float64 // inverse of alpha
}

var cgcs2000TM = newTMSeries(cgcs2000A, 1/cgcs2000InvF)

func newTMSeries(a, f float64) tmSeries {
	n := f / (2 - f)
	n2 := n * n
	n3 := n2 * n
	n4 := n3 * n
	n5 := n4 * n
	n6 := n5 * n
	e2 := f * (2 - f)
	var s tmSeries
	s.e = math.Sqrt(e2)
	s.e2m = 1 - e2
	s.rectA = a / (1 + n) * (1 + n2/4 + n4/64 + n6/256)
	s.alpha = [6]float64{
		n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180 - 127*n5/288 + 7891*n6/37800,
		13*n2/48 - 3*n3/5 + 557*n4/1440 + 281*n5/630 - 1983433*n6/1935360,
		61*n3/240 - 103*n4/140 + 15061*n5/26880 + 167603*n6/181440,
		49561*n4/161280 - 179*n5/168 + 6601661*n6/7257600,
		34729*n5/80640 - 3418889*n6/1995840,
		212378941 * n6 / 319334400,
	}
	s.beta = [6]float64{
		n/2 - 2*n2/3 + 37*n3/96 - n4/360 - 81*n5/512 + 96199*n6/604800,
		n2/48 + n3/15 - 437*n4/1440 + 46*n5/105 - 1118711*n6/3870720,
		17*n3/480 - 37*n4/840 - 209*n5/4480 + 5569*n6/90720,
		4397*n4/161280 - 11*n5/504 - 830251*n6/7257600,
		4583*n5/161280 - 108847*n6/3991680,
		20648693 * n6 / 638668800,
	}
	return s
}

// sinSeries returns sum_{j=1..6} c[j-1]*sin(2j*z) for complex z by Clenshaw
// summation, which needs one complex sin and cos instead of twelve real
// trig/hyperbolic calls.
func sinSeries(c *[6]float64, z complex128) complex128 {
	sin2, cos2 := cmplx.Sin(2*z), cmplx.Cos(2*z)
	twoCos := 2 * cos2
	var y1, y2 complex128
	for k := len(c) - 1; k >= 0; k-- {
		y1, y2 = twoCos*y1-y2+complex(c[k], 0), y1
	}
	return sin2 * y1
}

// conformalTau maps tan(geodetic lat) to tan(conformal lat) (Karney 2011, eq. 7-9).
func (s *tmSeries) conformalTau(tau float64) float64 {
	tau1 := math.Hypot(1, tau)
	sig := math.Sinh(s.e * math.Atanh(s.e*tau/tau1))
	return math.Hypot(1, sig)*tau - sig*tau1
}

// geodeticTau inverts conformalTau by Newton's method; two or three steps
// reach full double precision.
func (s *tmSeries) geodeticTau(taup float64) float64 {
	tau := taup / s.e2m
	for i := 0; i < 8; i++ {
		tp := s.conformalTau(tau)
		d := (taup - tp) / math.Hypot(1, tp) *
			(1 + s.e2m*tau*tau) / (s.e2m * math.Hypot(1, tau))
		tau += d
		if math.Abs(d) <= 1e-15*math.Max(1, math.Abs(tau)) {
			break
		}
	}
	return tau
}

// normalizeLon brings a longitude difference into [-180, 180) so that
// callers passing e.g. -240 still get the point on the near side.
func normalizeLon(d float64) float64 {
	d = math.Mod(d+180, 360)
	if d < 0 {
		d += 360
	}
	return d - 180
}

const (
	deg2rad = math.Pi / 180
	rad2deg = 180 / math.Pi
)

// ProjectGK projects CGCS2000 geographic coordinates (degrees) to a
// Gauss-Kruger (transverse Mercator) grid with scale 1 on the central
// meridian and false northing 0. Returns metres.
func ProjectGK(lon, lat, centralMeridian, falseEasting float64) (easting, northing float64) {
	s := &cgcs2000TM
	lam := normalizeLon(lon-centralMeridian) * deg2rad
	phi := lat * deg2rad
	// tan(phi) blows up at the poles; handle them explicitly so the pole maps
	// to the top of the meridian rather than NaN.
	var xip, etap float64
	if math.Abs(lat) >= 90 {
		xip, etap = math.Copysign(math.Pi/2, lat), 0
	} else {
		taup := s.conformalTau(math.Tan(phi))
		sl, cl := math.Sincos(lam)
		xip = math.Atan2(taup, cl)
		etap = math.Asinh(sl / math.Hypot(taup, cl))
	}
	zp := complex(xip, etap)
	z := zp + sinSeries(&s.alpha, zp)
	k := gkScale * s.rectA
	return falseEasting + k*imag(z), gkFalseNorth + k*real(z)
}

// UnprojectGK is the inverse of ProjectGK; it returns degrees.
func UnprojectGK(easting, northing, centralMeridian, falseEasting float64) (lon, lat float64) {
	s := &cgcs2000TM
	k := gkScale * s.rectA
	z := complex((northing-gkFalseNorth)/k, (easting-falseEasting)/k)
	zp := z - sinSeries(&s.beta, z)
	xip, etap := real(zp), imag(zp)
	sx, cx := math.Sincos(xip)
	sh := math.Sinh(etap)
	r := math.Hypot(sh, cx)
	var phi, lam float64
	if r == 0 {
		// Exactly at a pole: longitude is undefined, report the CM.
		phi = math.Copysign(math.Pi/2, sx)
	} else {
		taup := sx / r
		phi = math.Atan(s.geodeticTau(taup))
		lam = math.Atan2(sh, cx)
	}
	return centralMeridian + lam*rad2deg, phi * rad2deg
}

// project and unproject convert a point to and from the Gauss-Krüger plane
// of Hangzhou's central meridian with false easting fe.
func project(p orb.Point, fe float64) orb.Point {
	e, n := ProjectGK(p[0], p[1], hangzhouCM, fe)
	return orb.Point{e, n}
}

func unproject(p orb.Point, fe float64) orb.Point {
	lon, lat := UnprojectGK(p[0], p[1], hangzhouCM, fe)
	return orb.Point{lon, lat}
}

// To4549 projects a lon/lat point to EPSG:4549 (X = easting, Y = northing).
func To4549(p orb.Point) orb.Point {
	return project(p, feMeasure)
}

// From4549 converts an EPSG:4549 point (X = easting, Y = northing) to lon/lat.
func From4549(p orb.Point) orb.Point {
	return unproject(p, feMeasure)
}

// To4528 projects a lon/lat point to EPSG:4528 (X = easting with zone
// prefix 40, Y = northing).
func To4528(p orb.Point) orb.Point {
	return project(p, feSurvey)
}

// From4528 converts an EPSG:4528 point (X = easting, Y = northing) to lon/lat.
func From4528(p orb.Point) orb.Point {
	return unproject(p, feSurvey)
}
