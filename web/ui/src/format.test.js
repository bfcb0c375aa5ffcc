import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmt, inLang, m2ToHm2, m2ToMu } from './format.js';

test('m² to hm² rounds to 2 decimals', () => {
  assert.equal(m2ToHm2(10000), 1);
  assert.equal(m2ToHm2(12345), 1.23);
  assert.equal(m2ToHm2(12350), 1.24); // exact tie rounds up
  assert.equal(m2ToHm2(0), 0);
});

test('m² to 亩 is m² × 15 / 10000, 2 decimals', () => {
  assert.equal(m2ToMu(10000), 15);
  assert.equal(m2ToMu(666.6666666666666), 1);
  assert.equal(m2ToMu(6670), 10.01); // 10.005 exactly: a tie, rounds up
  assert.equal(m2ToMu(1234.5), 1.85); // 1.85175
});

test('fmt groups thousands and keeps the decimals', () => {
  assert.equal(fmt(12345.6, 2), '12,345.60');
  assert.equal(fmt(0.005, 2), '0.01');
  assert.equal(fmt(null, 2), '');
  assert.equal(fmt('abc', 2), '');
});

import { areaText, fromM2, pct, toM2 } from './format.js';

test('amounts convert between units and m²', () => {
  assert.equal(toM2(1, 'hm2'), 10000);
  assert.equal(toM2(15, 'mu'), 10000);
  assert.equal(fromM2(10000, 'mu'), 15);
  assert.equal(fromM2(12345.678, 'm2'), 12345.68);
  assert.equal(areaText(11267.05, 'zh'), '1.13 公顷（16.90 亩）');
  assert.equal(areaText(11267.05, 'en'), '1.13 ha (16.90 mu)');
  assert.equal(pct(0.425), '42.5%');
});

test('inLang picks the reader part of a bilingual reason', () => {
  assert.equal(inLang('地块 F1 农转用批准，核销新增建设用地计划指标 / parcel F1 approved for conversion: quota consumed', 'en'), 'parcel F1 approved for conversion: quota consumed');
  assert.equal(inLang('地块 F1 农转用批准，核销新增建设用地计划指标 / parcel F1 approved for conversion: quota consumed', 'zh'), '地块 F1 农转用批准，核销新增建设用地计划指标');
  assert.equal(inLang('手工核定', 'en'), '手工核定');
  assert.equal(inLang('a / b', 'zh'), 'a / b');
});
