import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkClassDraft, classBody } from './classes.js';

const tr = (k) => k;
const m0 = { code: '100104', parent_code: '1001', name_zh: '创新型产业用地', name_en: 'Innovative industry', construction: 'true', source: '浙江省', aliases: 'm0, M0A' };

test('a local class draft is checked before it is sent', () => {
  assert.equal(checkClassDraft(m0, tr), null);
  assert.equal(checkClassDraft({ ...m0, code: '10010' }, tr).field, 'code');
  assert.equal(checkClassDraft({ ...m0, code: '10' }, tr).field, 'code');
  assert.equal(checkClassDraft({ ...m0, parent_code: '1002' }, tr).field, 'parent_code');
  assert.equal(checkClassDraft({ ...m0, name_zh: ' ' }, tr).field, 'name_zh');
  assert.equal(checkClassDraft({ ...m0, construction: '' }, tr).field, 'construction');
  assert.equal(checkClassDraft({ ...m0, source: '' }, tr).field, 'source');
});

test('the body: parent from the code when left empty, aliases split, construction a boolean', () => {
  assert.deepEqual(classBody({ ...m0, parent_code: '', construction: 'false', aliases: 'M0，M0A  X1' }), {
    code: '100104', parent_code: '1001', name_zh: '创新型产业用地', name_en: 'Innovative industry', construction: false, source: '浙江省', aliases: ['M0', 'M0A', 'X1'],
  });
});
