// landquota web map: entry point. Wires the map, the layers, the login, and the six work
// modes (layers, search, eligibility, allocate, quota dashboard, reports).
import 'ol/ol.css';
import './style.css';

import Map from 'ol/Map.js';
import View from 'ol/View.js';
import { defaults as defaultControls, MousePosition, ScaleLine } from 'ol/control.js';
import { createEmpty, extend as extendExtent, isEmpty } from 'ol/extent.js';
import { fromLonLat, toLonLat, transformExtent } from 'ol/proj.js';

import { fetchMeta, getJSON, onActivity, postJSON } from './api.js';
import { createAuth } from './auth.js';
import { createData } from './data.js';
import { $, $$, el } from './dom.js';
import { createDrawTool } from './draw.js';
import { createErrorBar } from './errorbar.js';
import { dateTime } from './format.js';
import { applyTranslations, lang, onLangChange, pick, setLang, t } from './i18n.js';
import { createIdentify } from './identify.js';
import { createInfoPanel } from './info.js';
import { createLayers, geojson, LAYER_NAMES, PARCEL_DETAIL_ZOOM, PARCEL_MIN_ZOOM, readFeatures, staticURL } from './layers.js';
import { legendFits, mapPadding } from './mapspace.js';
import { createMeasure } from './measure.js';
import { createPanel } from './panel.js';
import { formatHash, parseHash, MAX_ZOOM } from './permalink.js';
import { setStatuses } from './statuses.js';
import { allocationKinds, setMapColors } from './styles.js';
import { createBasemaps } from './basemap.js';
import { createClassesUI, onLocalClasses } from './classes.js';
import { createGoTo, formatPointer } from './coords.js';
import { createStock } from './stock.js';

/**
 * p, with a performance mark (landquota:NAME) when it settles: the page's marks say what each
 * wait before ready waited for (tests/trace.mjs prints them).
 */
function marked(name, p) {
  const mark = () => performance.mark(`landquota:${name}`);
  p.then(mark, mark);
  return p;
}

/**
 * load() on the first call, its promise shared by every later call; a failed load is forgotten,
 * so that the next call tries again (a chunk that did not arrive, say).
 */
function loadOnce(load) {
  let loading = null;
  return () => (loading ??= load().catch((err) => {
    loading = null;
    throw err;
  }));
}

// Hangzhou High-tech Zone and its parks, used until /api/meta answers (or if it fails).
const FALLBACK_BOUNDS = [119.85, 29.95, 120.4, 30.3];
export const MODES = ['layers', 'search', 'eligibility', 'allocate', 'quota', 'plans', 'stock', 'reports'];

/** Phones: panels are bottom sheets (style.css uses the same width). */
const PHONE = window.matchMedia('(max-width: 700px)');
const errors = createErrorBar($('#error-bar'));
window.addEventListener('unhandledrejection', (e) => {
  if (e.reason && e.reason.name === 'AbortError') return;
  errors.report('', e.reason);
});
window.addEventListener('error', (e) => {
  // Chrome reports this benign ResizeObserver notice as an error event; it is no failure.
  if (String(e.message).startsWith('ResizeObserver loop')) return;
  errors.report('', e.error || e.message);
});

applyTranslations();

const state = {
  colorBy: 'status',
  hiddenStatuses: new Set(),
  hiddenClasses: new Set(),
  decisions: null,
  decisionLabel: '',
  allocations: null,
};

const map = new Map({
  target: 'map',
  controls: defaultControls({ rotate: false, attribution: false }).extend([
    new ScaleLine({ units: 'metric' }),
    new MousePosition({
      coordinateFormat: formatPointer,
      projection: 'EPSG:4326',
      className: 'mouse-position',
      target: $('#mouse-position'),
      placeholder: '', // empty when the pointer is off the map (hidden by CSS)
    }),
  ]),
  view: new View({ center: fromLonLat([120.15, 30.15]), zoom: 10, enableRotation: false, maxZoom: MAX_ZOOM }),
  // Every tile of a view asked for at once (OpenLayers' default is 16): with 16, a zoom-14 view's
  // other 14 tiles were asked for only once the first 16 had been decoded and drawn, so the
  // network and the server idled while the page worked, and then the other way round. The browser
  // still sends them six at a time, nearest the centre first.
  maxTilesLoading: 64,
});
window.__landquota = { map, ready: false, state };

