// Parcel statuses: the list and names come from GET /api/meta; the built-in list is the
// fallback when meta could not be loaded or a status has no name there.
import { MESSAGES, pick, t } from './i18n.js';

export const DEFAULT_STATUS_CODES = Object.keys(MESSAGES.zh)
  .filter((k) => k.startsWith('status.'))
  .map((k) => k.slice('status.'.length));

let statuses = DEFAULT_STATUS_CODES.map((code) => ({ code }));
let colors = new Map(); // status code → '#rrggbb', read per feature while drawing

/**
 * Replace the list with meta.statuses ([{code, name_zh, name_en, color}]) when it is a non-empty
 * array. The colours' one home is the server's layer catalog (planning/catalog).
 */
export function setStatuses(list) {
  if (!Array.isArray(list) || list.length === 0) return;
  statuses = list.filter((s) => s && s.code);
  colors = new Map(statuses.filter((s) => /^#[0-9a-f]{6}$/i.test(s.color || '')).map((s) => [s.code, s.color]));
}

/** The catalog's colour of a status ('#rrggbb'), or '' when meta did not give one. */
export function catalogStatusColor(code) {
  return colors.get(code) || '';
}

export function getStatuses() {
  return statuses;
}

/** Localised name of a status code. */
export function statusName(code) {
  const s = statuses.find((x) => x.code === code);
  const fromMeta = s ? pick(s, 'name') : '';
  if (fromMeta) return fromMeta;
  const key = `status.${code}`;
  const builtIn = t(key);
  return builtIn !== key ? builtIn : String(code ?? '');
}
