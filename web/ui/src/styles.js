// OpenLayers styles of the layers, and the colours the legend shows.
import { getCenter } from 'ol/extent.js';
import Point from 'ol/geom/Point.js';
import { Circle as CircleStyle, Fill, Stroke, Style, Text } from 'ol/style.js';
import { lang, pick } from './i18n.js';
import { landUseColor } from './landuse.js';
import { catalogStatusColor } from './statuses.js';
import { districtColor, parkColor, setColors, zoneColor } from './colors.js';

export const FONT_STACK =
  'system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif';

/** Web Mercator zoom of a resolution (256 px tiles), good enough to switch labels on and off. */
export function zoomOf(resolution) {
  return Math.log2(156543.03392804097 / resolution);
}

// ---- parcel status colours -------------------------------------------------------------
// One readable colour per lifecycle status, from the server's layer catalog (GET /api/meta);
// a status without one (meta failed, or a local status) gets a stable colour of its code.
const FALLBACK_COLORS = ['#6d4c41', '#827717', '#00838f', '#5d4037', '#546e7a', '#ad1457'];
const UNKNOWN_STATUS_COLOR = '#9e9e9e';

export function statusColor(code) {
  const c = catalogStatusColor(code);
  if (c) return c;
  if (!code) return UNKNOWN_STATUS_COLOR;
  let h = 0;
  for (const ch of String(code)) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return FALLBACK_COLORS[h % FALLBACK_COLORS.length];
}

// ---- allocation outcomes (scenario on the map) -------------------------------------------
export const OUTCOMES = ['granted', 'partial', 'waiting', 'refused'];
export const OUTCOME_COLORS = {
  granted: '#2e7d32',
  partial: '#f9a825',
  waiting: '#1565c0',
  refused: '#c62828',
};
export const NO_PROJECT_COLOR = '#cfd6de';

/** '#rrggbb' + alpha → 'rgba(r,g,b,a)'. */
export function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** Darker shade of '#rrggbb' for outlines. */
function darker(hex, factor = 0.7) {
  const n = parseInt(hex.slice(1), 16);
  const c = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => Math.round(v * factor));
  return `rgb(${c.join(',')})`;
}

// ---- protected zones ---------------------------------------------------------------------
export const ZONE_KINDS = ['permanent_basic_farmland', 'ecological_red_line', 'urban_development_boundary'];
export { districtColor, parkColor, zoneColor };

/**
 * Take the catalog's colours of the protected lines, parks and districts (meta.colors, see
 * colors.js) and drop the styles made with the previous ones.
 */
export function setMapColors(colors) {
  setColors(colors);
  zoneStyleCache = undefined;
  districtStyleCache = undefined;
  parkStyleCache = undefined;
}

function hatchPattern(color) {
  const size = 10;
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = withAlpha(color, 0.1);
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = withAlpha(color, 0.75);
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  // diagonal lines that tile seamlessly
  ctx.moveTo(0, size);
  ctx.lineTo(size, 0);
  ctx.moveTo(-size / 2, size / 2);
  ctx.lineTo(size / 2, -size / 2);
  ctx.moveTo(size / 2, size * 1.5);
  ctx.lineTo(size * 1.5, size / 2);
  ctx.stroke();
  return ctx.createPattern(canvas, 'repeat');
}

let zoneStyleCache;
function zoneStyles() {
  if (!zoneStyleCache) {
    const farmland = zoneColor('permanent_basic_farmland');
    const redLine = zoneColor('ecological_red_line');
    zoneStyleCache = {
      permanent_basic_farmland: new Style({
        fill: new Fill({ color: hatchPattern(farmland) }),
        stroke: new Stroke({ color: farmland, width: 1.5 }),
      }),
      ecological_red_line: new Style({
        fill: new Fill({ color: withAlpha(redLine, 0.12) }),
        stroke: new Stroke({ color: redLine, width: 2 }),
      }),
      urban_development_boundary: new Style({
        stroke: new Stroke({ color: zoneColor('urban_development_boundary'), width: 2, lineDash: [8, 6] }),
      }),
      other: new Style({ stroke: new Stroke({ color: '#616161', width: 1, lineDash: [2, 4] }) }),
    };
  }
  return zoneStyleCache;
}

export function protectedZoneStyle(feature) {
  const s = zoneStyles();
  return s[feature.get('kind')] || s.other;
}