// ---- status line: loading, zoom hint --------------------------------------------------------
onActivity((n) => {
  $('#loading').hidden = n === 0;
});

function updateHints() {
  const parcelsOn = $('#layer-toggle-parcels')?.checked ?? true;
  const zoom = map.getView().getZoom() ?? 0;
  $('#zoom-hint').hidden = !(parcelsOn && zoom < PARCEL_MIN_ZOOM);
}
map.getView().on('change:resolution', updateHints);

// ---- side panel collapse --------------------------------------------------------------------
const sidePanel = $('#side-panel');
const panelToggle = $('#panel-toggle');
function setPanelOpen(open) {
  document.body.classList.toggle('panel-open', open);
  sidePanel.hidden = !open;
  panelToggle.setAttribute('aria-expanded', String(open));
  panelToggle.dataset.i18nTitle = open ? 'panel.collapse' : 'panel.expand';
  panelToggle.textContent = open ? '‹' : '›';
  applyTranslations(panelToggle.parentElement);
  setTimeout(() => map.updateSize(), 0);
}
panelToggle.addEventListener('click', () => setPanelOpen(sidePanel.hidden));
setPanelOpen(!PHONE.matches);

/** A fitted view keeps clear of the panels, the legend and the go-to box (mapspace.js). */
function fitPadding(extent = null) {
  return mapPadding(map.getTargetElement(), extent);
}

// ---- language switch --------------------------------------------------------------------
$('#lang-switch').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));

// ---- confirmation dialog ------------------------------------------------------------------
function confirmDialog(title, text) {
  const dlg = $('#confirm-dialog');
  $('#confirm-title', dlg).textContent = title;
  $('#confirm-text', dlg).textContent = text;
  return new Promise((resolve) => {
    const done = (v) => {
      dlg.removeEventListener('close', onClose);
      resolve(v);
    };
    const onClose = () => done(dlg.returnValue === 'ok');
    dlg.addEventListener('close', onClose);
    dlg.returnValue = '';
    dlg.showModal();
    $('#confirm-ok', dlg).focus();
  });
}

