// Area conversions and number formatting. 1 hm² = 10 000 m² = 15 亩 exactly.

/**
 * Round value/divisor to 2 decimals, half away from zero, computing the hundredths as
 * (value * 100) / divisor so that exact ties (e.g. 6670 m² = 10.005 亩) round up and not
 * down through a binary fraction.
 */
function hundredths(numerator, divisor) {
  const h = numerator / divisor;
  return Math.sign(h) * Math.round(Math.abs(h));
}

/** m² → hectares (公顷), rounded to 2 decimals. */
export function m2ToHm2(m2) {
  return hundredths(m2, 100) / 100;
}

/** m² → mu (亩) = m² × 15 / 10000, rounded to 2 decimals. */
export function m2ToMu(m2) {
  return hundredths(m2 * 15, 100) / 100;
}

/** Units an official may type an amount in, and their size in m². */
export const UNITS = { hm2: 10000, mu: 10000 / 15, m2: 1 };

/** amount in unit → m² (unrounded). */
export function toM2(amount, unit) {
  return Number(amount) * (UNITS[unit] || 1);
}

/** m² → amount in unit, rounded to 2 decimals. */
export function fromM2(m2, unit) {
  if (unit === 'hm2') return m2ToHm2(m2);
  if (unit === 'mu') return m2ToMu(m2);
  return Math.round(m2 * 100) / 100;
}

const formatters = new Map();

/** Grouped number with exactly `digits` decimals, e.g. fmt(12345.6, 2) → "12,345.60". */
export function fmt(value, digits = 2) {
  if (value === null || value === undefined || value === '' || !Number.isFinite(Number(value))) return '';
  let f = formatters.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    formatters.set(digits, f);
  }
  return f.format(Number(value));
}

/** Percentage of a fraction 0..1 with one decimal: "42.5%". */
export function pct(fraction, digits = 1) {
  if (!Number.isFinite(Number(fraction))) return '';
  return `${fmt(Number(fraction) * 100, digits)}%`;
}

/**
 * An area as officials read it: "1.13 公顷（16.90 亩）" or "1.13 ha (16.90 mu)".
 * lang is 'zh' or 'en'.
 */
export function areaText(m2, lang) {
  const v = Number(m2);
  if (!Number.isFinite(v)) return '';
  return lang === 'en'
    ? `${fmt(m2ToHm2(v))} ha (${fmt(m2ToMu(v))} mu)`
    : `${fmt(m2ToHm2(v))} 公顷（${fmt(m2ToMu(v))} 亩）`;
}

/** "2026-11-30 10:38" in the browser's time zone from an ISO timestamp. */
export function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * The part of a bilingual text ("中文 / English", as the server writes the
 * reasons it books itself) in the reader's language; other text as it is.
 */
export function inLang(text, lang) {
  const s = String(text ?? '');
  const i = s.indexOf(' / ');
  if (i < 0 || !/[\u3400-\u9fff]/.test(s.slice(0, i))) return s;
  return lang === 'en' ? s.slice(i + 3) : s.slice(0, i);
}
