// Package geo holds the pure geometry used by landquota: the CGCS2000
// Gauss-Kruger projections used in Hangzhou
// (EPSG:4549 for measuring, EPSG:4528 for survey files), area measurement,
// conversion between orb and go-geom at the database edge, and validation
// of polygons before they are stored in EPSG:4490.
//
// Point convention everywhere: X = longitude or easting, Y = latitude or
// northing, whatever axis order the EPSG definition declares.
package geo