// ---- districts -------------------------------------------------------------------------------
const districtText = new Text({
  font: `600 15px ${FONT_STACK}`,
  fill: new Fill({ color: '#263238' }),
  stroke: new Stroke({ color: 'rgba(255,255,255,0.9)', width: 4 }),
  overflow: true,
});
let districtStyleCache;
function districtStyles() {
  if (!districtStyleCache) {
    const outline = new Stroke({ color: districtColor(), width: 1.5 });
    districtStyleCache = { label: new Style({ stroke: outline, text: districtText }), noLabel: new Style({ stroke: outline }) };
  }
  return districtStyleCache;
}

export const DISTRICT_LABEL_MAX_ZOOM = 12;

export function districtStyleFn(feature, resolution) {
  if (zoomOf(resolution) > DISTRICT_LABEL_MAX_ZOOM + 1e-6) return districtStyles().noLabel;
  districtText.setText(pick(feature.getProperties(), 'name'));
  return districtStyles().label;
}

// ---- parks -----------------------------------------------------------------------------------
// Park names are drawn by a separate label layer above the parcels.
const PARK_LABEL_FONT = `700 14px ${FONT_STACK}`;
const parkLabelText = new Text({
  font: PARK_LABEL_FONT,
  stroke: new Stroke({ color: 'rgba(255,255,255,0.95)', width: 4 }),
  overflow: true,
});
let parkStyleCache;
function parkStyles() {
  if (!parkStyleCache) {
    const color = parkColor();
    parkLabelText.setFill(new Fill({ color }));
    parkStyleCache = {
      area: new Style({ fill: new Fill({ color: withAlpha(color, 0.06) }), stroke: new Stroke({ color, width: 2.5 }) }),
      label: new Style({ geometry: (f) => labelAnchor(f.getGeometry()).point, text: parkLabelText }),
    };
  }
  return parkStyleCache;
}
export function parkStyleFn() {
  return parkStyles().area;
}

/** Below this zoom parks are labelled by their short names, as officials call them. */
export const PARK_SHORT_LABEL_MAX_ZOOM = 12;
/**
 * Short names by park code; null: no label of its own at low zoom (the High-tech Zone's core
 * is Binjiang district, whose label 滨江区 the districts layer draws).
 */
export const PARK_SHORT_NAMES = {
  HTZ: null,
  BINFU: { zh: '滨富', en: 'Binfu' },
  BINXIAO: { zh: '滨萧', en: 'Binxiao' },
};

// One label a park, on its largest part: OpenLayers labels every polygon of a MultiPolygon, and
// Binxiao (three blocks) was named three times. Kept per geometry until it changes.
const anchors = new WeakMap();
function labelAnchor(geometry) {
  let a = anchors.get(geometry);
  if (!a || a.revision !== geometry.getRevision()) {
    let part = geometry;
    if (geometry.getType() === 'MultiPolygon') {
      part = geometry.getPolygons().reduce((best, p) => (p.getArea() > best.getArea() ? p : best));
    }
    const [minX, , maxX] = part.getExtent();
    const inner = part.getType() === 'Polygon' ? part.getInteriorPoint().getCoordinates() : getCenter(part.getExtent());
    a = { revision: geometry.getRevision(), point: new Point([inner[0], inner[1]]), width: maxX - minX };
    anchors.set(geometry, a);
  }
  return a;
}

// Label widths in pixels, measured once a text (a rough width where there is no canvas: node tests).
const labelWidths = new Map();
let measureContext;
function labelWidth(text) {
  let w = labelWidths.get(text);
  if (w === undefined) {
    measureContext ??= globalThis.document?.createElement('canvas').getContext('2d');
    if (measureContext) {
      measureContext.font = PARK_LABEL_FONT;
      w = measureContext.measureText(text).width;
    } else {
      w = 14 * text.length;
    }
    labelWidths.set(text, w);
  }
  return w;
}

/**
 * The name a park is labelled with at a resolution: its short name at low zoom, and wherever its
 * full name is wider than its largest part on screen (the full names of Binfu and Binxiao ran
 * over each other and over their neighbours); a park without a short name keeps its full name.
 */
export function parkLabel(feature, resolution) {
  const props = feature.getProperties();
  const full = pick(props, 'name');
  if (resolution === undefined || !(props.code in PARK_SHORT_NAMES)) return full;
  const low = zoomOf(resolution) < PARK_SHORT_LABEL_MAX_ZOOM;
  if (!low && labelWidth(full) <= labelAnchor(feature.getGeometry()).width / resolution) return full;
  const short = PARK_SHORT_NAMES[props.code];
  return short ? short[lang()] || short.zh : null;
}

