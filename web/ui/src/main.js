// landquota web map: entry point.
import 'ol/ol.css';
import './style.css';

import Map from 'ol/Map.js';
import View from 'ol/View.js';
import { Attribution, defaults as defaultControls, MousePosition, ScaleLine } from 'ol/control.js';
import { createStringXY } from 'ol/coordinate.js';
import TileLayer from 'ol/layer/Tile.js';
import { fromLonLat, transformExtent } from 'ol/proj.js';
import XYZ from 'ol/source/XYZ.js';

import { fetchMeta, onActivity } from './api.js';
import { createErrorBar } from './errorbar.js';
import { applyTranslations, lang, onLangChange, setLang, t } from './i18n.js';
import { createInfoPanel } from './info.js';
import { createLayers, LAYER_NAMES, PARCEL_LIMIT, PARCEL_MIN_ZOOM } from './layers.js';
import { createPanel } from './panel.js';
import { setStatuses } from './statuses.js';

const $ = (sel) => document.querySelector(sel);

// Hangzhou High-tech Zone and its parks, used until /api/meta answers (or if it fails).
const FALLBACK_BOUNDS = [119.85, 29.95, 120.4, 30.3];

const errors = createErrorBar($('#error-bar'));
window.addEventListener('unhandledrejection', (e) => errors.report('', e.reason));
window.addEventListener('error', (e) => {
  // Chrome reports this benign ResizeObserver notice as an error event; it is no failure.
  if (String(e.message).startsWith('ResizeObserver loop')) return;
  errors.report('', e.error || e.message);
});

applyTranslations();

const state = { hiddenStatuses: new Set(), selected: null };

const map = new Map({
  target: 'map',
  controls: defaultControls({ rotate: false, attribution: false }).extend([
    new ScaleLine({ units: 'metric' }),
    new MousePosition({
      coordinateFormat: createStringXY(5),
      projection: 'EPSG:4326',
      className: 'mouse-position',
      target: $('#mouse-position'),
      placeholder: '', // empty when the pointer is off the map (hidden by CSS)
    }),
  ]),
  view: new View({ center: fromLonLat([120.15, 30.15]), zoom: 10, enableRotation: false }),
});
window.__landquota = { map, ready: false };

// ---- status line: loading, zoom hint --------------------------------------------------------
onActivity((n) => {
  $('#loading').hidden = n === 0;
});

const parcelHints = { truncated: false };
function updateHints() {
  const parcelsOn = $('#layer-toggle-parcels')?.checked ?? true;
  const zoom = map.getView().getZoom() ?? 0;
  $('#zoom-hint').hidden = !(parcelsOn && zoom < PARCEL_MIN_ZOOM);
  const tr = $('#truncated-hint');
  tr.hidden = !(parcelsOn && zoom >= PARCEL_MIN_ZOOM && parcelHints.truncated);
  tr.textContent = t('hint.truncated', { n: PARCEL_LIMIT });
}
map.getView().on('change:resolution', updateHints);

// ---- side panel collapse --------------------------------------------------------------------
const sidePanel = $('#side-panel');
const panelToggle = $('#panel-toggle');
function setPanelOpen(open) {
  sidePanel.hidden = !open;
  panelToggle.setAttribute('aria-expanded', String(open));
  panelToggle.dataset.i18nTitle = open ? 'panel.collapse' : 'panel.expand';
  panelToggle.textContent = open ? '‹' : '☰';
  document.body.classList.toggle('panel-open', open);
  applyTranslations(panelToggle.parentElement);
}
panelToggle.addEventListener('click', () => setPanelOpen(sidePanel.hidden));
setPanelOpen(window.matchMedia('(min-width: 700px)').matches);

function fitPadding() {
  const left = sidePanel.hidden ? 40 : sidePanel.getBoundingClientRect().right + 24;
  return [40, 40, 40, left];
}

// ---- language switch --------------------------------------------------------------------
$('#lang-switch').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
onLangChange(() => {
  applyTranslations();
  updateHints();
});

