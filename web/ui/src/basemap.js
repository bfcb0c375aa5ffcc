// Basemap (底图): the background tiles the server is configured with (/api/basemaps: 天地图 or
// any XYZ/WMTS template, or a local MBTiles package at /basemap/{z}/{x}/{y}), drawn under every
// layer, with a switcher none / vector / imagery and the providers' attribution.
import { Attribution } from 'ol/control.js';
import MVT from 'ol/format/MVT.js';
import TileLayer from 'ol/layer/Tile.js';
import VectorTileLayer from 'ol/layer/VectorTile.js';
import VectorTileSource from 'ol/source/VectorTile.js';
import XYZ from 'ol/source/XYZ.js';
import { Fill, Stroke, Style } from 'ol/style.js';
import TileGrid from 'ol/tilegrid/TileGrid.js';
import { getJSON } from './api.js';
import { el } from './dom.js';
import { applyTranslations } from './i18n.js';

export const BASEMAP_CHOICES = ['none', 'vector', 'imagery'];
const STORAGE_KEY = 'landquota.basemap';
const Z_BASEMAP = -10; // under every layer of the map

// A vector tile package gets a plain, quiet style: land, water, roads.
const vectorTileStyle = [
  new Style({ fill: new Fill({ color: '#f1efe9' }), stroke: new Stroke({ color: '#d6d0c4', width: 0.5 }) }),
];

function urlsOf(b) {
  return b.url.includes('{s}') && b.subdomains?.length ? b.subdomains.map((s) => b.url.replaceAll('{s}', s)) : [b.url];
}

function layerOf(b) {
  const attributions = b.attribution || undefined;
  if (b.format === 'pbf') {
    return new VectorTileLayer({
      source: new VectorTileSource({ format: new MVT(), url: b.url, maxZoom: b.max_zoom, attributions }),
      style: vectorTileStyle,
      zIndex: Z_BASEMAP + (b.kind === 'annotation' ? 1 : 0),
    });
  }
  const options = { urls: urlsOf(b), maxZoom: b.max_zoom, minZoom: b.min_zoom, attributions, crossOrigin: 'anonymous' };
  if (b.crs === 'EPSG:4490') {
    // Lon/lat tiles as Tianditu's "_c": level 1 is two 180° tiles; OpenLayers reprojects them.
    const resolutions = Array.from({ length: b.max_zoom }, (_, i) => 0.703125 / 2 ** i);
    const urls = options.urls;
    Object.assign(options, {
      projection: 'EPSG:4326',
      tileGrid: new TileGrid({ origin: [-180, 90], extent: [-180, -90, 180, 90], resolutions, tileSize: 256 }),
      tileUrlFunction: ([z, x, y]) => urls[(x + y) % urls.length].replace('{z}', String(z + 1)).replace('{x}', String(x)).replace('{y}', String(y)),
      maxZoom: undefined,
      minZoom: undefined,
      urls: undefined,
    });
  }
  return new TileLayer({ source: new XYZ(options), zIndex: Z_BASEMAP + (b.kind === 'annotation' ? 1 : 0) });
}

/**
 * Loads the configured basemaps into map and puts the switcher into container. Resolves to
 * { choices, set(choice), get() }; with no basemap configured the switcher stays hidden.
 */
export async function createBasemaps(map, container, { onError } = {}) {
  let list = [];
  try {
    list = (await getJSON('/api/basemaps')).basemaps || [];
  } catch (err) {
    if (onError) onError(err);
  }
  const groups = { vector: [], imagery: [] };
  for (const b of list) {
    const layer = layerOf(b);
    layer.set('name', `basemap:${b.name}`);
    layer.setVisible(false);
    map.addLayer(layer);
    if (b.kind === 'annotation') {
      for (const g of b.over ? [b.over] : ['vector', 'imagery']) groups[g].push(layer);
    } else {
      groups[b.kind].push(layer);
    }
  }
  const choices = BASEMAP_CHOICES.filter((c) => c === 'none' || groups[c].some((l) => l.getZIndex() === Z_BASEMAP));
  let current = 'none';
  const buttons = {};
  function set(choice) {
    current = choices.includes(choice) ? choice : 'none';
    for (const layers of Object.values(groups)) for (const l of layers) l.setVisible(false);
    for (const l of groups[current] || []) l.setVisible(true);
    for (const [c, btn] of Object.entries(buttons)) btn.setAttribute('aria-pressed', String(c === current));
    localStorage.setItem(STORAGE_KEY, current);
  }
  const box = el('div', { class: 'basemap-switcher', role: 'group', 'data-testid': 'basemap-switcher', hidden: choices.length < 2 },
    el('span', { class: 'basemap-title', 'data-i18n': 'basemap.title' }),
    ...choices.map((c) => {
      buttons[c] = el('button', { type: 'button', 'data-basemap': c, 'data-testid': `basemap-${c}`, 'data-i18n': `basemap.${c}`, onclick: () => set(c) });
      return buttons[c];
    }));
  container.append(box);
  applyTranslations(box);
  if (choices.length > 1) {
    map.addControl(new Attribution({ collapsible: false }));
    const saved = localStorage.getItem(STORAGE_KEY);
    set(saved && choices.includes(saved) ? saved : choices[1]);
  }
  return { choices, set, get: () => current };
}
