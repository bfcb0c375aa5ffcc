// Package geotest lays test shapes out in metres (EPSG:4549) around one
// point of Binjiang and hands them over in lon/lat (EPSG:4490), so a test
// knows their true areas and distances. Tests of every package use it.
package geotest

import (
	"github.com/hangzhou-hitech/landquota/geo"
	"github.com/paulmach/orb"
)

// Origin is the lon/lat point the test shapes are laid out around
// (120.21°E 30.19°N, the check point of docs/DOMAIN.md §2).
var Origin = orb.Point{120.21, 30.19}

var origin = geo.To4549(Origin)

// At is the lon/lat of the point x metres east and y metres north of Origin.
func At(x, y float64) orb.Point {
	return geo.From4549(orb.Point{origin[0] + x, origin[1] + y})
}

// Rect is the closed lon/lat ring, counter-clockwise, of the rectangle
// from (x0, y0) to (x1, y1) in metres from Origin.
func Rect(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{At(x0, y0), At(x1, y0), At(x1, y1), At(x0, y1), At(x0, y0)}
}

// Square is the Rect of side metres whose south-west corner is (x, y).
func Square(x, y, side float64) orb.Ring { return Rect(x, y, x+side, y+side) }
