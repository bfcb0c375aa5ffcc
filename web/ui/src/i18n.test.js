import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LANGS, MESSAGES, pick, setLang, t } from './i18n.js';

const SRC = dirname(fileURLToPath(import.meta.url));

test('every label exists in every language', () => {
  const keys = new Set(LANGS.flatMap((l) => Object.keys(MESSAGES[l])));
  for (const l of LANGS) {
    const missing = [...keys].filter((k) => !MESSAGES[l][k]);
    assert.deepEqual(missing, [], `missing in ${l}`);
  }
});

test('every label the source uses is defined', () => {
  const used = new Set();
  for (const name of readdirSync(SRC)) {
    const text = readFileSync(join(SRC, name), 'utf8');
    if (name.endsWith('.js') && !name.endsWith('.test.js')) {
      // t('key'), and the helpers that take a key: row('key', ...), field('key', ...), ...
      for (const m of text.matchAll(/\b(?:t|row|field|stat|card)\('([a-zA-Z][\w.-]*\.[\w.-]+)'/g)) used.add(m[1]);
    } else if (name.endsWith('.html')) {
      for (const m of text.matchAll(/data-i18n(?:-title)?="([^"]+)"/g)) used.add(m[1]);
    }
  }
  assert.ok(used.size > 100, `found only ${used.size} labels: is the scan broken?`);
  const missing = [...used].filter((k) => !(k in MESSAGES.zh));
  assert.deepEqual(missing, [], 'labels used but not defined');
});

test('t fills placeholders and follows the language', () => {
  setLang('zh');
  assert.equal(t('error.layer', { layer: '地块' }), '无法加载图层“地块”');
  setLang('en');
  assert.equal(t('hint.zoomForParcels'), 'Zoom in (level 10+) to see parcels');
  assert.equal(pick({ name_zh: '滨江区', name_en: 'Binjiang' }, 'name'), 'Binjiang');
  assert.equal(pick({ name_zh: '滨江区' }, 'name'), '滨江区');
  setLang('zh');
  assert.equal(pick({ name_zh: '滨江区', name_en: 'Binjiang' }, 'name'), '滨江区');
});
