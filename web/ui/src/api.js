// Calls to the landquota server (same origin). Errors are thrown as ApiError carrying the
// server's {"error":{"code","message","lang","details"}} when there is one; every request
// names the UI's language, so the server's message is already in it.
import { lang, t } from './i18n.js';

export class ApiError extends Error {
  constructor(message, { status = 0, code = '', url = '', details = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.url = url;
    this.details = details || {};
  }
}

let inFlight = 0;
const activityListeners = new Set();

/** fn(count) is called whenever the number of requests in flight changes. */
export function onActivity(fn) {
  activityListeners.add(fn);
}

/** Counts a request (or any async load, such as a tile) as in flight while it runs. */
export function track(delta) {
  inFlight += delta;
  for (const fn of activityListeners) fn(inFlight);
}

// ---- session: the CSRF token that every cookie-authenticated change must carry ----
let csrfToken = '';
const unauthorizedListeners = new Set();

export function setCsrfToken(token) {
  csrfToken = token || '';
}

/** fn() is called when a change is refused with 401 (the session expired). */
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
}

async function request(method, url, { body, signal, accept = 'application/json' } = {}) {
  track(1);
  try {
    const headers = { Accept: accept, 'Accept-Language': lang() };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
    let res;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        credentials: 'same-origin',
      });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError(`${t('error.network')}: ${err.message}`, { url });
    }
    if (res.status === 204) return null;
    const text = await res.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const e = parsed && parsed.error;
      const message = (e && e.message) || t('error.http', { status: `${res.status} ${res.statusText}`.trim() });
      const err = new ApiError(message, { status: res.status, code: (e && e.code) || '', url, details: e && e.details });
      if (res.status === 401 && method !== 'GET') for (const fn of unauthorizedListeners) fn(err);
      throw err;
    }
    if (parsed === undefined) {
      throw new ApiError(`${t('error.http', { status: res.status })}: ${t('error.badJson')}`, { status: res.status, url });
    }
    return parsed;
  } finally {
    track(-1);
  }
}

export function getJSON(url, opts) {
  return request('GET', url, opts);
}

export function postJSON(url, body, opts) {
  return request('POST', url, { ...opts, body: body === undefined ? {} : body });
}

export function putJSON(url, body, opts) {
  return request('PUT', url, { ...opts, body });
}

export function fetchMeta() {
  return getJSON('/api/meta');
}

/** Builds a query string from an object, skipping empty values; arrays are comma-joined. */
export function query(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    const value = Array.isArray(v) ? v.join(',') : String(v);
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(value).replace(/%2C/g, ',')}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** bbox is [minLon, minLat, maxLon, maxLat] or null for the whole layer. */
export function layerURL(layer, bbox, limit, extra = {}) {
  return `/api/layers/${encodeURIComponent(layer)}${query({
    bbox: bbox ? bbox.map((v) => v.toFixed(6)) : null,
    limit,
    ...extra,
  })}`;
}

/**
 * Reads every page of a GeoJSON layer request, following the keyset `next` link.
 * onPage(features, total) is called after each page; stops after maxFeatures.
 */
export async function getAllFeatures(url, { maxFeatures = 50000, signal, onPage } = {}) {
  const features = [];
  let next = url;
  while (next && features.length < maxFeatures) {
    const fc = await getJSON(next, { signal });
    if (!fc || !Array.isArray(fc.features)) throw new ApiError(`${next}: ${t('error.notGeoJSON')}`, { url: next });
    features.push(...fc.features);
    if (onPage) onPage(fc.features, features.length);
    const link = (fc.links || []).find((l) => l.rel === 'next');
    next = link ? link.href : null;
  }
  return { features, truncated: Boolean(next) };
}
