import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fill, Stroke, Style } from 'ol/style.js';
import { distanceTo, drawFeatures } from './parcelrender.js';

/** A stand-in for a decoded tile feature: flat coordinates with ring ends. */
const feature = (type, flat, ends = [flat.length]) => ({ getType: () => type, getFlatCoordinates: () => flat, getEnds: () => ends });
const polygon = (flat, ends) => feature('Polygon', flat, ends);
// A 10 × 10 square with a 4 × 4 hole in its middle.
const holed = polygon([0, 0, 10, 0, 10, 10, 0, 10, 0, 0, 3, 3, 3, 7, 7, 7, 7, 3, 3, 3], [10, 20]);

test('a click inside a parcel, in its hole, and near its outline', () => {
  assert.equal(distanceTo(holed, 1, 1), 0, 'inside');
  assert.equal(distanceTo(holed, 5, 5), 2, 'in the hole: 2 from its edge');
  assert.equal(distanceTo(holed, 12, 5), 2, 'outside: 2 to the right');
});

/** A canvas context that records what is filled and stroked. */
function recorder() {
  const calls = [];
  const ctx = {
    save() {}, restore() {}, scale() {}, setLineDash(d) { this.dash = d; },
    fill(path) { calls.push(['fill', this.fillStyle, path.d]); },
    stroke(path) { calls.push(['stroke', this.strokeStyle, this.lineWidth, path.d]); },
  };
  return { ctx, calls };
}
globalThis.Path2D ??= class {
  constructor(d) {
    this.d = d;
  }
};

test('one path per run of one style, filled then outlined, hidden parcels left out, on a half-pixel grid', () => {
  const red = new Style({ fill: new Fill({ color: 'red' }), stroke: new Stroke({ color: 'black', width: 0.8 }) });
  const blue = new Style({ fill: new Fill({ color: 'blue' }) });
  const square = (x) => polygon([x, 0, x + 1, 0, x + 1, 1, x, 1, x, 0]);
  const features = [square(0), square(2), square(4), square(6), square(8)];
  const styles = [red, red, null, blue, red];
  const { ctx, calls } = recorder();
  // map (x, y) → (x * 2, (1 - y) * 2) pixels at pixel ratio 2; quantum 0.25 px.
  drawFeatures(ctx, features, (f) => styles[features.indexOf(f)], 0, 1, 2, 0.25, 2, null);
  assert.deepEqual(calls.map((c) => c.slice(0, 2)), [['fill', 'red'], ['stroke', 'black'], ['fill', 'blue'], ['fill', 'red'], ['stroke', 'black']]);
  assert.equal(calls[0][2], 'M0 8L8 8L8 0L0 0L0 8ZM16 8L24 8L24 0L16 0L16 8Z', 'two squares in one path, in quanta');
  assert.equal(calls[1][2], 0.8 * 2 / 0.25, 'the outline 0.8 px wide at pixel ratio 2, in quanta');
  // Vertices closer than the quantum fall together.
  const { ctx: c2, calls: k2 } = recorder();
  drawFeatures(c2, [polygon([0, 0, 0.01, 0, 1, 0, 1, 1, 0, 1, 0, 0])], () => blue, 0, 1, 1, 0.5, 1, null);
  assert.equal(k2[0][2], 'M0 2L2 2L2 0L0 0L0 2Z');
});

test('a line or a point in a parcel tile is no parcel: not drawn', () => {
  const blue = new Style({ fill: new Fill({ color: 'blue' }), stroke: new Stroke({ color: 'black', width: 1 }) });
  const { ctx, calls } = recorder();
  const features = [feature('LineString', [0, 0, 1, 1, 2, 0]), feature('Point', [1, 1]), polygon([0, 0, 1, 0, 1, 1, 0, 0])];
  drawFeatures(ctx, features, () => blue, 0, 1, 1, 0.5, 1, null);
  assert.deepEqual(calls.map((c) => c[c.length - 1]), ['M0 2L2 2L2 0L0 2Z', 'M0 2L2 2L2 0L0 2Z'], 'only the polygon, filled and outlined');
});
