import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchBody } from './search.js';
import { flagsOf } from './stock.js';
import { allocationKinds } from './styles.js';

const tr = (key, vars) => `${key}${vars ? JSON.stringify(vars) : ''}`;

test('stock flags: idle and unsupplied with years, low-efficiency kinds', () => {
  assert.deepEqual(flagsOf({ idle: true, idle_years: 7, recovery_due: true, low_efficiency: ['supplied_unused'] }, tr).map((f) => f.kind), ['idle', 'idle', 'low']);
  const f = flagsOf({ unsupplied: true, unsupplied_years: 3, low_efficiency: ['unsupplied'] }, tr);
  assert.deepEqual(f, [{ kind: 'unsupplied', label: 'flag.unsupplied{"years":3}' }]);
  assert.deepEqual(flagsOf({ low_efficiency: [] }, tr), []);
});

test('allocation kinds follow what a project holds against its need', () => {
  const projects = [
    { id: 1, parcel_ids: [10, 11], need: { new_m2: 100 } },
    { id: 2, parcel_ids: [20], need: { new_m2: 100 } },
    { id: 3, parcel_ids: [30], need: { new_m2: 100 } },
    { id: 4, parcel_ids: [40], need: { new_m2: 0 } },
  ];
  const accounts = [
    { kind: 'project', project_id: 1, held_m2: 60, consumed_m2: 40 },
    { kind: 'project', project_id: 2, held_m2: 30, consumed_m2: 0 },
    { kind: 'district', held_m2: 999 },
  ];
  const k = allocationKinds(projects, accounts);
  assert.equal(k.get(10), 'full');
  assert.equal(k.get(11), 'full');
  assert.equal(k.get(20), 'partial');
  assert.equal(k.get(30), 'none');
  assert.equal(k.get(40), 'stock');
  assert.equal(k.get(99), undefined);
});

test('the search form becomes the API request', () => {
  assert.deepEqual(searchBody({ scope: 'area', area: 'park:BINFU', statuses: ['available'], landUse: '10', minArea: '5', maxArea: '', unit: 'mu', eligible: 'true' }), {
    where: { park: 'BINFU' },
    what: { land_use: ['10'], status: ['available'], area: { unit: 'mu', min: 5 }, eligible: true },
    order: 'area_desc',
    group_by: 'status',
  });
  const polygon = { type: 'Polygon', coordinates: [] };
  assert.deepEqual(searchBody({ scope: 'polygon', polygon, area: 'park:BINFU', statuses: [], unit: 'hm2', minArea: '', maxArea: '2', eligible: '' }).where, { polygon });
  assert.deepEqual(searchBody({ scope: 'area', area: 'district:330108', statuses: [], unit: 'hm2', minArea: '', maxArea: '2' }).what, { area: { unit: 'ha', max: 2 } });
});
