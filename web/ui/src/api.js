// Calls to the landquota server (same origin). Errors are thrown as ApiError carrying the
// server's message from {"error":{"code":..,"message":..}} when there is one.
import { t } from './i18n.js';

export class ApiError extends Error {
  constructor(message, { status = 0, code = '', url = '' } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.url = url;
  }
}

let inFlight = 0;
const activityListeners = new Set();

/** fn(count) is called whenever the number of requests in flight changes. */
export function onActivity(fn) {
  activityListeners.add(fn);
}

function setInFlight(delta) {
  inFlight += delta;
  for (const fn of activityListeners) fn(inFlight);
}

export async function getJSON(url, { signal } = {}) {
  setInFlight(1);
  try {
    let res;
    try {
      res = await fetch(url, { headers: { Accept: 'application/json' }, signal });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError(`${t('error.network')}: ${err.message}`, { url });
    }
    const text = await res.text();
    let body;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const e = body && body.error;
      const message = (e && e.message) || `${t('error.http', { status: `${res.status} ${res.statusText}`.trim() })}`;
      throw new ApiError(message, { status: res.status, code: (e && e.code) || '', url });
    }
    if (body === undefined) {
      throw new ApiError(`${t('error.http', { status: res.status })}: invalid JSON`, { status: res.status, url });
    }
    return body;
  } finally {
    setInFlight(-1);
  }
}

export function fetchMeta() {
  return getJSON('/api/meta');
}

/** bbox is [minLon, minLat, maxLon, maxLat] or null for the whole layer. */
export function layerURL(layer, bbox, limit) {
  // Commas are legal in a query string; keep them literal so the URL stays readable in logs.
  const query = [];
  if (bbox) query.push(`bbox=${bbox.map((v) => v.toFixed(6)).join(',')}`);
  query.push(`limit=${limit}`);
  return `/api/layers/${encodeURIComponent(layer)}?${query.join('&')}`;
}
