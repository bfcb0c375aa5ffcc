// Planner search: choose a park or district, or draw a polygon; set filters; see the
// matches listed and highlighted on the map; zoom to one; export the result.
import { ApiError, postJSON, query } from './api.js';
import { saveFile, toCSV, toXLSX } from './export.js';
import { el, option } from './dom.js';
import { areaText, fmt } from './format.js';
import { lang, pick, t } from './i18n.js';
import { localClasses, localClassName } from './classes.js';
import { LAND_USE_CLASSES, landUseClassName } from './landuse.js';
import { readFeatures } from './layers.js';
import { getStatuses, statusName } from './statuses.js';
import { statusColor } from './styles.js';

const PAGE = 200;
const EXPORT_MAX = 50000;
// Second-level classes planners ask for most (docs/DOMAIN.md §4).
const FINER_CLASSES = ['0701', '0802', '0901', '0902', '1001', '100101', '100102', '100103', '1101', '1301', '1401', '16'];

/** The request body of POST /api/parcels/search from the form values (exported for tests). */
export function searchBody(f) {
  const where = {};
  if (f.scope === 'polygon' && f.polygon) where.polygon = f.polygon;
  else if (f.area && f.area.startsWith('park:')) where.park = f.area.slice(5);
  else if (f.area && f.area.startsWith('district:')) where.district = f.area.slice(9);
  const what = {};
  if (f.landUse) what.land_use = [f.landUse];
  if (f.statuses && f.statuses.length) what.status = f.statuses;
  const min = f.minArea === '' || f.minArea === undefined ? null : Number(f.minArea);
  const max = f.maxArea === '' || f.maxArea === undefined ? null : Number(f.maxArea);
  if (min !== null || max !== null) {
    what.area = { unit: f.unit === 'hm2' ? 'ha' : f.unit || 'mu' };
    if (min !== null) what.area.min = min;
    if (max !== null) what.area.max = max;
  }
  if (f.eligible === 'true' || f.eligible === 'false') what.eligible = f.eligible === 'true';
  if (f.stock) what.stock = [f.stock];
  return { where, what, order: f.order || 'area_desc', group_by: 'status' };
}

