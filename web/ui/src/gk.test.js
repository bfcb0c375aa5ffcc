import assert from 'node:assert/strict';
import test from 'node:test';
import { fromGK, parseCoordinate, toGK } from './gk.js';

// docs/DOMAIN.md §2: 30.19°N 120.21°E → N 3 341 194.30, E 520 223.43 (EPSG:4549).
test('EPSG:4549 matches the domain check point to the centimetre', () => {
  const [e, n] = toGK([120.21, 30.19]);
  assert.ok(Math.abs(e - 520223.43) < 0.01, `easting ${e}`);
  assert.ok(Math.abs(n - 3341194.3) < 0.01, `northing ${n}`);
});

test('EPSG:4549 round trip stays within a millimetre across the zone', () => {
  for (const p of [[118.6, 29.2], [120.21, 30.19], [121.4, 31.0], [119.9, 30.35]]) {
    const [lon, lat] = fromGK(toGK(p));
    const [e1, n1] = toGK(p);
    const [e2, n2] = toGK([lon, lat]);
    assert.ok(Math.hypot(e1 - e2, n1 - n2) < 0.001, `${p}: ${lon},${lat}`);
    assert.ok(Math.abs(lon - p[0]) < 1e-8 && Math.abs(lat - p[1]) < 1e-8, `${p}: ${lon},${lat}`);
  }
});

test('a typed coordinate is read in either system and either order', () => {
  assert.deepEqual(parseCoordinate('120.21, 30.19'), { lonLat: [120.21, 30.19], system: 'lonlat' });
  assert.deepEqual(parseCoordinate('30.19 120.21').lonLat, [120.21, 30.19]);
  for (const s of ['3341194.30, 520223.43', '520223.43 3341194.30', '3341194.30，40520223.43']) {
    const r = parseCoordinate(s);
    assert.equal(r.system, 'gk');
    assert.ok(Math.abs(r.lonLat[0] - 120.21) < 1e-7 && Math.abs(r.lonLat[1] - 30.19) < 1e-7, `${s}: ${r.lonLat}`);
  }
  for (const s of ['', 'abc', '1 2 3', '200, 95', '123456 654321']) assert.equal(parseCoordinate(s), null, s);
});
