import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANGS, MESSAGES, pick, setLang, t } from './i18n.js';

test('every label exists in every language', () => {
  const keys = new Set(LANGS.flatMap((l) => Object.keys(MESSAGES[l])));
  for (const l of LANGS) {
    const missing = [...keys].filter((k) => !MESSAGES[l][k]);
    assert.deepEqual(missing, [], `missing in ${l}`);
  }
});

test('t fills placeholders and follows the language', () => {
  setLang('zh');
  assert.equal(t('error.layer', { layer: '地块' }), '无法加载图层“地块”');
  setLang('en');
  assert.equal(t('hint.zoomForParcels'), 'Zoom in to see parcels');
  assert.equal(pick({ name_zh: '滨江区', name_en: 'Binjiang' }, 'name'), 'Binjiang');
  assert.equal(pick({ name_zh: '滨江区' }, 'name'), '滨江区');
  setLang('zh');
  assert.equal(pick({ name_zh: '滨江区', name_en: 'Binjiang' }, 'name'), '滨江区');
});
