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
