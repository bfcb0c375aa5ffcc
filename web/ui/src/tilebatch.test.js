import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tileBatcher } from './tilebatch.js';

/** A stand-in for an OpenLayers tile: records when it got its features. */
function fakeTile(name, log) {
  return { setFeatures: (features) => log.push([name, features.length]) };
}

test('tiles that arrive while others are in flight wait for the batch; the last goes at once', async () => {
  const log = [];
  const batch = tileBatcher(50);
  const [a, b, c] = ['a', 'b', 'c'].map((n) => fakeTile(n, log));
  batch.started();
  batch.started();
  batch.started();
  batch.done(a, [1]);
  batch.done(b, [1, 2]);
  assert.deepEqual(log, [], 'a and b wait while c is in flight');
  batch.done(c, []);
  assert.deepEqual(log, [['a', 1], ['b', 2], ['c', 0]], 'the last tile in flight hands over all three at once');
});

test('a tile waits no longer than the batch time', async () => {
  const log = [];
  const batch = tileBatcher(20);
  const [a, b] = ['a', 'b'].map((n) => fakeTile(n, log));
  batch.started();
  batch.started();
  batch.done(a, [1]);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(log, [['a', 1]], 'a is handed over while b is still loading');
  batch.done(b, [1]);
  assert.deepEqual(log, [['a', 1], ['b', 1]]);
});
