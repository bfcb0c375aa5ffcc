// CGCS2000 / 3-degree Gauss-Krüger CM 120E (EPSG:4549): what surveyors and 界址点 tables use
// around Hangzhou. Transverse Mercator series on the CGCS2000 ellipsoid (Snyder, "Map
// Projections: A Working Manual", 1987, §8), within a millimetre inside the 3-degree zone;
// the server measures with PostGIS, this is for display and "go to" only.
const A = 6378137;
const F = 1 / 298.257222101;
const E2 = F * (2 - F);
const EP2 = E2 / (1 - E2);
const LON0 = (120 * Math.PI) / 180;
const FALSE_EASTING = 500000;
const M0 = 1 - E2 / 4 - (3 * E2 ** 2) / 64 - (5 * E2 ** 3) / 256;

function meridianArc(phi) {
  return A * (M0 * phi
    - ((3 * E2) / 8 + (3 * E2 ** 2) / 32 + (45 * E2 ** 3) / 1024) * Math.sin(2 * phi)
    + ((15 * E2 ** 2) / 256 + (45 * E2 ** 3) / 1024) * Math.sin(4 * phi)
    - ((35 * E2 ** 3) / 3072) * Math.sin(6 * phi));
}

/** [lon, lat] degrees → [easting, northing] metres in EPSG:4549. */
export function toGK([lon, lat]) {
  const phi = (lat * Math.PI) / 180;
  const s = Math.sin(phi);
  const c = Math.cos(phi);
  const n = A / Math.sqrt(1 - E2 * s * s);
  const t = Math.tan(phi) ** 2;
  const cc = EP2 * c * c;
  const a = ((lon * Math.PI) / 180 - LON0) * c;
  const e = FALSE_EASTING + n * (a + ((1 - t + cc) * a ** 3) / 6 + ((5 - 18 * t + t * t + 72 * cc - 58 * EP2) * a ** 5) / 120);
  const north = meridianArc(phi) + n * Math.tan(phi) * (a * a / 2 + ((5 - t + 9 * cc + 4 * cc * cc) * a ** 4) / 24
    + ((61 - 58 * t + t * t + 600 * cc - 330 * EP2) * a ** 6) / 720);
  return [e, north];
}

/** [easting, northing] metres in EPSG:4549 → [lon, lat] degrees. */
export function fromGK([east, north]) {
  const e1 = (1 - Math.sqrt(1 - E2)) / (1 + Math.sqrt(1 - E2));
  const mu = north / (A * M0);
  const phi1 = mu + ((3 * e1) / 2 - (27 * e1 ** 3) / 32) * Math.sin(2 * mu)
    + ((21 * e1 ** 2) / 16 - (55 * e1 ** 4) / 32) * Math.sin(4 * mu)
    + ((151 * e1 ** 3) / 96) * Math.sin(6 * mu) + ((1097 * e1 ** 4) / 512) * Math.sin(8 * mu);
  const s = Math.sin(phi1);
  const c = Math.cos(phi1);
  const c1 = EP2 * c * c;
  const t1 = Math.tan(phi1) ** 2;
  const n1 = A / Math.sqrt(1 - E2 * s * s);
  const r1 = (A * (1 - E2)) / (1 - E2 * s * s) ** 1.5;
  const d = (east - FALSE_EASTING) / n1;
  const phi = phi1 - ((n1 * Math.tan(phi1)) / r1) * (d * d / 2 - ((5 + 3 * t1 + 10 * c1 - 4 * c1 * c1 - 9 * EP2) * d ** 4) / 24
    + ((61 + 90 * t1 + 298 * c1 + 45 * t1 * t1 - 252 * EP2 - 3 * c1 * c1) * d ** 6) / 720);
  const lon = LON0 + (d - ((1 + 2 * t1 + c1) * d ** 3) / 6 + ((5 - 2 * c1 + 28 * t1 - 3 * c1 * c1 + 8 * EP2 + 24 * t1 * t1) * d ** 5) / 120) / c;
  return [(lon * 180) / Math.PI, (phi * 180) / Math.PI];
}

/**
 * Reads a coordinate typed by a person: "120.21, 30.19" (longitude, latitude), "30.19 120.21"
 * (a latitude first is recognised by its range), or metres in EPSG:4549 as surveyors write them,
 * X (northing) first: "3341194.30, 520223.43" (either order is recognised, and a 4528 zone
 * prefix 40 on the easting is dropped). Returns { lonLat, system } or null.
 */
export function parseCoordinate(text) {
  const nums = String(text).trim().split(/[\s,，;；]+/).filter(Boolean).map(Number);
  if (nums.length !== 2 || nums.some((v) => !Number.isFinite(v))) return null;
  let [a, b] = nums;
  if (Math.abs(a) <= 180 && Math.abs(b) <= 180) {
    if (Math.abs(a) <= 90 && Math.abs(b) > 90) [a, b] = [b, a];
    if (Math.abs(b) > 90) return null;
    return { lonLat: [a, b], system: 'lonlat' };
  }
  // Metres: the northing is the number in the millions.
  const zoned = (v) => v >= 40000000 && v < 41000000; // EPSG:4528: zone 40 before the easting
  let [north, east] = zoned(a) || (!zoned(b) && b > a) ? [b, a] : [a, b];
  if (zoned(east)) east -= 40000000;
  if (north < 1000000 || north > 6000000 || east < 0 || east > 1000000) return null;
  return { lonLat: fromGK([east, north]), system: 'gk' };
}
