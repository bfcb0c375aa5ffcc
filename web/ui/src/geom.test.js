import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bboxOf, geometriesIntersect, pointInGeometry } from './geom.js';

const square = (x, y, s) => ({
  type: 'Polygon',
  coordinates: [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]],
});

test('point in polygon respects holes', () => {
  const donut = { type: 'Polygon', coordinates: [square(0, 0, 10).coordinates[0], square(4, 4, 2).coordinates[0]] };
  assert.equal(pointInGeometry([1, 1], donut), true);
  assert.equal(pointInGeometry([5, 5], donut), false);
  assert.equal(pointInGeometry([11, 5], donut), false);
});

test('polygons intersect when they overlap, contain, or cross', () => {
  assert.equal(geometriesIntersect(square(0, 0, 2), square(1, 1, 2)), true);
  assert.equal(geometriesIntersect(square(0, 0, 10), square(2, 2, 1)), true); // containment
  assert.equal(geometriesIntersect(square(0, 0, 1), square(5, 5, 1)), false);
  const cross = { type: 'MultiPolygon', coordinates: [[[[-1, 0.4], [3, 0.4], [3, 0.6], [-1, 0.6], [-1, 0.4]]]] };
  assert.equal(geometriesIntersect(square(0, 0, 1), cross), true); // edges cross, no vertex inside
});

test('bbox of a geometry', () => {
  assert.deepEqual(bboxOf(square(1, 2, 3)), [1, 2, 4, 5]);
});
