import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatHash, parseHash, parseView } from './permalink.js';

test('a view link parses to zoom, longitude and latitude', () => {
  assert.deepEqual(parseHash('#map=14/120.19/30.19'), { mode: null, view: { zoom: 14, lon: 120.19, lat: 30.19 } });
  assert.deepEqual(parseHash('#quota&map=15.5/-0.1/51.5'), { mode: 'quota', view: { zoom: 15.5, lon: -0.1, lat: 51.5 } });
  assert.deepEqual(parseHash('#search'), { mode: 'search', view: null }); // the links of before
  assert.deepEqual(parseHash(''), { mode: null, view: null });
});

test('a bad view is ignored, not an error', () => {
  for (const bad of ['14/120.19', '14/120.19/30.19/1', 'x/120/30', '14/120,19/30', '21/120/30', '-1/120/30',
    '14/181/30', '14/120/86', '14//30', '1e3/120/30', 'Infinity/120/30', '']) {
    assert.equal(parseView(bad), null, bad);
    assert.equal(parseHash(`#quota&map=${bad}`).view, null, bad);
  }
  assert.equal(parseHash('#quota&map=99/0/0').mode, 'quota'); // the mode still counts
});

test('the hash written reads back as the same view, rounded to about a metre', () => {
  const view = { zoom: 14.123456, lon: 120.1912345678, lat: 30.1898765432 };
  const hash = formatHash('layers', view);
  assert.equal(hash, '#map=14.12/120.19123/30.18988');
  assert.deepEqual(parseHash(hash), { mode: null, view: { zoom: 14.12, lon: 120.19123, lat: 30.18988 } });
  assert.equal(formatHash('quota', { zoom: 12, lon: 120, lat: 30 }), '#quota&map=12/120/30');
  assert.equal(formatHash('layers', null), '#layers');
  assert.equal(formatHash('reports', null), '#reports');
});