export function createSearchPanel(root, app) {
  let polygon = null; // GeoJSON geometry of the drawn area
  let scope = 'area';
  let result = null; // {features, totals, next, body}
  let activeId = null;
  let running = false;
  const highlight = app.overlays.highlight.getSource();

  const areaSel = el('select', { 'data-testid': 'search-area' });
  const landUseSel = el('select', { 'data-testid': 'search-landuse' });
  const statusBox = el('div', { class: 'checks', 'data-testid': 'search-status' });
  const minArea = el('input', { type: 'number', min: '0', step: 'any', 'data-testid': 'search-min-area' });
  const maxArea = el('input', { type: 'number', min: '0', step: 'any', 'data-testid': 'search-max-area' });
  const unitSel = el('select', { 'data-testid': 'search-unit' });
  const eligibleSel = el('select', { 'data-testid': 'search-eligible' });
  const stockSel = el('select', { 'data-testid': 'search-stock' }); // 批而未供, 闲置 ... as of today
  const orderSel = el('select', { 'data-testid': 'search-order' });
  const scopeArea = el('input', { type: 'radio', name: 'search-scope', value: 'area', checked: true, 'data-testid': 'search-scope-area' });
  const scopePolygon = el('input', { type: 'radio', name: 'search-scope', value: 'polygon', 'data-testid': 'search-scope-polygon' });
  const drawBtn = el('button', { type: 'button', class: 'btn', 'data-testid': 'search-draw', onclick: () => drawPolygon() });
  const submit = el('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'search-submit', onclick: () => runSearch() });
  const resetBtn = el('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'search-reset', onclick: () => reset() });
  const summary = el('div', { class: 'search-summary', 'data-testid': 'search-summary' });
  const list = el('ul', { class: 'result-list', 'data-testid': 'search-results' });
  const more = el('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'search-more', hidden: true, onclick: () => runSearch(true) });
  const exportRow = el('div', { class: 'btn-row', hidden: true, 'data-testid': 'search-export' });
  const noneMsg = el('p', { class: 'muted' });
  const checked = new Set(['available']);

  scopeArea.addEventListener('change', () => setScope('area'));
  scopePolygon.addEventListener('change', () => setScope('polygon'));

  function setScope(s) {
    scope = s;
    areaSel.disabled = s !== 'area';
    drawBtn.disabled = s !== 'polygon';
    if (s === 'polygon' && !polygon) drawPolygon();
  }

  async function drawPolygon() {
    scopePolygon.checked = true;
    scope = 'polygon';
    areaSel.disabled = true;
    drawBtn.disabled = false;
    try {
      const f = await app.draw.draw('polygon');
      polygon = app.toGeoJSONGeometry(f.getGeometry());
      render();
    } catch {
      // cancelled
    }
  }

  function form() {
    return {
      scope,
      polygon,
      area: areaSel.value,
      landUse: landUseSel.value,
      statuses: [...checked],
      minArea: minArea.value,
      maxArea: maxArea.value,
      unit: unitSel.value,
      eligible: eligibleSel.value,
      stock: stockSel.value,
      order: orderSel.value,
    };
  }

  async function runSearch(next = false) {
    if (running) return;
    if (scope === 'polygon' && !polygon) {
      app.errors.show(t('search.drawFirst'));
      return;
    }
    running = true;
    submit.disabled = true;
    try {
      const body = next && result ? { ...result.body, cursor: result.next } : { ...searchBody(form()), limit: PAGE };
      const fc = await postJSON('/api/parcels/search', body);
      if (!fc || !Array.isArray(fc.features)) throw new ApiError(t('error.notGeoJSON'));
      const features = next && result ? [...result.features, ...fc.features] : fc.features;
      result = { features, totals: fc.totals, next: fc.next, body: { ...body, cursor: undefined } };
      highlight.clear();
      highlight.addFeatures(readFeatures(features));
      activeId = null;
      if (!next && features.length) app.zoomToGeoJSON(features, 16);
      renderResults();
    } catch (err) {
      app.errors.report(t('search.failed'), err);
    } finally {
      running = false;
      submit.disabled = false;
    }
  }

  function reset() {
    result = null;
    polygon = null;
    highlight.clear();
    app.draw.clear();
    checked.clear();
    checked.add('available');
    minArea.value = maxArea.value = '';
    for (const sel of [areaSel, landUseSel, eligibleSel, stockSel]) sel.value = '';
    orderSel.value = 'area_desc';
    scopeArea.checked = true;
    setScope('area');
    render();
  }

  function focus(f) {
    activeId = Number(f.id);
    for (const x of highlight.getFeatures()) x.set('active', Number(x.getId()) === activeId);
    for (const li of list.children) li.classList.toggle('active', Number(li.dataset.id) === activeId);
    app.showParcel(f.id, f.properties, { zoom: true });
  }

  function renderResults() {
    noneMsg.hidden = Boolean(result);
    // Matches stand out over faded parcels while a result is shown.
    app.layers.parcels.setOpacity(result && result.features.length ? 0.35 : 1);
    if (!result) {
      summary.replaceChildren();
      list.replaceChildren();
      more.hidden = true;
      exportRow.hidden = true;
      delete root.dataset.count;
      return;
    }
    const tot = result.totals || { count: result.features.length };
    root.dataset.count = String(tot.count);
    summary.replaceChildren(...[
      el('div', { class: 'search-count' },
        el('strong', { 'data-testid': 'search-count' }, String(tot.count)), ` ${t('search.parcels')} · `,
        el('span', { 'data-testid': 'search-total-area' }, areaText(tot.area_m2 || 0, lang()))),
      tot.by_status && tot.by_status.length
        ? el('div', { class: 'chips' }, ...tot.by_status.map((s) => el('span', { class: 'chip chip-status', style: `border-left:3px solid ${statusColor(s.status)}` },
          `${pick(s, 'name') || statusName(s.status)} ${s.count}`)))
        : null,
      tot.count > result.features.length ? el('div', { class: 'hint' }, t('search.shown', { n: result.features.length })) : null,
    ].filter(Boolean));
    list.replaceChildren(...result.features.map((f) => {
      const p = f.properties || {};
      return el('li', { class: `result-row${Number(f.id) === activeId ? ' active' : ''}`, 'data-testid': 'search-row', dataset: { id: String(f.id) } },
        el('span', { class: 'status-dot', style: `background:${statusColor(p.status)}` }),
        el('button', { type: 'button', class: 'link', onclick: () => focus(f) }, p.code || f.id),
        el('span', { class: 'muted', title: `${p.land_use} ${p.land_use_zh || ''}` }, `${p.land_use || ''} ${lang() === 'en' ? landUseClassName(p.land_use) : p.land_use_zh || ''}`),
        p.available ? el('span', { class: 'tag tag-stock' }, t('search.free')) : null,
        el('span', { class: 'num' }, `${fmt(p.area_mu)} ${t('unit.muShort')}`));
    }));
    more.hidden = !result.next;
    more.textContent = t('search.more');
    exportRow.hidden = tot.count === 0;
  }

  // ---- export: the server's layer export when the search can be said in its filters,
  // else the matches written here; either way the file holds exactly the matches ----
  async function exportAs(format) {
    exportRow.dataset.state = 'busy';
    try {
      if (!(await exportServer(format))) {
        const all = await allMatches();
        const name = `parcels-search-${new Date().toISOString().slice(0, 10)}`;
        if (format === 'geojson') {
          saveFile(`${name}.geojson`, 'application/geo+json', JSON.stringify({ type: 'FeatureCollection', features: all }));
        } else {
          const { header, rows } = table(all);
          if (format === 'csv') saveFile(`${name}.csv`, 'text/csv;charset=utf-8', toCSV(header, rows));
          else saveFile(`${name}.xlsx`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', toXLSX(t('search.sheet'), header, rows));
        }
      }
      exportRow.dataset.state = 'done';
    } catch (err) {
      exportRow.dataset.state = 'failed';
      app.errors.report(t('search.exportFailed'), err);
    }
  }

  async function allMatches() {
    let body = { ...result.body, limit: 5000 };
    const out = [];
    for (;;) {
      const fc = await postJSON('/api/parcels/search', body);
      out.push(...fc.features);
      if (!fc.next || out.length >= EXPORT_MAX) break;
      body = { ...body, cursor: fc.next };
    }
    return out;
  }

  /**
   * GET /api/exports/parcels with the search's filters, when they say the same thing (no
   * drawn polygon, no "available", which also looks at projects). False when it cannot.
   */
  async function exportServer(format) {
    const b = result.body;
    const statuses = b.what.status || [];
    if (b.where.polygon || statuses.includes('available') || b.what.stock) return false;
    const params = {
      format,
      park: b.where.park,
      district: b.where.district,
      land_use: b.what.land_use,
      status: statuses,
      eligible: b.what.eligible,
    };
    if (b.what.area) Object.assign(params, { min_area: b.what.area.min, max_area: b.what.area.max, unit: b.what.area.unit });
    const url = `/api/exports/parcels${query(params)}`;
    let res;
    try {
      res = await fetch(url, { credentials: 'same-origin', headers: { 'Accept-Language': lang() } });
    } catch {
      return false;
    }
    if (res.status === 404) return false; // this server has no exports: write the file here
    if (!res.ok) {
      let message = `${res.status} ${res.statusText}`;
      try {
        const body = await res.json();
        if (body.error && body.error.message) message = body.error.message;
      } catch {
        // keep the status line
      }
      throw new ApiError(message, { status: res.status, url });
    }
    const disposition = res.headers.get('Content-Disposition') || '';
    const m = /filename="([^"]+)"/.exec(disposition);
    saveFile(m ? m[1] : `parcels.${format}`, res.headers.get('Content-Type') || 'application/octet-stream', await res.blob());
    return true;
  }

  /** The matches as a table: header and rows, numbers as numbers. */
  function table(features) {
    const header = [t('search.col.id'), t('info.code'), t('info.district'), t('info.park'), t('info.landUse'), t('search.col.landUseName'),
      t('info.status'), t('info.areaM2'), t('info.areaHm2'), t('info.areaMu'), t('info.constructionLand'), t('search.free')];
    const yn = (v) => (v === true ? t('yes') : v === false ? t('no') : '');
    const rows = features.map((f) => {
      const p = f.properties || {};
      return [Number(f.id), p.code, app.districtName(p.district), p.park ? app.parkName(p.park) : '', p.land_use, p.land_use_zh,
        statusName(p.status), p.area_m2, p.area_hm2, p.area_mu, yn(p.construction_land), yn(p.available)];
    });
    return { header, rows };
  }

  // ---- render ----
  function render() {
    const parks = app.layers.parks.getSource().getFeatures().map((f) => f.getProperties()).sort((a, b) => String(a.code).localeCompare(String(b.code)));
    const districts = app.layers.districts.getSource().getFeatures().map((f) => f.getProperties()).sort((a, b) => String(a.adcode).localeCompare(String(b.adcode)));
    const keep = areaSel.value;
    areaSel.replaceChildren(
      option('', t('search.allAreas')),
      el('optgroup', { label: t('layer.parks') }, ...parks.map((p) => option(`park:${p.code}`, pick(p, 'name')))),
      el('optgroup', { label: t('layer.districts') }, ...districts.map((d) => option(`district:${d.adcode}`, pick(d, 'name')))),
    );
    areaSel.value = keep;
    const keepUse = landUseSel.value;
    landUseSel.replaceChildren(
      option('', t('search.allUses')),
      el('optgroup', { label: t('search.firstLevel') }, ...LAND_USE_CLASSES.map((c) => option(c.code, `${c.code} ${landUseClassName(c.code)}`))),
      el('optgroup', { label: t('search.finer') }, ...FINER_CLASSES.map((c) => option(c, `${c} ${t(`landuse.${c}`)}`))),
      localClasses().length ? el('optgroup', { label: t('cls.title') }, ...localClasses().map((c) => option(c.code, `${c.code} ${localClassName(c.code)}`))) : '',
    );
    landUseSel.value = keepUse;
    statusBox.replaceChildren(...[{ code: 'available' }, ...getStatuses()].map(({ code }) => {
      const box = el('input', { type: 'checkbox', checked: checked.has(code), 'data-testid': `search-status-${code}` });
      box.addEventListener('change', () => (box.checked ? checked.add(code) : checked.delete(code)));
      return el('label', { title: code === 'available' ? t('search.availableHint') : '' }, box, code === 'available' ? el('strong', {}, t('search.available')) : statusName(code));
    }));
    const keepUnit = unitSel.value || 'mu';
    unitSel.replaceChildren(option('mu', t('unit.mu')), option('hm2', t('unit.hm2')), option('m2', t('unit.m2')));
    unitSel.value = keepUnit;
    minArea.setAttribute('aria-label', t('search.minArea'));
    maxArea.setAttribute('aria-label', t('search.maxArea'));
    unitSel.setAttribute('aria-label', t('search.unit'));
    const keepElig = eligibleSel.value;
    eligibleSel.replaceChildren(option('', t('search.any')), option('true', t('search.eligibleYes')), option('false', t('search.eligibleNo')));
    eligibleSel.value = keepElig;
    const keepStock = stockSel.value;
    stockSel.replaceChildren(option('', t('search.any')), ...['unsupplied', 'idle', 'idle_exempt', 'fee_due', 'recovery_due', 'facts_missing']
      .map((k) => option(k, t(`search.stock.${k}`))));
    stockSel.value = keepStock;
    const keepOrder = orderSel.value || 'area_desc';
    orderSel.replaceChildren(option('area_desc', t('search.order.area_desc')), option('area_asc', t('search.order.area_asc')), option('id', t('search.order.id')));
    orderSel.value = keepOrder;
    noneMsg.textContent = t('search.none');
    drawBtn.textContent = polygon ? t('search.redraw') : t('search.draw');
    submit.textContent = t('search.submit');
    resetBtn.textContent = t('search.reset');
    exportRow.replaceChildren(
      el('span', { class: 'muted' }, t('search.export')),
      ...['geojson', 'csv', 'xlsx'].map((fmtName) => el('button', { type: 'button', class: 'btn btn-small', 'data-testid': `search-export-${fmtName}`, onclick: () => exportAs(fmtName) }, t(`search.format.${fmtName}`))),
    );
    root.replaceChildren(
      el('section', { class: 'panel-section' },
        el('h2', {}, t('search.where')),
        el('div', { class: 'radio-row' },
          el('label', {}, scopeArea, ' ', t('search.byArea')),
          el('label', {}, scopePolygon, ' ', t('search.byPolygon'))),
        el('div', { class: 'form-grid' },
          el('label', { class: 'field span-all' }, el('span', {}, t('search.area')), areaSel),
          el('div', { class: 'field span-all' }, el('span', {}, t('search.polygon')),
            el('div', { class: 'btn-row tight' }, drawBtn,
              polygon ? el('span', { class: 'ok-text', 'data-testid': 'search-polygon-set' }, t('search.polygonSet')) : el('span', { class: 'muted' }, t('search.polygonNone')))))),
      el('section', { class: 'panel-section' },
        el('h2', {}, t('search.what')),
        el('div', { class: 'form-grid' },
          el('label', { class: 'field span-all' }, el('span', {}, t('search.landUse')), landUseSel),
          el('div', { class: 'field span-all' }, el('span', {}, t('search.status')), statusBox),
          el('div', { class: 'field span-all' }, el('span', {}, t('search.areaRange')),
            el('div', { class: 'range' }, minArea, el('span', {}, '–'), maxArea, unitSel)),
          el('label', { class: 'field' }, el('span', {}, t('search.eligible')), eligibleSel),
          el('label', { class: 'field' }, el('span', {}, t('search.stock')), stockSel),
          el('label', { class: 'field' }, el('span', {}, t('search.orderBy')), orderSel)),
        el('div', { class: 'btn-row' }, submit, resetBtn)),
      el('section', { class: 'panel-section' },
        el('h2', {}, t('search.results')),
        noneMsg,
        summary, list, el('div', { class: 'btn-row' }, more), exportRow),
    );
    areaSel.disabled = scope !== 'area';
    drawBtn.disabled = false;
    renderResults();
  }

  // District and park names arrive with their layers.
  for (const l of [app.layers.parks, app.layers.districts]) l.getSource().on('featuresloadend', () => render());
  render();

  return {
    render,
    onModeEnter() {
      app.overlays.highlight.setVisible(true);
      if (!areaSel.options.length || areaSel.options.length < 2) render();
      else renderResults();
    },
    onModeLeave() {
      app.layers.parcels.setOpacity(1);
      app.overlays.highlight.setVisible(false);
    },
    get result() {
      return result;
    },
  };
}