export function parkLabelStyleFn(feature, resolution) {
  const text = parkLabel(feature, resolution);
  if (!text) return null;
  parkLabelText.setText(text);
  return parkStyles().label;
}

// ---- parcels (vector tiles) -----------------------------------------------------------------
// Styles by colour: [surface, underground] × [normal, faded]. Looked up for every parcel drawn
// (~2,000 a zoom-14 tile on 1M), so without a key string made per call.
const parcelStyleCache = new Map();

function filledStyle(color, underground, faded) {
  let styles = parcelStyleCache.get(color);
  if (!styles) {
    styles = [undefined, undefined, undefined, undefined];
    parcelStyleCache.set(color, styles);
  }
  const i = (underground ? 1 : 0) + (faded ? 2 : 0);
  if (!styles[i]) {
    const alpha = faded ? 0.35 : 0.62;
    styles[i] = new Style({
      fill: new Fill({ color: withAlpha(color, underground ? alpha * 0.55 : alpha) }),
      stroke: new Stroke({
        color: darker(color),
        width: underground ? 1.5 : 0.8,
        lineDash: underground ? [5, 4] : undefined,
      }),
    });
  }
  return styles[i];
}

/**
 * A parcel tile's features in draw order: underground parcels first, so that the surface parcels
 * are drawn over them; then by status and land use, so that the features of one style follow
 * each other and the renderer fills and strokes them in batches (the source is declared without
 * overlaps, layers.js). Features of one group keep the tile's order. Grouped in one pass rather
 * than sorted with a comparator: that called get() some 40,000 times a tile.
 */
export function inDrawOrder(features) {
  // [underground, surface]: status → land use → features
  const layers = [new Map(), new Map()];
  for (const f of features) {
    const byStatus = layers[f.get('underground') === true ? 0 : 1];
    const status = f.get('status') ?? '';
    let byUse = byStatus.get(status);
    if (!byUse) byStatus.set(status, (byUse = new Map()));
    const use = f.get('land_use') ?? '';
    const run = byUse.get(use);
    if (run) run.push(f);
    else byUse.set(use, [f]);
  }
  const out = [];
  for (const byStatus of layers) {
    for (const status of [...byStatus.keys()].sort()) {
      const byUse = byStatus.get(status);
      for (const use of [...byUse.keys()].sort()) for (const f of byUse.get(use)) out.push(f);
    }
  }
  return out;
}

/** Colour of a parcel's properties under a colouring mode. */
export function parcelColor(state, props, id) {
  if (state.colorBy === 'landuse') return landUseColor(props.land_use);
  if (state.colorBy === 'decision') {
    const outcome = state.decisions && state.decisions.get(Number(id));
    return outcome ? OUTCOME_COLORS[outcome] || NO_PROJECT_COLOR : NO_PROJECT_COLOR;
  }
  return statusColor(props.status);
}

/**
 * Style function of the parcel tiles. state: colorBy ('status' | 'landuse' | 'decision'),
 * hiddenStatuses, hiddenClasses (Sets), decisions (Map parcel id → outcome).
 */
export function makeParcelStyleFn(state) {
  // One object reused for every feature: the function runs for each of the ~2,000 parcels of
  // every zoom-14 tile on 1M, and an object per call was garbage for the collector.
  const props = { status: undefined, land_use: undefined };
  return (feature) => {
    const status = feature.get('status');
    if (state.hiddenStatuses.has(status)) return null;
    if (feature.get('kind') === 'aggregate') return aggregateStyle(statusColor(status));
    const landUse = feature.get('land_use');
    if (state.hiddenClasses.size > 0 && state.hiddenClasses.has(String(landUse ?? '').slice(0, 2))) return null;
    const id = feature.getId();
    props.status = status;
    props.land_use = landUse;
    const color = parcelColor(state, props, id);
    const faded = state.colorBy === 'decision' && !(state.decisions && state.decisions.has(Number(id)));
    return filledStyle(color, feature.get('underground') === true, faded);
  };
}

// Below zoom 14 the parcel tiles hold aggregate cells (kind=aggregate): squares of 8 px, each
// coloured by the status holding most of its parcels' area, with counts per status (n_<status>).
// Filled without an outline, so that they read as a density map, not as parcels.
const aggregateStyles = new Map();
export function aggregateStyle(color) {
  let s = aggregateStyles.get(color);
  if (!s) {
    s = new Style({ fill: new Fill({ color: withAlpha(color, 0.75) }) });
    aggregateStyles.set(color, s);
  }
  return s;
}

