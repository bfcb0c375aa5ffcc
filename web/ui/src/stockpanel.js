// The stock-land workbench (存量用地工作台): the summary per district and park from
// GET /api/stock/summary, and the lists of idle land (闲置) and of land approved but not
// supplied (批而未供) from GET /api/stock, sortable, filterable and exportable; a row's code
// zooms the map to its parcel. Every figure is the API's.
import { getAllFeatures, getJSON, query } from './api.js';
import { el } from './dom.js';
import { saveFile, toCSV, toXLSX } from './export.js';
import { fmt, pct } from './format.js';
import { lang, pick, t } from './i18n.js';
import { PARK_SHORT_NAMES } from './styles.js';

const LIST_LIMIT = 5000; // parcels per list; the summary counts them all
const SHOWN = 300; // rows drawn at once; export takes every filtered row

/** Short names of the parks, as officials call them (the full name is the cell's tooltip). */
const SHORT = { ...PARK_SHORT_NAMES, HTZ: { zh: '高新区', en: 'High-tech Zone' } };
function shortName(code) {
  const s = SHORT[code];
  return s ? s[lang()] || s.zh : null;
}

/**
 * A summary row's unit: a park by its short name with the full name as tooltip ("of which
 * Hangzhou National High-tech Zone (Binjiang)" took five lines and pushed the figures out of
 * a 760 px panel at 1280×720); districts and totals as the API names them.
 */
function unitCell(u) {
  const full = pick(u, 'name');
  const short = shortName(u.code);
  if (!short) return el('td', { class: 'unit' }, full);
  const text = u.level === 'of_which' ? t('stockp.sum.ofWhich', { name: short }) : short;
  return el('td', { class: 'unit nowrap' }, el('abbr', { title: full }, text));
}

/** Columns of a list: key, label key, kind ('text' | 'num' | 'date' | 'bool'), value(props). */
function columns(kind, app) {
  const place = (p) => (p.park ? app.parkName(p.park) : app.districtName(p.district));
  const common = [
    { key: 'code', label: 'stockp.col.code', kind: 'text', value: (p) => p.code },
    { key: 'place', label: 'stockp.col.place', kind: 'text', value: place },
    { key: 'area_mu', label: 'stockp.col.areaMu', kind: 'num', value: (p) => p.area_mu },
  ];
  if (kind === 'idle') {
    return [...common,
      { key: 'agreed_start_on', label: 'stockp.col.agreedStart', kind: 'date', value: (p) => p.agreed_start_on },
      { key: 'idle_from', label: 'stockp.col.idleFrom', kind: 'date', value: (p) => p.idle_from },
      { key: 'idle_years', label: 'stockp.col.idleYears', kind: 'num', value: (p) => p.idle_years },
      { key: 'fee_wan', label: 'stockp.col.feeWan', kind: 'num', value: (p) => p.fee_wan },
      { key: 'recovery_due', label: 'stockp.col.recoveryDue', kind: 'bool', value: (p) => Boolean(p.recovery_due) }];
  }
  return [...common,
    { key: 'approved_on', label: 'stockp.col.approvedOn', kind: 'date', value: (p) => p.approved_on },
    { key: 'unsupplied_years', label: 'stockp.col.unsuppliedYears', kind: 'num', value: (p) => p.unsupplied_years ?? 0 }];
}

/** Sorts rows (features) by a column, blanks last whatever the direction. */
export function sortRows(rows, col, dir) {
  return [...rows].sort((a, b) => {
    const x = col.value(a.properties);
    const y = col.value(b.properties);
    const bx = x === null || x === undefined || x === '';
    const by = y === null || y === undefined || y === '';
    if (bx || by) return bx === by ? 0 : bx ? 1 : -1;
    if (col.kind === 'num' || col.kind === 'bool') return (Number(x) - Number(y)) * dir;
    return String(x).localeCompare(String(y), 'zh-CN') * dir;
  });
}

