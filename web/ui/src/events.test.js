import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDraft, eventBody, idleState } from './events.js';

const tr = (k) => k;

test('idle state: a determination makes suspected land determined until it is recovered', () => {
  const det = { kind: 'idle_determination', event_on: '2025-03-01', document: 'A' };
  const rec = { kind: 'land_recovered', event_on: '2026-01-10', document: 'B' };
  assert.equal(idleState([], true).state, 'suspected');
  assert.equal(idleState([], false).state, '');
  assert.equal(idleState([det], true).event, det);
  assert.equal(idleState([det], false).state, 'determined');
  assert.equal(idleState([det, rec], true).state, 'recovered');
  // determined again after an earlier recovery
  assert.equal(idleState([rec, { ...det, event_on: '2026-05-01' }], false).state, 'determined');
});

test('a draft is checked field by field before it is sent', () => {
  const ok = { kind: 'extension_granted', event_on: '2026-02-01', document: '杭高新〔2026〕1号', extended_to: '2026-12-31' };
  assert.equal(checkDraft(ok, tr), null);
  assert.equal(checkDraft({ ...ok, event_on: '' }, tr).field, 'event_on');
  assert.equal(checkDraft({ ...ok, document: '  ' }, tr).field, 'document');
  assert.equal(checkDraft({ ...ok, extended_to: '2026-02-01' }, tr).field, 'extended_to');
  assert.equal(checkDraft({ kind: 'idle_determination', event_on: '2026-02-01', document: 'x', cause: '' }, tr).field, 'cause');
  assert.equal(checkDraft({ kind: 'fee_levied', event_on: '2026-02-01', document: 'x', amount_wan: '-1' }, tr).field, 'amount_wan');
  assert.equal(checkDraft({ kind: 'fee_levied', event_on: '2026-02-01', document: 'x', amount_wan: '' }, tr).field, 'amount_wan');
  assert.equal(checkDraft({ kind: 'fee_levied', event_on: '2026-02-01', document: 'x', amount_wan: '0' }, tr), null);
});

test('the body carries only the fields of its kind', () => {
  const d = { kind: 'fee_levied', event_on: '2026-02-01', document: ' x ', cause: 'enterprise', extended_to: '2027-01-01', amount_wan: '12.5', note: '' };
  assert.deepEqual(eventBody(d), { kind: 'fee_levied', event_on: '2026-02-01', document: 'x', note: '', amount_wan: 12.5 });
  assert.deepEqual(eventBody({ ...d, kind: 'disposal_decision' }), { kind: 'disposal_decision', event_on: '2026-02-01', document: 'x', note: '', cause: 'enterprise' });
});