// ---- allocations: project parcels by the quota their project holds ---------------------------
export const ALLOCATION_KINDS = ['full', 'partial', 'none', 'stock'];
export const ALLOCATION_COLORS = { full: '#1b5e20', partial: '#ef6c00', none: '#455a64', stock: '#00838f' };
const allocationStyles = {};
export function makeAllocationStyleFn(state) {
  return (feature) => {
    const kind = state.allocations && state.allocations.get(Number(feature.getId()));
    if (!kind) return null;
    if (!allocationStyles[kind]) {
      const c = ALLOCATION_COLORS[kind];
      allocationStyles[kind] = [
        new Style({ stroke: new Stroke({ color: 'rgba(255,255,255,0.9)', width: 5 }) }),
        new Style({ stroke: new Stroke({ color: c, width: 2.5, lineDash: kind === 'none' ? [6, 4] : undefined }) }),
      ];
    }
    return allocationStyles[kind];
  };
}

/**
 * Parcel id → allocation kind from the projects and the plan's accounts: 'full' when the
 * project holds (or has consumed) its new-land need, 'partial' when some, 'none' when
 * nothing, 'stock' when it needs no new quota.
 */
export function allocationKinds(projects, accounts) {
  const held = new Map();
  for (const a of accounts || []) {
    if (a.kind === 'project') held.set(Number(a.project_id), (a.held_m2 || 0) + (a.consumed_m2 || 0));
  }
  const out = new Map();
  for (const p of projects || []) {
    const need = p.need ? p.need.new_m2 || 0 : 0;
    const h = held.get(Number(p.id)) || 0;
    const kind = need <= 0.005 ? 'stock' : h + 0.005 >= need ? 'full' : h > 0 ? 'partial' : 'none';
    for (const id of p.parcel_ids || []) out.set(Number(id), kind);
  }
  return out;
}

// ---- overlays: focus (clicked parcel), search results, selection, eligibility -----------------
export const focusStyle = [
  new Style({ stroke: new Stroke({ color: '#ffffff', width: 6 }) }),
  new Style({ stroke: new Stroke({ color: '#111111', width: 2.5 }) }),
];

export const HIGHLIGHT_COLOR = '#00b8d4';
export const highlightStyle = [
  new Style({ fill: new Fill({ color: withAlpha(HIGHLIGHT_COLOR, 0.62) }), stroke: new Stroke({ color: 'rgba(255,255,255,0.95)', width: 4 }) }),
  new Style({ stroke: new Stroke({ color: '#005f6b', width: 2 }) }),
];
export const highlightActiveStyle = [
  new Style({ fill: new Fill({ color: withAlpha('#ffeb3b', 0.55) }), stroke: new Stroke({ color: '#ffffff', width: 6 }) }),
  new Style({ stroke: new Stroke({ color: '#e65100', width: 3 }) }),
];

export const SELECTION_COLOR = '#ff6d00';
export const selectionStyle = [
  new Style({
    fill: new Fill({ color: withAlpha(SELECTION_COLOR, 0.35) }),
    stroke: new Stroke({ color: '#ffffff', width: 5 }),
  }),
  new Style({ stroke: new Stroke({ color: SELECTION_COLOR, width: 2.5 }) }),
];

/** The app's accent (style.css --accent): drawn shapes are the user's, not a layer's. */
const ACCENT_COLOR = '#0b5394';

/** Drawn shapes (search area, eligibility test shape). */
export const drawnShapeStyle = new Style({
  fill: new Fill({ color: withAlpha(ACCENT_COLOR, 0.08) }),
  stroke: new Stroke({ color: ACCENT_COLOR, width: 2.5, lineDash: [10, 6] }),
  image: new CircleStyle({ radius: 5, fill: new Fill({ color: ACCENT_COLOR }) }),
});

/** Overlaps of a drawn shape with the protected lines, by kind, in the lines' colours. */
export function overlapStyleFn(feature) {
  const kind = feature.get('kind');
  const color = zoneColor(kind === 'outside_boundary' ? 'urban_development_boundary' : kind);
  return new Style({
    fill: new Fill({ color: withAlpha(color, 0.55) }),
    stroke: new Stroke({ color: darker(color, 0.8), width: 2 }),
  });
}
