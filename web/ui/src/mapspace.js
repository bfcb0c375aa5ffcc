// The part of the map that nothing floats over: where a fitted view (the first view on the parks,
// a search's results, a parcel) has to lie to be seen, and whether the legend has room to open.

/** What floats over the map and hides what lies under it. */
const FLOATING = ['#side-panel', '#info-panel', '#legend-card', '#gis-tools', '.measure-control'];
const MARGIN = 24;

/** A box's rectangle, or null when it is not shown. */
function shown(sel) {
  const el = document.querySelector(sel);
  if (!el || el.hidden || getComputedStyle(el).display === 'none') return null;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 ? r : null;
}

/** [top, right, bottom, left] with one side raised to clear rect r (inside map rect m). */
function cleared(pad, r, m, side) {
  const out = [...pad];
  const need = [r.bottom - m.top, m.right - r.left, m.bottom - r.top, r.right - m.left][side] + MARGIN;
  out[side] = Math.max(out[side], need);
  return out;
}

/** Does r still reach into the part of m that padding pad leaves? */
function overlaps(r, m, [t, rt, b, l]) {
  return r.left < m.right - rt && r.right > m.left + l && r.top < m.bottom - b && r.bottom > m.top + t;
}

/**
 * Padding [top, right, bottom, left] in pixels for view.fit: every box over the map (side panel or
 * bottom sheet, parcel panel, legend, go-to box, measuring tool) is cleared on one side, the sides
 * chosen so that the extent (or, without one, the largest free area) is drawn largest. At
 * 1280×720 the open legend beside the side panel hid the Binfu park of the first view.
 */
export function mapPadding(mapEl, extent = null) {
  const m = mapEl.getBoundingClientRect();
  const boxes = FLOATING.map(shown).filter((r) => r && overlaps(r, m, [0, 0, 0, 0]));
  // As before: room for OpenLayers' zoom buttons (top) and its scale line (bottom).
  const base = [76, 40, 40, 40];
  const score = ([t, r, b, l]) => {
    const w = m.width - l - r;
    const h = m.height - t - b;
    if (w <= 0 || h <= 0) return -Infinity;
    if (!extent) return w * h;
    return -Math.max((extent[2] - extent[0]) / w, (extent[3] - extent[1]) / h); // minus the resolution
  };
  let best = null;
  const search = (pad, i) => {
    if (i === boxes.length) {
      if (!best || score(pad) > score(best)) best = pad;
      return;
    }
    if (!overlaps(boxes[i], m, pad)) return search(pad, i + 1);
    for (let side = 0; side < 4; side++) search(cleared(pad, boxes[i], m, side), i + 1);
  };
  search(base, 0);
  return best;
}

/**
 * Whether the legend opens on the map view: only where the map beside the side panel keeps at
 * least 800 × 760 px for the parks with the legend open. Not on a phone, nor at 1280×720, where
 * it covered the Binfu park (and on a phone the go-to box).
 */
export function legendFits() {
  const panel = shown('#side-panel');
  const legend = document.querySelector('#legend-card');
  const map = document.querySelector('#map');
  if (!legend || !map) return false;
  const free = window.innerWidth - (panel ? panel.right : 0) - legend.offsetWidth - 2 * MARGIN;
  return free >= 800 && map.clientHeight >= 760;
}
