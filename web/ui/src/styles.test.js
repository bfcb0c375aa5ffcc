import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeParcelStyleFn, inDrawOrder } from './styles.js';

/** A stand-in for a vector-tile feature: get(key) and getId(). */
const feature = (id, props) => ({ get: (k) => props[k], getId: () => id });

test('the parcel style: hidden statuses and land-use classes draw nothing, each parcel its own colour', () => {
  const state = { colorBy: 'landuse', hiddenStatuses: new Set(['expropriated']), hiddenClasses: new Set(['07']), decisions: null };
  const style = makeParcelStyleFn(state);
  assert.equal(style(feature(1, { status: 'expropriated', land_use: '1001' })), null, 'a hidden status');
  assert.equal(style(feature(2, { status: 'available', land_use: '0701' })), null, 'a hidden class');
  const industry = style(feature(3, { status: 'available', land_use: '1001' }));
  const housing = style(feature(4, { status: 'available', land_use: '0702' }));
  state.hiddenClasses.clear();
  const housing2 = style(feature(5, { status: 'available', land_use: '0701' }));
  assert.ok(industry && housing === null && housing2, 'a class drawn again once shown');
  // The object the function reuses between calls must not carry one parcel's colour to the next.
  assert.notEqual(industry.getFill().getColor(), housing2.getFill().getColor());
  assert.equal(style(feature(6, { status: 'available', land_use: '1001' })).getFill().getColor(), industry.getFill().getColor());
});

test('the parcels\' draw order: underground first, then runs of one status and land use, ties as they came', () => {
  const f = (id, props) => ({ ...feature(id, props), id });
  const tile = [
    f(1, { status: 'b', land_use: '1001' }),
    f(2, { status: 'a', land_use: '1001', underground: true }),
    f(3, { status: 'a', land_use: '0701' }),
    f(4, { status: 'b', land_use: '1001' }),
    f(5, { status: 'a', land_use: '0701' }),
    f(6, { status: 'b' }),
  ];
  assert.deepEqual(inDrawOrder(tile).map((x) => x.id), [2, 3, 5, 6, 1, 4]);
});
