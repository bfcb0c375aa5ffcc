// The address of what is on screen: the work mode and the map view in the URL's hash
// (#map=14/120.19000/30.19000, or #quota&map=... in another mode), so that a link a planner sends
// opens at that view straight away, without first drawing the overview of all parks. The hash
// follows the map as it moves; a hash that does not parse is ignored (the default view), never an
// error: links get cut and edited by hand.

/** Limits of a view worth opening: the map's deepest zoom (its View's too), Web Mercator's latitudes. */
export const MAX_ZOOM = 20;
const MAX_LAT = 85;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** '14/120.19/30.19' → { zoom, lon, lat }, or null when any part is missing or out of range. */
export function parseView(text) {
  const parts = String(text).split('/');
  if (parts.length !== 3 || !parts.every((p) => NUMBER.test(p))) return null;
  const [zoom, lon, lat] = parts.map(Number);
  if (zoom < 0 || zoom > MAX_ZOOM || Math.abs(lon) > 180 || Math.abs(lat) > MAX_LAT) return null;
  return { zoom, lon, lat };
}

/**
 * '#quota&map=14/120.19/30.19' → { mode: 'quota', view: {...} }. A part without '=' is the
 * mode (the hash the app wrote before it carried the view, '#quota', still works); mode and
 * view are null when absent or not understood.
 */
export function parseHash(hash) {
  let mode = null;
  let view = null;
  for (const part of String(hash).replace(/^#/, '').split('&')) {
    if (part.startsWith('map=')) view = parseView(part.slice(4)) ?? view;
    else if (part && !part.includes('=')) mode = part;
  }
  return { mode, view };
}

/** The hash of a mode and a view (the default mode, layers, is left out of the address). */
export function formatHash(mode, view) {
  const parts = [];
  if (mode && mode !== 'layers') parts.push(mode);
  if (view) parts.push(`map=${round(view.zoom, 2)}/${round(view.lon, 5)}/${round(view.lat, 5)}`);
  return parts.length ? `#${parts.join('&')}` : '#layers';
}

/** Fixed decimals without trailing zeros: 14 not 14.00, about a metre for 5 decimals of degrees. */
function round(x, digits) {
  return String(Number(x.toFixed(digits)));
}