// ---- start: meta, then layers ------------------------------------------------------------
async function start() {
  let meta = null;
  try {
    meta = await fetchMeta();
  } catch (err) {
    errors.report(t('error.meta'), err);
  }
  if (meta) setStatuses(meta.statuses);

  let names = LAYER_NAMES;
  if (meta && Array.isArray(meta.layers)) {
    const unknown = meta.layers.filter((n) => !LAYER_NAMES.includes(n));
    if (unknown.length) console.warn('landquota: layers the UI does not know:', unknown);
    names = LAYER_NAMES.filter((n) => meta.layers.includes(n));
  }

  const bounds = meta && isBounds(meta.bounds) ? meta.bounds : FALLBACK_BOUNDS;
  map.getView().fit(transformExtent(bounds, 'EPSG:4326', map.getView().getProjection()), {
    padding: fitPadding(),
  });

  if (meta && meta.basemap && meta.basemap.url) {
    // Optional server-configured tile basemap (XYZ template in Web Mercator, e.g. Tianditu "_w").
    map.addLayer(
      new TileLayer({
        source: new XYZ({
          url: meta.basemap.url,
          attributions: meta.basemap.attribution || undefined,
          maxZoom: meta.basemap.max_zoom || 18,
          crossOrigin: 'anonymous',
        }),
        zIndex: 0,
        properties: { name: 'basemap' },
      }),
    );
    map.addControl(new Attribution({ collapsible: false }));
  }

  const { layers, parkLabels, parcelSource } = createLayers({
    state,
    onError: (layer, err) => errors.report(t('error.layer', { layer: t(`layer.${layer}`) }), err),
    onTruncated: (on) => {
      parcelHints.truncated = on;
      updateHints();
    },
  });
  for (const name of names) map.addLayer(layers[name]);
  if (names.includes('parks')) map.addLayer(parkLabels);
  window.__landquota.layers = layers;

  const panel = createPanel({
    togglesEl: $('#layer-toggles'),
    legendEl: $('#legend-content'),
    layerNames: names,
    layers,
    extra: { parks: [parkLabels] },
    state,
    onStatusFilter: () => {
      if (state.selected && state.hiddenStatuses.has(state.selected.get('status'))) info.close();
      layers.parcels.changed();
    },
  });
  $('#layer-toggles').addEventListener('change', updateHints);
  applyTranslations();

  // ---- parcel info ----
  const findProps = (layer, keys) => (value) => {
    const v = String(value);
    const f = layer.getSource().getFeatures().find((x) => keys.some((k) => String(x.get(k) ?? '') === v));
    return f ? f.getProperties() : null;
  };
  const info = createInfoPanel($('#info-panel'), {
    district: findProps(layers.districts, ['adcode', 'name_zh', 'name_en']),
    park: findProps(layers.parks, ['code', 'name_zh', 'name_en']),
  });
  info.onClose = () => {
    state.selected = null;
    layers.parcels.changed();
  };

  map.on('singleclick', (evt) => {
    const hit = map.forEachFeatureAtPixel(evt.pixel, (f) => f, {
      layerFilter: (l) => l === layers.parcels,
      hitTolerance: 2,
    });
    if (hit) {
      state.selected = hit;
      info.show(hit);
      layers.parcels.changed();
    } else {
      info.close();
    }
  });
  map.on('pointermove', (evt) => {
    if (evt.dragging) return;
    const over = map.hasFeatureAtPixel(evt.pixel, { layerFilter: (l) => l === layers.parcels, hitTolerance: 2 });
    map.getTargetElement().style.cursor = over ? 'pointer' : '';
  });
  map.on('moveend', () => {
    parcelSource.onMoveEnd(map.getView().getResolution());
    updateHints();
  });
  // A parcel that disappears on reload (e.g. after zooming in past a truncated load) closes the panel.
  parcelSource.on('clear', () => info.close());

  onLangChange(() => {
    panel.renderLegend();
    info.render();
    layers.districts.changed();
    parkLabels.changed();
  });

  updateHints();
  window.__landquota.ready = true;
  document.body.dataset.ready = 'true';
}

function isBounds(b) {
  return Array.isArray(b) && b.length === 4 && b.every(Number.isFinite) && b[0] < b[2] && b[1] < b[3];
}

start().catch((err) => errors.report('', err));
