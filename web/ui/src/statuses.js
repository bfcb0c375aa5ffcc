// Parcel statuses: the list and names come from GET /api/meta; the built-in list is the
// fallback when meta could not be loaded or a status has no name there.
import { MESSAGES, pick, t } from './i18n.js';

export const DEFAULT_STATUS_CODES = Object.keys(MESSAGES.zh)
  .filter((k) => k.startsWith('status.'))
  .map((k) => k.slice('status.'.length));

let statuses = DEFAULT_STATUS_CODES.map((code) => ({ code }));

/** Replace the list with meta.statuses ([{code, name_zh, name_en}]) when it is a non-empty array. */
export function setStatuses(list) {
  if (Array.isArray(list) && list.length > 0) statuses = list.filter((s) => s && s.code);
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