// ---- start ------------------------------------------------------------------------------------
async function start() {
  performance.mark('landquota:start');
  // The start-up requests go out together (index.html preloads them while the bundle loads):
  // who is logged in, the map's metadata, the basemaps. Nothing waits for another.
  const auth = createAuth({ boxEl: $('#user-box'), dialogEl: $('#login-dialog'), errors });
  const data = createData();
  const authReady = marked('auth', auth.init());
  const metaReady = marked('meta', fetchMeta()).catch((err) => {
    errors.report(t('error.meta'), err);
    return null;
  });
  // Basemap switcher and the go-to box (basemap.js, coords.js) share one corner of the map.
  const gisTools = el('div', { id: 'gis-tools', 'data-testid': 'gis-tools' },
    el('a', { class: 'qgis-link', href: '/api/qgis/landquota.qgs', download: 'landquota.qgs', 'data-testid': 'qgis-link', 'data-i18n': 'qgis.download', 'data-i18n-title': 'qgis.hint' }));
  document.body.append(gisTools);
  const basemapsReady = marked('basemaps', createBasemaps(map, gisTools, { onError: (err) => errors.report(t('basemap.failed'), err) }));

  // The parks too: the first view is fitted to them before anything is drawn, so that no tile
  // is asked for a view nobody looks at. A link with a view (permalink.js) opens at that view
  // instead and waits for no parks.
  const link = parseHash(location.hash);
  const parksReady = marked('parks', getJSON(staticURL('parks')));
  parksReady.catch(() => {}); // reported by the parks layer

  const meta = await metaReady;
  const parks = link.view ? [] : await parksReady.then((fc) => geojson.readFeatures(fc), () => []);
  // The login state and the basemaps too (asked for at the same time), so that from here to
  // ready nothing waits: the map is drawn, and its tiles asked for, from the first frame after
  // ready. Before, tiles of the first view arrived and were drawn while the page waited for
  // these, and a view set at ready (a user's first zoom) waited behind that drawing.
  window.__landquota.basemaps = await basemapsReady;
  await authReady;
  performance.mark('landquota:awaited');
  if (meta) {
    setStatuses(meta.statuses);
    setMapColors(meta.colors);
  }

  let names = LAYER_NAMES;
  if (meta && Array.isArray(meta.layers)) {
    names = LAYER_NAMES.filter((n) => meta.layers.includes(n));
  }

  const { layers, parkLabels, overlays } = createLayers({
    state,
    prefetched: { parks: parksReady },
    onError: (layer, err) => errors.report(t('error.layer', { layer: t(`layer.${layer}`) }), err),
  });
  for (const name of names) map.addLayer(layers[name]);
  if (names.includes('parks')) map.addLayer(parkLabels);
  for (const o of Object.values(overlays)) map.addLayer(o);
  // Stock land and allocations are drawn over the parcels, off until asked for.
  names = [...names, 'stock', 'allocations'];
  window.__landquota.layers = layers;
  window.__landquota.overlays = overlays;

  const draw = createDrawTool(map, overlays.drawn);

  // ---- lookups of districts and parks (names) ----
  const findProps = (layer, keys) => (value) => {
    const v = String(value);
    const f = layer.getSource().getFeatures().find((x) => keys.some((k) => String(x.get(k) ?? '') === v));
    return f ? f.getProperties() : null;
  };
  const lookups = {
    district: findProps(layers.districts, ['adcode', 'name_zh', 'name_en']),
    park: findProps(layers.parks, ['code', 'name_zh', 'name_en']),
  };
  const districtName = (code) => pick(lookups.district(code), 'name') || code;
  const parkName = (code) => pick(lookups.park(code), 'name') || code;

  let year = Number(localStorage.getItem('landquota.year')) || new Date().getFullYear();
  let mode = 'layers';

  const app = {
    map, layers, overlays, state, errors, auth, data, draw, lookups, districtName, parkName,
    mode: () => mode,
    year: () => year,
    setYear(y) {
      year = y;
      try {
        localStorage.setItem('landquota.year', String(y));
      } catch {
        // not remembered
      }
    },
    confirm: confirmDialog,
    restyleParcels: () => layers.parcels.changed(),
    /** A geometry in the map projection → GeoJSON geometry object in lon/lat. */
    toGeoJSONGeometry: (g) => geojson.writeGeometryObject(g),
    /** Zooms to GeoJSON features (objects). */
    zoomToGeoJSON(features, maxZoom = 17) {
      const ext = createEmpty();
      for (const f of readFeatures(features.filter((x) => x && x.geometry))) extendExtent(ext, f.getGeometry().getExtent());
      if (!isEmpty(ext)) map.getView().fit(ext, { padding: fitPadding(), maxZoom, duration: 250 });
    },
    /** Opens the parcel panel; with zoom, centres the map on it. */
    async showParcel(id, props = {}, { zoom = false } = {}) {
      focusId = Number(id);
      overlays.focus.getSource().clear();
      await info.show(Number(id), props);
      if (zoom) {
        const f = overlays.focus.getSource().getFeatures()[0];
        if (f) map.getView().fit(f.getGeometry().getExtent(), { padding: fitPadding(), maxZoom: 17, duration: 250 });
      }
    },
    /** Colours the project parcels of a scenario by decision (Map parcel id → outcome). */
    showDecisions(decisions, label) {
      state.decisions = decisions;
      state.decisionLabel = label;
      panel.setColorBy('decision');
      $('#legend-card details').open = true;
      window.__landquota.decisions = decisions.size;
    },
    openProject(id) {
      setMode('allocate');
      usePanel('allocate', (p) => p.openProject(id));
    },
    /** Outlines a project's parcels (the first 50) and zooms to them. */
    async showProject(id) {
      try {
        const project = await getJSON(`/api/projects/${encodeURIComponent(id)}`);
        const features = await Promise.all((project.parcel_ids || []).slice(0, 50).map((pid) => getJSON(`/ogc/collections/parcels/items/${pid}`)));
        focusId = null;
        overlays.focus.getSource().clear();
        overlays.focus.getSource().addFeatures(readFeatures(features));
        app.zoomToGeoJSON(features, 16);
      } catch (err) {
        errors.report(t('error.projects'), err);
      }
    },
    /** Fits the map to a park (by code), close enough for the parcels to be drawn. */
    fitPark(code) {
      const f = layers.parks.getSource().getFeatures().find((x) => x.get('code') === code);
      if (!f) return;
      const view = map.getView();
      view.fit(f.getGeometry().getExtent(), { padding: fitPadding() });
      if ((view.getZoom() ?? 0) < PARCEL_DETAIL_ZOOM) view.setZoom(PARCEL_DETAIL_ZOOM);
    },
    setMode: (m) => setMode(m),
  };
  window.__landquota.app = app;

  // ---- stock land (derived flags and its layer) and allocations ----
  const stock = createStock(app);
  layers.stock = stock.layer;
  map.addLayer(stock.layer);
  map.addLayer(stock.clusters);
  map.addLayer(layers.allocations);
  async function refreshAllocations() {
    if (!layers.allocations.getVisible()) return;
    try {
      const [projects, plan] = await Promise.all([data.projects(), data.plan(year).catch((err) => (err.status === 404 ? { accounts: [] } : Promise.reject(err)))]);
      state.allocations = allocationKinds(projects, plan.accounts);
      layers.allocations.changed();
    } catch (err) {
      errors.report(t('error.layer', { layer: t('layer.allocations') }), err);
    }
  }
  layers.allocations.on('change:visible', refreshAllocations);
  data.onRefresh(refreshAllocations);
  /** Eligibility of selected parcels (up to 25, one request each): {eligible, text} or null. */
  app.checkEligibility = async (ids) => {
    if (ids.length === 0 || ids.length > 25) return null;
    const results = await Promise.all(ids.map((id) => postJSON('/api/eligibility', { parcel_id: id })));
    const bad = results.filter((r) => !r.eligible);
    return {
      eligible: bad.length === 0,
      text: bad.length === 0 ? t('alloc.allEligible', { n: results.length })
        : t('alloc.someIneligible', { n: bad.length, codes: bad.map((r) => r.subject?.parcel_code).filter(Boolean).join('、') }),
    };
  };

  // ---- parcel info panel ----
  let focusId = null;
  const info = createInfoPanel($('#info-panel'), {
    lookups,
    data,
    year: () => year,
    onError: (err) => errors.report(t('info.loadFailed'), err),
    loadStock: stock.facts,
    canRecord: () => auth.can('admin'),
    onEventRecorded: () => data.refresh(['stock']),
    onDetails(f) {
      if (Number(f.id) !== focusId) return;
      overlays.focus.getSource().clear();
      overlays.focus.getSource().addFeatures(readFeatures([f]));
    },
    actions(id) {
      const out = [
        el('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'info-eligibility', onclick: () => { setMode('eligibility'); usePanel('eligibility', (p) => p.checkParcel(id)); } }, t('info.checkEligibility')),
      ];
      if (auth.can('allocator')) {
        out.push(el('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'info-select', onclick: () => { setMode('allocate'); usePanel('allocate', (p) => p.toggle(id)); } },
          created.allocate?.selection.has(Number(id)) ? t('info.unselect') : t('info.select')));
        out.push(el('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'info-change-status', onclick: () => { setMode('allocate'); usePanel('allocate', (p) => p.parcelStatus(id)); } }, t('pstatus.open')));
      }
      return out;
    },
  });
  info.onClose = () => {
    focusId = null;
    overlays.focus.getSource().clear();
  };

  // ---- panels ----
  const panel = createPanel({
    togglesEl: $('#layer-toggles'),
    colorByEl: $('#color-by'),
    legendEl: $('#legend-content'),
    layerNames: names,
    layers,
    extra: { parks: [parkLabels], stock: [stock.clusters] },
    overlays,
    state,
    onChange: () => layers.parcels.changed(),
  });
  $('#layer-toggles').addEventListener('change', updateHints);

  // The work modes' panels are loaded (their code is a chunk of its own, build.mjs) and built
  // when first used (their mode is entered, or something asks for one): the map view needs none
  // of them, and parsing their code and building them held up the first map.
  const plansRoot = addPlansMode();
  const panelRoot = (name) => $(`[data-panel="${name}"]`);
  const makePanel = {
    search: () => import('./search.js').then((m) => m.createSearchPanel(panelRoot('search'), app)),
    eligibility: () => import('./eligibility.js').then((m) => m.createEligibilityPanel(panelRoot('eligibility'), app)),
    allocate: () => import('./allocate.js').then((m) => m.createAllocatePanel(panelRoot('allocate'), app)),
    quota: () => import('./quota.js').then((m) => m.createQuotaPanel(panelRoot('quota'), app)),
    plans: () => import('./plans.js').then((m) => m.createPlansPanel(plansRoot, app)),
    stock: () => import('./stockpanel.js').then((m) => m.createStockPanel(panelRoot('stock'), app)),
    reports: () => import('./reports.js').then((m) => m.createReportsPanel(panelRoot('reports'), app)),
  };
  /** The panels built so far, by mode. */
  const created = {};
  const loadPanel = Object.fromEntries(Object.entries(makePanel).map(([name, make]) => [name, loadOnce(() => make().then((p) => (created[name] = p)))]));
  /** The panel of a mode, loaded and built on the first call. */
  const modePanel = (name) => loadPanel[name]();
  /** fn(panel) once the panel of a mode is there; a failed load goes to the error bar. */
  function usePanel(name, fn) {
    return modePanel(name).then(fn).catch((err) => errors.report('', err));
  }
  // Local land-use classes: listed in the layers panel, added by admins; the legend, the search
  // filter and the parcel panel name them once known.
  const classes = createClassesUI(app, $('#local-classes'), $('#classes-dialog'));
  onLocalClasses(() => {
    panel.renderLegend();
    created.search?.render();
    info.render();
  });
  window.__landquota.panels = created;
  window.__landquota.panel = modePanel;

  // ---- printing: the map sheet (print.js, loaded on first use), and a header over a printed panel ----
  const loadPrint = loadOnce(() => import('./print.js').then(({ createPrint }) => (window.__landquota.print = createPrint(app, $('#print-dialog')))));
  $('#print-open').addEventListener('click', () => loadPrint().then((p) => p.open(), (err) => errors.report(t('print.failed'), err)));
  const fillPrintHeader = () => {
    $('#print-header').textContent = `${t('app.title')} · ${t(`mode.${mode}`)} · ${t('print.asOf')} ${dateTime(new Date().toISOString())}`;
  };
  window.addEventListener('beforeprint', fillPrintHeader);

  // ---- modes ----
  function setMode(next, { openPanel = true } = {}) {
    if (!MODES.includes(next)) next = 'layers';
    if (next !== mode) {
      draw.cancel();
      if (created[mode] && created[mode].onModeLeave) created[mode].onModeLeave();
    }
    mode = next;
    if (PHONE.matches) info.close(); // one bottom sheet at a time
    for (const m of MODES) document.body.classList.toggle(`mode-${m}`, m === mode);
    for (const b of $$('#mode-tabs [data-mode]')) {
      b.classList.toggle('active', b.dataset.mode === mode);
      b.setAttribute('aria-selected', String(b.dataset.mode === mode));
      b.tabIndex = b.dataset.mode === mode ? 0 : -1;
    }
    for (const s of $$('#side-panel [data-panel]')) s.hidden = s.dataset.panel !== mode;
    // The legend is open on the map view where it has room (and for a scenario on the map); the tools need the room.
    $('#legend-card details').open = (mode === 'layers' && legendFits()) || (mode === 'quota' && Boolean(state.decisions));
    document.body.dataset.mode = mode;
    if (sidePanel.hidden && openPanel) setPanelOpen(true);
    writeHash();
    if (makePanel[mode]) {
      usePanel(mode, (p) => {
        if (mode === next && p.onModeEnter) p.onModeEnter();
      });
    }
    fillPrintHeader();
    setTimeout(() => map.updateSize(), 0);
  }
  for (const b of $$('#mode-tabs [data-mode]')) b.addEventListener('click', () => setMode(b.dataset.mode));
  // Phones and tablets: the tabs fold into a menu under the top bar.
  const menuBtn = $('#mode-menu');
  function setMenuOpen(open) {
    document.body.classList.toggle('menu-open', open);
    menuBtn.setAttribute('aria-expanded', String(open));
  }
  menuBtn.addEventListener('click', () => {
    const open = !document.body.classList.contains('menu-open');
    setMenuOpen(open);
    if (open) $('#mode-tabs .active')?.focus();
  });
  $('#mode-tabs').addEventListener('click', () => setMenuOpen(false));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && document.body.classList.contains('menu-open')) {
      setMenuOpen(false);
      menuBtn.focus();
    }
  });
  // The tab list as ARIA wants it: one tab in the tab order, arrows (and Home/End) move and select.
  $('#mode-tabs').addEventListener('keydown', (e) => {
    const tabs = $$('#mode-tabs [data-mode]');
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const tab = tabs[(next + tabs.length) % tabs.length];
    setMode(tab.dataset.mode);
    tab.focus();
  });
  // A link pasted or edited in the address bar of the open page: its view, then its mode.
  window.addEventListener('hashchange', () => {
    const { mode: linkMode, view } = parseHash(location.hash);
    if (view) showView(view);
    setMode(linkMode || 'layers');
  });

  // ---- map tools: measuring, identify on the other layers ----
  const measure = createMeasure(map);
  const identify = createIdentify(map, layers);
  window.__landquota.measure = measure;

  // ---- map clicks ----
  map.on('singleclick', (evt) => {
    if (draw.drawing || measure.active) return;
    const hit = map.forEachFeatureAtPixel(evt.pixel, (f) => f, {
      layerFilter: (l) => l === layers.parcels,
      hitTolerance: 2,
    });
    if (hit && hit.get('kind') === 'aggregate') {
      // An aggregate cell is no parcel: say what lies there (park, district, protected lines)
      // and zoom in to where its parcels are drawn one by one (two zooms further where even
      // zoom 14 is too dense for them).
      info.close();
      identify.at(evt.coordinate);
      const z = map.getView().getZoom() ?? 0;
      map.getView().animate({ center: evt.coordinate, zoom: z < PARCEL_DETAIL_ZOOM ? PARCEL_DETAIL_ZOOM : Math.min(z + 2, 17) });
      return;
    }
    if (mode === 'allocate' && created.allocate?.tool === 'click') {
      if (hit) created.allocate.toggle(hit.getId());
      return;
    }
    if (hit) {
      identify.close();
      app.showParcel(hit.getId(), hit.getProperties());
    } else {
      info.close();
      identify.at(evt.coordinate);
    }
  });
  map.on('pointermove', (evt) => {
    if (evt.dragging) return;
    const over = !draw.drawing && map.hasFeatureAtPixel(evt.pixel, { layerFilter: (l) => l === layers.parcels, hitTolerance: 2 });
    map.getTargetElement().style.cursor = over ? 'pointer' : '';
  });
  map.on('moveend', updateHints);

  onLangChange(() => {
    applyTranslations();
    auth.render();
    panel.render();
    info.render();
    for (const p of Object.values(created)) p.render();
    window.__landquota.print?.render();
    classes.render();
    measure.render();
    identify.render();
    layers.districts.changed();
    parkLabels.changed();
    updateHints();
  });
  auth.onChange(() => {
    for (const p of Object.values(created)) p.render();
    classes.render();
    info.render();
  });

  createGoTo(map, gisTools, { onParcel: (f) => app.showParcel(f.getId(), f.getProperties()), onError: (err) => errors.report(t('coords.failed'), err) });
  applyTranslations();
  // A phone opens on the map alone; a link to a mode opens its sheet (ready once it is built).
  setMode(link.mode || 'layers', { openPanel: !PHONE.matches || Boolean(link.mode) });
  // The first view: the link's, or the High-tech Zone and its parks (or the map's bounds without them),
  // fitted once the panel, the legend and the go-to box have their size, and still before the first frame.
  if (link.view) {
    showView(link.view);
  } else {
    const parksExtent = createEmpty();
    for (const f of parks) extendExtent(parksExtent, f.getGeometry().getExtent());
    const bounds = meta && isBounds(meta.bounds) ? meta.bounds : FALLBACK_BOUNDS;
    const firstView = isEmpty(parksExtent) ? transformExtent(bounds, 'EPSG:4326', map.getView().getProjection()) : parksExtent;
    map.getView().fit(firstView, { padding: fitPadding(firstView) });
  }
  writeHash();
  if (makePanel[mode]) await marked('panel', modePanel(mode)).catch(() => {}); // a failure is in the error bar
  // From now on the address follows the map (a link copied at any time opens this view).
  map.on('moveend', writeHash);
  updateHints();
  window.__landquota.ready = true;
  document.body.dataset.ready = 'true';
  performance.mark('landquota:ready');
}

