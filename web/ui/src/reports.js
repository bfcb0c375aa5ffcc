// Reports: the yearly statistics (统计核算) per district and park, in both statistical views
// (administrative districts; the High-tech Zone with its cooperation parks), with download
// buttons for the whole report or one table, as .xlsx or CSV.
import { getJSON, query } from './api.js';
import { el, yearInput } from './dom.js';
import { dateTime, fmt, pct } from './format.js';
import { lang, t } from './i18n.js';

// Columns that place a row rather than measure it: shown as the row's label.
const PLACE_COLUMNS = new Set(['section', 'level', 'code', 'name', 'host_district', 'double_counted', 'note']);
// The server writes these values in Chinese (for the Chinese CSV and xlsx); the English UI names them.
const VALUE_EN = {
  按行政区: 'By district (administrative view)',
  高新区口径: 'High-tech Zone view',
  新增建设用地计划指标: 'New construction-land quota',
  城乡建设用地增减挂钩: 'Urban-rural linkage quota',
  耕地占补平衡: 'Farmland balance quota',
};

function valueText(v, kind) {
  if (v === null || v === undefined || v === '') return '';
  switch (kind) {
    case 'number':
      return fmt(v, 2);
    case 'int':
      return fmt(v, 0);
    case 'percent':
      return pct(v, 1);
    case 'bool':
      return v ? t('yes') : t('no');
    default:
      return lang() === 'en' && VALUE_EN[v] ? VALUE_EN[v] : String(v);
  }
}

export function createReportsPanel(root, app) {
  let year = app.year();
  let report = null;
  let error = null;
  let loading = false;
  const closed = new Set(['land_use']);

  // The report's rows carry the Chinese names and notes (its files are Chinese); their English
  // forms are the same units' in /api/stock/summary, keyed by Chinese name and code.
  const unitsEn = new Map();
  function loadUnitNames() {
    getJSON('/api/stock/summary')
      .then((s) => {
        for (const u of s.units || []) unitsEn.set(`${u.name_zh}|${u.code || ''}`, u);
        if (lang() === 'en') render();
      })
      .catch(() => {}); // without them the English view keeps the Chinese names
  }
  const unitEn = (r) => (lang() === 'en' ? unitsEn.get(`${r.name}|${r.code || ''}`) : null);
  const noteText = (zh) => (lang() === 'en' && report ? (report.notes || []).find((n) => n.zh === zh)?.en || zh : zh);

  async function load() {
    if (unitsEn.size === 0) loadUnitNames();
    loading = true;
    error = null;
    render();
    try {
      report = await getJSON(`/api/reports/${year}`);
    } catch (err) {
      report = null;
      error = err;
      app.errors.report(t('reports.failed'), err);
    } finally {
      loading = false;
      render();
    }
  }

  function link(format, table) {
    return `/api/reports/${year}${query({ format, table })}`;
  }

  function downloads(table) {
    return el('span', { class: 'downloads' },
      el('a', { class: `btn ${table ? 'btn-small' : 'btn-primary'}`, href: link('xlsx', table), download: '', 'data-testid': `report-xlsx${table ? `-${table}` : ''}` }, table ? 'xlsx' : t('reports.xlsx')),
      el('a', { class: `btn ${table ? 'btn-small' : ''}`, href: link('csv', table), download: '', 'data-testid': `report-csv${table ? `-${table}` : ''}` }, table ? 'CSV' : t('reports.csv')));
  }

  function tableView(tb) {
    // A class name comes in both languages (class_name, class_name_en): show the reader's.
    const hidden = lang() === 'en' ? 'class_name' : 'class_name_en';
    const measures = tb.columns.filter((c) => !PLACE_COLUMNS.has(c.key) && !(c.key === hidden && tb.columns.some((x) => x.key === 'class_name_en')));
    const colName = (c) => (lang() === 'en' ? c.en : c.zh);
    let section = null;
    const rows = [];
    for (const r of tb.rows || []) {
      if (r.section !== section) {
        section = r.section;
        rows.push(el('tr', { class: 'section-row' }, el('td', { colspan: String(measures.length + 1) }, valueText(section, 'text'))));
      }
      if (r.level === '注') {
        rows.push(el('tr', { class: 'note-row' }, el('td', { colspan: String(measures.length + 1) }, noteText(r.name))));
        continue;
      }
      const cls = r.level === '合计' ? 'total-row' : r.level === '其中' ? 'sub-row' : '';
      const en = unitEn(r);
      const note = en ? en.note_en : r.note;
      rows.push(el('tr', { class: cls },
        el('td', { class: 'place' },
          el('span', {}, en ? en.name_en : r.name), r.code ? el('span', { class: 'code' }, r.code) : null,
          r.double_counted ? el('span', { class: 'badge badge-warn', title: t('reports.doubleHint') }, t('reports.double')) : null,
          note && r.level !== '合计' ? el('div', { class: 'muted small' }, note) : null),
        ...measures.map((c) => el('td', { class: c.kind === 'text' ? '' : 'num' }, valueText(r[c.key], c.kind)))));
    }
    const open = !closed.has(tb.key);
    const title = lang() === 'en' ? tb.title_en : tb.title_zh;
    const details = el('details', { class: 'report-section', open, 'data-testid': `report-table-${tb.key}` },
      // The download buttons sit next to the summary, not in it: a summary is a button itself.
      el('summary', {}, el('span', { class: 'report-title' }, title)),
      el('div', { class: 'report-downloads' }, downloads(tb.key)),
      el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': title },
        el('table', { class: 'grid report' },
          el('thead', {}, el('tr', {}, el('th', {}, t('reports.unit')), ...measures.map((c) => el('th', { class: c.kind === 'text' ? '' : 'num' }, colName(c))))),
          el('tbody', {}, ...rows))));
    details.addEventListener('toggle', () => (details.open ? closed.delete(tb.key) : closed.add(tb.key)));
    return details;
  }

  function render() {
    const yearField = yearInput(year, 'report-year', (y) => {
      year = y;
      app.setYear(y);
      load();
    });
    const parts = [
      el('div', { class: 'reports-header' },
        el('h2', {}, t('reports.title', { year })),
        el('label', { class: 'inline-field' }, el('span', {}, t('quota.year')), yearField),
        report ? el('span', { class: 'muted' }, t('reports.period', { from: report.from, to: report.as_of, at: dateTime(report.generated_at) })) : null,
        downloads()),
    ];
    if (loading && !report) parts.push(el('div', { class: 'empty-state' }, t('loading')));
    else if (error) parts.push(el('div', { class: 'empty-state' }, `${t('reports.failed')}: ${error.message}`));
    else if (report) {
      parts.push(el('ul', { class: 'notes report-notes', 'data-testid': 'report-notes' }, ...(report.notes || []).map((n) => el('li', {}, lang() === 'en' ? n.en : n.zh))));
      parts.push(...(report.tables || []).map(tableView));
    }
    root.replaceChildren(el('div', { class: 'reports-body', 'data-testid': 'reports' }, ...parts));
    root.dataset.loaded = report ? 'true' : 'false';
  }

  render();
  return {
    render,
    onModeEnter() {
      if (!report || year !== app.year()) {
        year = app.year();
        load();
      }
    },
  };
}
