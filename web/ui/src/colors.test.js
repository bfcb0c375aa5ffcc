import assert from 'node:assert/strict';
import { test } from 'node:test';
import { districtColor, NEUTRAL_COLOR, parkColor, setColors, zoneColor } from './colors.js';

test('map colours come from meta.colors, grey until then and for anything malformed', () => {
  assert.equal(zoneColor('ecological_red_line'), NEUTRAL_COLOR);
  assert.equal(parkColor(), NEUTRAL_COLOR);
  setColors({ zones: { ecological_red_line: '#D32F2F', permanent_basic_farmland: 'green' }, park: '#0b5394', district: 12 });
  assert.equal(zoneColor('ecological_red_line'), '#D32F2F');
  assert.equal(zoneColor('permanent_basic_farmland'), NEUTRAL_COLOR);
  assert.equal(zoneColor('unknown'), NEUTRAL_COLOR);
  assert.equal(parkColor(), '#0b5394');
  assert.equal(districtColor(), NEUTRAL_COLOR);
  setColors(null);
  assert.equal(parkColor(), '#0b5394', 'a missing meta.colors keeps what was set');
});