/** The plans mode's tab (after the quota dashboard's) and its empty panel. */
function addPlansMode() {
  const tabs = $('#mode-tabs');
  const after = $('[data-mode="quota"]', tabs);
  const tab = el('button', { type: 'button', role: 'tab', dataset: { mode: 'plans', i18n: 'mode.plans' }, 'data-testid': 'mode-plans' }, t('mode.plans'));
  if (after) after.after(tab);
  else tabs.append(tab);
  const section = el('div', { class: 'mode-panel', dataset: { panel: 'plans' }, 'data-testid': 'panel-plans', hidden: true });
  $('#side-panel').append(section);
  return section;
}

/** Centres the map on a view of the address ({ zoom, lon, lat }). */
function showView({ zoom, lon, lat }) {
  map.getView().setCenter(fromLonLat([lon, lat]));
  map.getView().setZoom(zoom);
}

/** The address of the mode and the view on screen, replaced in place (no history entry per move). */
function writeHash() {
  const view = map.getView();
  const center = view.getCenter();
  const zoom = view.getZoom();
  const [lon, lat] = center ? toLonLat(center) : [];
  const hash = formatHash(document.body.dataset.mode || 'layers', center && zoom !== undefined ? { zoom, lon, lat } : null);
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function isBounds(b) {
  return Array.isArray(b) && b.length === 4 && b.every(Number.isFinite) && b[0] < b[2] && b[1] < b[3];
}

start().catch((err) => errors.report('', err));
