// OpenLayers styles of the four layers, and the colours the legend shows.
import { Fill, Stroke, Style, Text } from 'ol/style.js';
import { pick } from './i18n.js';

export const FONT_STACK =
  'system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif';

/** Web Mercator zoom of a resolution (256 px tiles), good enough to switch labels on and off. */
export function zoomOf(resolution) {
  return Math.log2(156543.03392804097 / resolution);
}

// ---- parcel status colours -------------------------------------------------------------
// One readable colour per lifecycle status (DOMAIN.md section 5), from "land in the pipe"
// (warm) through "being built / used" (blue, teal) to "problem land" (pink, purple).
export const STATUS_COLORS = {
  reserve: '#a1887f',
  filed: '#fdd835',
  approved: '#fb8c00',
  expropriated: '#c62828',
  supplied: '#4fc3f7',
  under_construction: '#1e88e5',
  completed: '#283593',
  in_production: '#00897b',
  low_efficiency: '#ec407a',
  redevelopment: '#8e24aa',
};
const FALLBACK_COLORS = ['#6d4c41', '#827717', '#00838f', '#5d4037', '#546e7a', '#ad1457'];
const UNKNOWN_STATUS_COLOR = '#9e9e9e';

export function statusColor(code) {
  if (STATUS_COLORS[code]) return STATUS_COLORS[code];
  if (!code) return UNKNOWN_STATUS_COLOR;
  let h = 0;
  for (const ch of String(code)) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return FALLBACK_COLORS[h % FALLBACK_COLORS.length];
}

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
export const ZONE_COLORS = {
  permanent_basic_farmland: '#2e7d32',
  ecological_red_line: '#d32f2f',
  urban_development_boundary: '#7b1fa2',
};

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
    zoneStyleCache = {
      permanent_basic_farmland: new Style({
        fill: new Fill({ color: hatchPattern(ZONE_COLORS.permanent_basic_farmland) }),
        stroke: new Stroke({ color: ZONE_COLORS.permanent_basic_farmland, width: 1.5 }),
      }),
      ecological_red_line: new Style({
        fill: new Fill({ color: withAlpha(ZONE_COLORS.ecological_red_line, 0.12) }),
        stroke: new Stroke({ color: ZONE_COLORS.ecological_red_line, width: 2 }),
      }),
      urban_development_boundary: new Style({
        stroke: new Stroke({ color: ZONE_COLORS.urban_development_boundary, width: 2, lineDash: [8, 6] }),
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
export const DISTRICT_COLOR = '#37474f';
const districtOutline = new Stroke({ color: DISTRICT_COLOR, width: 1.5 });
const districtText = new Text({
  font: `600 15px ${FONT_STACK}`,
  fill: new Fill({ color: '#263238' }),
  stroke: new Stroke({ color: 'rgba(255,255,255,0.9)', width: 4 }),
  overflow: true,
});
const districtStyle = new Style({ stroke: districtOutline, text: districtText });
const districtStyleNoLabel = new Style({ stroke: districtOutline });

export const DISTRICT_LABEL_MAX_ZOOM = 12;

export function districtStyleFn(feature, resolution) {
  if (zoomOf(resolution) > DISTRICT_LABEL_MAX_ZOOM + 1e-6) return districtStyleNoLabel;
  districtText.setText(pick(feature.getProperties(), 'name'));
  return districtStyle;
}

// ---- parks -----------------------------------------------------------------------------------
export const PARK_COLOR = '#0b5394';
const parkStyle = new Style({
  fill: new Fill({ color: withAlpha(PARK_COLOR, 0.08) }),
  stroke: new Stroke({ color: PARK_COLOR, width: 3 }),
});
export function parkStyleFn() {
  return parkStyle;
}

// Park names are drawn by a separate label layer above the parcels.
const parkLabelText = new Text({
  font: `700 14px ${FONT_STACK}`,
  fill: new Fill({ color: PARK_COLOR }),
  stroke: new Stroke({ color: 'rgba(255,255,255,0.95)', width: 4 }),
  overflow: true,
});
const parkLabelStyle = new Style({ text: parkLabelText });
export function parkLabelStyleFn(feature) {
  parkLabelText.setText(pick(feature.getProperties(), 'name'));
  return parkLabelStyle;
}

// ---- parcels ---------------------------------------------------------------------------------
const parcelStyleCache = new Map();

function parcelStyle(status, underground) {
  const key = `${status}|${underground}`;
  let s = parcelStyleCache.get(key);
  if (!s) {
    const color = statusColor(status);
    s = new Style({
      fill: new Fill({ color: withAlpha(color, underground ? 0.35 : 0.6) }),
      stroke: new Stroke({
        color: darker(color),
        width: underground ? 1.5 : 1,
        lineDash: underground ? [5, 4] : undefined,
      }),
    });
    parcelStyleCache.set(key, s);
  }
  return s;
}

const selectedStyles = [
  new Style({ stroke: new Stroke({ color: '#ffffff', width: 6 }) }),
  new Style({ stroke: new Stroke({ color: '#111111', width: 2.5 }) }),
];

/**
 * state.hiddenStatuses: Set of status codes not drawn; state.selected: the selected feature.
 */
export function makeParcelStyleFn(state) {
  return (feature) => {
    const status = feature.get('status');
    if (state.hiddenStatuses.has(status)) return null;
    const base = parcelStyle(status, feature.get('underground') === true);
    if (feature === state.selected) return [base, ...selectedStyles];
    return base;
  };
}

