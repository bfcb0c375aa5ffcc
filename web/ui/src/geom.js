// Plain geometry helpers on GeoJSON coordinates (lon/lat), free of OpenLayers so that
// node --test can check them.

/** Rings of a GeoJSON Polygon or MultiPolygon geometry, as [[[x,y],...], ...]. */
export function ringsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return geometry.coordinates;
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.flat();
  return [];
}

/** Polygons of a geometry: each an array of rings, the first the outer one. */
function polygonsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  return [];
}

/** Even-odd test of a point in one ring. */
function inRing([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether a point lies inside a Polygon / MultiPolygon (holes respected). */
export function pointInGeometry(pt, geometry) {
  return polygonsOf(geometry).some(([outer, ...holes]) => inRing(pt, outer) && !holes.some((h) => inRing(pt, h)));
}

function cross(o, a, b) {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

function segmentsCross(p1, p2, q1, q2) {
  const d1 = cross(q1, q2, p1);
  const d2 = cross(q1, q2, p2);
  const d3 = cross(p1, p2, q1);
  const d4 = cross(p1, p2, q2);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/** Whether two Polygon / MultiPolygon geometries share area (touching edges aside). */
export function geometriesIntersect(a, b) {
  const ra = ringsOf(a);
  const rb = ringsOf(b);
  if (ra.length === 0 || rb.length === 0) return false;
  for (const r1 of ra) {
    for (const r2 of rb) {
      for (let i = 1; i < r1.length; i++) {
        for (let j = 1; j < r2.length; j++) {
          if (segmentsCross(r1[i - 1], r1[i], r2[j - 1], r2[j])) return true;
        }
      }
    }
  }
  return ra.some((r) => r.some((p) => pointInGeometry(p, b))) || rb.some((r) => r.some((p) => pointInGeometry(p, a)));
}

/** [minLon, minLat, maxLon, maxLat] of a geometry's rings. */
export function bboxOf(geometry) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of ringsOf(geometry)) {
    for (const [x, y] of ring) {
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    }
  }
  return b;
}