export function createStockPanel(panelEl, app) {
  let summary = null;
  let summaryError = '';
  const lists = { idle: null, unsupplied: null };
  const truncated = { idle: false, unsupplied: false };
  let tab = 'idle';
  const sort = { idle: { key: 'idle_years', dir: -1 }, unsupplied: { key: 'unsupplied_years', dir: -1 } };
  const filter = { text: '', place: '', minYears: '' };
  let loading = null;

  function cellText(col, v) {
    if (v === null || v === undefined || v === '') return '';
    if (col.kind === 'bool') return v ? t('yes') : t('no');
    if (col.key === 'area_mu' || col.key === 'fee_wan') return fmt(v, 2);
    if (col.kind === 'num') return fmt(v, 0);
    return String(v);
  }

  function filtered(kind) {
    const cols = columns(kind, app);
    const yearsKey = kind === 'idle' ? 'idle_years' : 'unsupplied_years';
    const text = filter.text.trim().toLowerCase();
    const rows = (lists[kind] || []).filter((f) => {
      const p = f.properties;
      if (text && !String(p.code ?? '').toLowerCase().includes(text)) return false;
      if (filter.place && p.park !== filter.place && p.district !== filter.place) return false;
      if (filter.minYears !== '' && Number(p[yearsKey] ?? 0) < Number(filter.minYears)) return false;
      return true;
    });
    const col = cols.find((c) => c.key === sort[kind].key) || cols[0];
    return { cols, rows: sortRows(rows, col, sort[kind].dir) };
  }

  function exportRows(kind, format) {
    const { cols, rows } = filtered(kind);
    const header = cols.map((c) => t(c.label));
    const body = rows.map((f) => cols.map((c) => {
      const v = c.value(f.properties);
      if (c.kind === 'bool') return v ? t('yes') : t('no');
      return c.kind === 'num' && v !== null && v !== undefined && v !== '' ? Number(v) : v ?? '';
    }));
    const name = `${t(`stockp.tab.${kind}`)}-${summary?.as_of || ''}`;
    if (format === 'csv') saveFile(`${name}.csv`, 'text/csv;charset=utf-8', toCSV(header, body));
    else saveFile(`${name}.xlsx`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', toXLSX(t(`stockp.tab.${kind}`), header, body));
  }

  function summaryTable() {
    if (summaryError) return el('p', { class: 'result-msg bad' }, summaryError);
    if (!summary) return el('p', { class: 'muted' }, t('loading'));
    const area = (ca) => `${fmt(ca.count, 0)} · ${fmt(ca.area_mu, 2)}`;
    const head = ['stockp.sum.unit', 'stockp.sum.unsupplied', 'stockp.sum.idle', 'stockp.sum.determined', 'stockp.sum.recovery', 'stockp.sum.fee', 'stockp.sum.rate'];
    return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('stockp.summary') },
      el('table', { class: 'grid stock-summary', 'data-testid': 'stock-summary' },
        el('thead', {}, el('tr', {}, ...head.map((k, i) => el('th', { class: i ? 'num' : '' }, t(k))))),
        el('tbody', {}, ...summary.units.map((u) => el('tr', { class: u.level === 'total' ? 'total-row' : u.level === 'of_which' ? 'sub-row' : '', 'data-unit': u.code || '' },
          unitCell(u),
          el('td', { class: 'num' }, area(u.unsupplied)),
          el('td', { class: 'num' }, area(u.idle)),
          el('td', { class: 'num', 'data-col': 'determined' }, area(u.idle_determined)),
          el('td', { class: 'num' }, fmt(u.recovery_due.count, 0)),
          el('td', { class: 'num' }, fmt(u.fee_wan, 2)),
          el('td', { class: `num${u.supply_rate.below_floor ? ' bad' : ''}` }, u.supply_rate.rate === null ? '—' : pct(u.supply_rate.rate)))))));
  }

  function listView() {
    const kind = tab;
    if (!lists[kind]) return el('p', { class: 'muted' }, t('loading'));
    const { cols, rows } = filtered(kind);
    const places = new Map();
    for (const f of lists[kind]) {
      const p = f.properties;
      if (p.park) places.set(p.park, app.parkName(p.park));
      else if (p.district) places.set(p.district, app.districtName(p.district));
    }
    const text = el('input', { type: 'search', value: filter.text, 'data-testid': 'stock-filter-text', 'aria-label': t('stockp.filter.code'), placeholder: t('stockp.filter.code') });
    text.addEventListener('input', () => {
      filter.text = text.value;
      renderList();
    });
    const place = el('select', { 'data-testid': 'stock-filter-place', 'aria-label': t('stockp.filter.place') },
      el('option', { value: '' }, t('stockp.filter.allPlaces')),
      ...[...places].map(([code, name]) => el('option', { value: code, selected: filter.place === code }, name)));
    place.addEventListener('change', () => {
      filter.place = place.value;
      renderList();
    });
    const years = el('input', { type: 'number', min: '0', step: '1', value: filter.minYears, class: 'year-input', 'data-testid': 'stock-filter-years', 'aria-label': t('stockp.filter.minYears') });
    years.addEventListener('input', () => {
      filter.minYears = years.value;
      renderList();
    });
    const th = (c) => {
      const active = sort[kind].key === c.key;
      return el('th', { class: c.kind === 'num' ? 'num' : '', 'aria-sort': active ? (sort[kind].dir > 0 ? 'ascending' : 'descending') : 'none' },
        el('button', { type: 'button', class: 'sort-btn', 'data-testid': `stock-sort-${c.key}`, onclick: () => {
          sort[kind] = { key: c.key, dir: active ? -sort[kind].dir : c.kind === 'num' || c.kind === 'bool' ? -1 : 1 };
          renderList();
        } }, t(c.label), active ? (sort[kind].dir > 0 ? ' ▲' : ' ▼') : ''));
    };
    // A park by its short name on screen (the full name as tooltip, and in the exports).
    const cell = (c, p) => {
      const text = cellText(c, c.value(p));
      return c.key === 'place' && shortName(p.park) ? el('abbr', { title: text }, shortName(p.park)) : text;
    };
    const body = rows.slice(0, SHOWN).map((f) => el('tr', { 'data-id': String(f.id) },
      ...cols.map((c, i) => el('td', { class: c.kind === 'num' ? 'num' : '' }, i === 0
        ? el('button', { type: 'button', class: 'link-btn', 'data-testid': 'stock-row-zoom', title: t('stockp.zoomTo'),
          onclick: () => app.showParcel(f.id, f.properties, { zoom: true }) }, cell(c, f.properties))
        : cell(c, f.properties)))));
    return el('div', { class: 'stock-list', 'data-testid': `stock-list-${kind}` },
      el('div', { class: 'filter-row' },
        el('label', { class: 'inline-field' }, text),
        el('label', { class: 'inline-field' }, place),
        el('label', { class: 'inline-field' }, el('span', {}, t('stockp.filter.minYears')), years)),
      el('p', { class: 'muted small', 'data-testid': 'stock-count' },
        t('stockp.count', { n: fmt(rows.length, 0), total: fmt(lists[kind].length, 0) }),
        rows.length > SHOWN ? ` ${t('stockp.firstRows', { n: SHOWN })}` : '',
        truncated[kind] ? ` ${t('stockp.truncated', { n: fmt(LIST_LIMIT, 0) })}` : ''),
      el('div', { class: 'btn-row' },
        el('button', { type: 'button', class: 'btn btn-small', 'data-testid': `stock-export-xlsx`, onclick: () => exportRows(kind, 'xlsx') }, 'xlsx'),
        el('button', { type: 'button', class: 'btn btn-small', 'data-testid': `stock-export-csv`, onclick: () => exportRows(kind, 'csv') }, 'CSV')),
      el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t(`stockp.tab.${kind}`) },
        el('table', { class: 'grid' }, el('thead', {}, el('tr', {}, ...cols.map(th))), el('tbody', {}, ...body))));
  }

  let listHost = null;
  function renderList() {
    if (!listHost) return;
    const focused = document.activeElement?.dataset?.testid;
    listHost.replaceChildren(listView());
    if (focused) listHost.querySelector(`[data-testid="${focused}"]`)?.focus();
  }

  function render() {
    const tabs = el('div', { class: 'seg-group', role: 'group', 'aria-label': t('stockp.lists') },
      ...['idle', 'unsupplied'].map((k) => el('button', {
        type: 'button', class: `seg${tab === k ? ' active' : ''}`, 'aria-pressed': String(tab === k), 'data-testid': `stock-tab-${k}`,
        onclick: () => {
          tab = k;
          render();
        },
      }, t(`stockp.tab.${k}`))));
    listHost = el('div', {});
    panelEl.replaceChildren(
      el('section', { class: 'panel-section' },
        el('h2', {}, t('stockp.summary'), summary ? el('span', { class: 'muted small' }, ` · ${t('stockp.asOf', { date: summary.as_of })}`) : ''),
        el('p', { class: 'hint' }, t('stockp.summaryHint')),
        summaryTable()),
      el('section', { class: 'panel-section' }, el('h2', {}, t('stockp.lists')), tabs, listHost));
    renderList();
  }

  async function load() {
    if (loading) return loading;
    loading = (async () => {
      const list = (kind) => getAllFeatures(`/api/stock${query({ kind, limit: 1000, precision: 6 })}`, { maxFeatures: LIST_LIMIT })
        .then((r) => {
          lists[kind] = r.features;
          truncated[kind] = r.truncated;
        });
      const results = await Promise.allSettled([
        getJSON('/api/stock/summary').then((s) => {
          summary = s;
        }),
        list('idle'),
        list('unsupplied'),
      ]);
      for (const r of results) {
        if (r.status === 'rejected') {
          summaryError = r.reason.message;
          app.errors.report(t('stockp.failed'), r.reason);
        }
      }
      render();
    })().finally(() => {
      loading = null;
    });
    return loading;
  }

  // Park and district names come from their layers, which may load after the lists.
  for (const l of [app.layers.districts, app.layers.parks]) l.getSource().on('featuresloadend', () => renderList());
  app.data.onRefresh(() => {
    if (app.mode() === 'stock') load();
    else summary = null; // read again when the workbench opens
  });

  render();
  return {
    render,
    onModeEnter() {
      // The lists are about the map: show the stock layer while working here.
      const toggle = document.querySelector('#layer-toggle-stock');
      if (toggle && !toggle.checked) toggle.click();
      if (!summary) load();
    },
    load,
  };
}
