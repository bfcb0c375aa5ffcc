// Quota dashboard of a year: the account tree with issued / allocated / consumed / remaining
// bars, booking ledger entries, the ledger history, running the allocation engine (policy
// version, method) with visible progress, scenarios in a table with each explanation and on
// the map, comparing two scenarios side by side, and approving one after a confirmation.
// Every figure is the server's (one meaning each: 剩余 is subtree.remaining everywhere); every
// quota move is confirmed with its accounts' balances before and after (confirm.js); the
// account tree, the ledger and the scenario tables download as xlsx made by the server.
import { getJSON, postJSON } from './api.js';
import { accountLabel, confirmMove, hmMu } from './confirm.js';
import { el, newKey, option, yearInput } from './dom.js';
import { dateTime, fmt, fromM2, inLang, pct, toM2 } from './format.js';
import { lang, pick, t } from './i18n.js';
import { OUTCOME_COLORS, OUTCOMES } from './styles.js';

const PROVINCE_KINDS = ['issue', 'reward', 'withdraw'];
const BOOK_KINDS = ['allocate', 'release', 'reserve', 'transfer', 'consume', ...PROVINCE_KINDS];
// Entries that are themselves corrections or year-end moves get no reversal button, nor does the
// consumption of a parcel's approval (withdrawing the approval reverses it).
const UNREVERSIBLE = ['reversal', 'carry_over', 'carry_in', 'lapse'];
const reversible = (e) => !UNREVERSIBLE.includes(e.kind) && !(e.kind === 'consume' && e.parcel_id);

export function createQuotaPanel(root, app) {
  let year = app.year();
  let unit = 'hm2';
  let tab = 'accounts';
  let plan = null; // {plan, accounts}
  let planError = null;
  let scenarios = [];
  let policy = null;
  let current = null; // the scenario shown
  let compare = null;
  let outcomeFilter = '';
  let ledger = { entries: [], next: null, account: '' };
  const expanded = new Set(); // account ids whose project children are shown
  let running = false;

  const body = el('div', { class: 'quota-body' });

  // ------------------------------------------------------------------ helpers
  const amt = (m2) => fmt(fromM2(Number(m2) || 0, unit), unit === 'm2' ? 2 : 2);
  const unitLabel = () => t(`unit.${unit}`);
  const accountsById = () => new Map((plan?.accounts || []).map((a) => [a.id, a]));
  const accountsByCode = () => new Map((plan?.accounts || []).map((a) => [a.code, a]));
  const accountName = (code) => {
    if (!code) return t('quota.outside');
    const a = accountsByCode().get(code);
    return a ? pick(a, 'name') : code;
  };

  async function load() {
    planError = null;
    try {
      plan = await app.data.plan(year);
    } catch (err) {
      plan = null;
      planError = err;
      if (err.status !== 404) app.errors.report(t('quota.loadFailed'), err);
    }
    try {
      const [s, p] = await Promise.all([
        getJSON(`/api/plans/${year}/scenarios`),
        getJSON(`/api/policies/${year}`),
      ]);
      scenarios = (s.scenarios || []).sort((x, y) => x.id - y.id);
      policy = p;
    } catch (err) {
      scenarios = [];
      policy = null;
      if (err.status !== 404) app.errors.report(t('quota.loadFailed'), err);
    }
    render();
  }

  async function loadLedger(more = false) {
    try {
      const url = more && ledger.next ? ledger.next : `/api/plans/${year}/ledger?limit=200${ledger.account ? `&account=${encodeURIComponent(ledger.account)}` : ''}`;
      const res = await getJSON(url);
      ledger.entries = more ? [...ledger.entries, ...(res.entries || [])] : res.entries || [];
      ledger.next = res.next || null;
    } catch (err) {
      ledger.entries = more ? ledger.entries : [];
      ledger.next = null;
      if (err.status !== 404) app.errors.report(t('quota.ledgerFailed'), err);
    }
    if (tab === 'ledger') render();
  }

  // ------------------------------------------------------------------ header
  function header() {
    const yearField = yearInput(year, 'quota-year', (y) => {
      year = y;
      app.setYear(y);
      current = null;
      compare = null;
      ledger = { entries: [], next: null, account: '' };
      load();
      loadLedger();
    });
    const unitSel = el('select', { 'data-testid': 'quota-unit', onchange: (e) => { unit = e.target.value; render(); } },
      option('hm2', t('unit.hm2'), unit === 'hm2'), option('mu', t('unit.mu'), unit === 'mu'), option('m2', t('unit.m2'), unit === 'm2'));
    const tabs = ['accounts', 'scenarios', 'ledger'].map((k) =>
      el('button', { type: 'button', class: `subtab${tab === k ? ' active' : ''}`, 'data-testid': `quota-tab-${k}`, 'aria-selected': String(tab === k), role: 'tab',
        onclick: () => { tab = k; if (k === 'ledger' && ledger.entries.length === 0) loadLedger(); render(); } }, t(`quota.tab.${k}`)));
    return el('div', { class: 'quota-header' },
      el('div', { class: 'quota-controls' },
        el('label', { class: 'inline-field' }, el('span', {}, t('quota.year')), yearField),
        el('label', { class: 'inline-field' }, el('span', {}, t('quota.unit')), unitSel),
        el('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'quota-refresh', onclick: () => { app.data.refresh(['plans']); if (tab === 'ledger') loadLedger(); } }, t('quota.refresh'))),
      el('div', { class: 'subtabs', role: 'tablist' }, ...tabs));
  }

  // ------------------------------------------------------------------ accounts tab
  function summary() {
    const accounts = plan.accounts || [];
    const city = accounts.find((a) => a.kind === 'city') || accounts.find((a) => !a.parent_id);
    const sub = city?.subtree || {};
    const card = (key, v, testid, cls = '') => el('div', { class: `stat ${cls}`, 'data-testid': testid, dataset: { m2: String(v ?? '') } },
      el('div', { class: 'stat-label' }, t(key)), el('div', { class: 'stat-value' }, v === undefined ? '—' : amt(v), el('small', {}, ` ${unitLabel()}`)));
    return el('div', { class: 'stats' },
      card('quota.issued', sub.issued_m2, 'stat-issued'),
      card('quota.allocatedProjects', sub.allocated_m2, 'stat-allocated', 'stat-blue'),
      card('quota.consumed', sub.consumed_m2, 'stat-consumed', 'stat-grey'),
      card('quota.remaining', sub.remaining_m2, 'stat-remaining', 'stat-green'));
  }

  function bar(a) {
    const total = Math.max(a.received_m2, 1e-9);
    const parts = [
      ['down', a.passed_down_m2],
      ['consumed', a.consumed_m2],
      ['returned', a.returned_up_m2 + (a.withdrawn_m2 || 0)],
      ['held', Math.max(0, a.held_m2)],
    ];
    return el('div', { class: 'bar', title: `${t('quota.col.received')} ${amt(a.received_m2)} · ${t('quota.col.down')} ${amt(a.passed_down_m2)} · ${t('quota.col.consumed')} ${amt(a.consumed_m2)} · ${t('quota.col.held')} ${amt(a.held_m2)} ${unitLabel()}` },
      ...parts.filter(([, v]) => v > 0).map(([k, v]) => el('span', { class: `bar-${k}`, style: `width:${Math.min(100, (100 * v) / total)}%` })));
  }

  function accountTree() {
    const accounts = plan.accounts || [];
    const children = new Map();
    for (const a of accounts) {
      const k = a.parent_id || 0;
      if (!children.has(k)) children.set(k, []);
      children.get(k).push(a);
    }
    const order = { city: 0, reserve: 1, district: 2, park: 3, project: 4 };
    for (const list of children.values()) list.sort((x, y) => order[x.kind] - order[y.kind] || x.code.localeCompare(y.code, 'en', { numeric: true }));
    const rows = [];
    const walk = (parent, depth) => {
      const kids = children.get(parent) || [];
      const projects = kids.filter((a) => a.kind === 'project');
      const others = kids.filter((a) => a.kind !== 'project');
      for (const a of others) {
        rows.push(accountRow(a, depth, (children.get(a.id) || []).filter((c) => c.kind === 'project').length));
        walk(a.id, depth + 1);
      }
      if (projects.length && expanded.has(parent)) for (const a of projects) rows.push(accountRow(a, depth, 0));
    };
    walk(0, 0);
    return el('table', { class: 'grid tree', 'data-testid': 'account-tree' },
      el('thead', {}, el('tr', {},
        el('th', {}, t('quota.col.account')),
        el('th', {}, t('quota.col.projects')),
        el('th', { class: 'num' }, t('quota.col.received')),
        el('th', { class: 'num' }, t('quota.col.down')),
        el('th', { class: 'num' }, t('quota.col.consumed')),
        el('th', { class: 'num' }, t('quota.col.held')),
        el('th', { class: 'num' }, t('quota.col.remaining')),
        el('th', { class: 'bar-col' }, el('span', { class: 'bar-legend' },
          el('i', { class: 'bar-down' }), t('quota.col.down'), el('i', { class: 'bar-consumed' }), t('quota.col.consumed'),
          el('i', { class: 'bar-held' }), t('quota.col.held'))))),
      el('tbody', {}, ...rows));
  }

  function accountRow(a, depth, projectCount) {
    const toggle = projectCount
      ? el('button', { type: 'button', class: 'tree-toggle', 'data-testid': `expand-${a.code}`, 'aria-expanded': String(expanded.has(a.id)),
        onclick: () => { if (expanded.has(a.id)) expanded.delete(a.id); else expanded.add(a.id); render(); } },
        `${expanded.has(a.id) ? '▾' : '▸'} ${projectCount}`)
      : null;
    return el('tr', { class: `acct acct-${a.kind}`, 'data-testid': `account-${a.code}`, dataset: { code: a.code } },
      el('td', { style: `padding-left:${8 + depth * 16}px` },
        el('button', { type: 'button', class: 'link', title: t('quota.showLedger'), onclick: () => { ledger.account = a.code; tab = 'ledger'; loadLedger(); render(); } }, pick(a, 'name')),
        el('span', { class: 'code' }, a.code), el('span', { class: `kind-badge kind-${a.kind}` }, t(`account.${a.kind}`))),
      el('td', { class: 'nowrap' }, toggle),
      el('td', { class: 'num' }, amt(a.received_m2)),
      el('td', { class: 'num' }, amt(a.passed_down_m2)),
      el('td', { class: 'num' }, amt(a.subtree ? a.subtree.consumed_m2 : a.consumed_m2)),
      el('td', { class: 'num strong', 'data-testid': `account-held-${a.code}`, dataset: { m2: String(a.held_m2) } }, amt(a.held_m2)),
      el('td', { class: 'num', 'data-testid': `account-remaining-${a.code}`, dataset: { m2: String(a.subtree?.remaining_m2 ?? '') } }, a.subtree ? amt(a.subtree.remaining_m2) : '—'),
      el('td', { class: 'bar-col' }, bar(a)));
  }

  function bookingForm() {
    const accounts = plan.accounts || [];
    const kinds = BOOK_KINDS.filter((k) => !PROVINCE_KINDS.includes(k) || app.auth.can('admin'));
    const kind = el('select', { 'data-testid': 'book-kind' }, ...kinds.map((k) => option(k, t(`entry.${k}`))));
    const acctOptions = () => [option('', t('quota.outside')), ...accounts.map((a) => option(a.code, `${pick(a, 'name')}（${a.code}）`))];
    const from = el('select', { 'data-testid': 'book-from' }, ...acctOptions());
    const to = el('select', { 'data-testid': 'book-to' }, ...acctOptions());
    const amount = el('input', { type: 'number', min: '0', step: '0.01', 'data-testid': 'book-amount' });
    const u = el('select', { 'data-testid': 'book-unit' }, option('hm2', t('unit.hm2')), option('mu', t('unit.mu')), option('m2', t('unit.m2')));
    const reason = el('input', { type: 'text', 'data-testid': 'book-reason', placeholder: t('alloc.reasonPlaceholder') });
    const msg = el('div', { class: 'result-msg', hidden: true, 'data-testid': 'book-result' });
    const submit = el('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'book-submit' }, t('quota.book'));
    submit.addEventListener('click', async () => {
      msg.hidden = true;
      const v = Number(amount.value);
      if (!(v > 0)) { show(false, t('alloc.badAmount')); return; }
      if (!reason.value.trim()) { show(false, t('alloc.needReason')); return; }
      const m2 = toM2(v, u.value);
      const byCode = accountsByCode();
      const side = (code, sign) => {
        const a = byCode.get(code);
        return a ? { account: accountLabel(a), amount_m2: m2, before_m2: a.held_m2, after_m2: a.held_m2 + sign * m2 } : null;
      };
      const ok = await confirmMove({
        title: t('quota.confirmBook'),
        text: `${t(`entry.${kind.value}`)} · ${reason.value.trim()}`,
        moves: [side(from.value, -1), side(to.value, 1)].filter(Boolean),
      });
      if (!ok) return;
      submit.disabled = true;
      try {
        const e = await postJSON(`/api/plans/${year}/ledger`, {
          entry: kind.value, from: from.value, to: to.value, [`amount_${u.value}`]: v, reason: reason.value.trim(), idempotency_key: newKey('book'),
        });
        show(true, t('quota.booked', { id: e.id, amount: fmt(fromM2(e.amount_m2, unit)), unit: unitLabel() }));
        app.data.refresh(['plans']); // reloads this panel too (onRefresh)
        loadLedger();
      } catch (err) {
        show(false, err.details && err.details.shortfall_m2 !== undefined
          ? t('alloc.short', { account: err.details.account || '', held: fmt(fromM2(err.details.held_m2 || 0, unit)) + ' ' + unitLabel(), missing: fmt(fromM2(err.details.shortfall_m2, unit)) + ' ' + unitLabel() })
          : err.message);
        app.errors.report(t('quota.bookFailed'), err);
      } finally {
        submit.disabled = false;
      }
    });
    function show(ok, text) {
      msg.hidden = false;
      msg.className = `result-msg ${ok ? 'ok' : 'bad'}`;
      msg.textContent = text;
    }
    if (plan.plan?.state === 'closed') return el('p', { class: 'muted', 'data-testid': 'plan-closed-note' }, t('quota.planClosed', { year }));
    return el('details', { class: 'card', dataset: { minRole: 'allocator' }, 'data-testid': 'booking' },
      el('summary', {}, t('quota.bookTitle')),
      el('div', { class: 'form-grid cols-3' },
        field('quota.entryKind', kind), field('quota.from', from), field('quota.to', to),
        el('label', { class: 'field' }, el('span', {}, t('alloc.amount')), el('div', { class: 'input-unit' }, amount, u)),
        el('label', { class: 'field span-2' }, el('span', {}, t('alloc.reason')), reason)),
      el('div', { class: 'btn-row' }, submit), msg);
  }

  function field(key, input) {
    return el('label', { class: 'field' }, el('span', {}, t(key)), input);
  }

  /** A download of a table the server renders as xlsx (title row and as-of time included). */
  function xlsxLink(href, testid) {
    return el('a', { class: 'btn btn-small btn-ghost xlsx-link', href, download: '', 'data-testid': testid }, t('quota.xlsx'));
  }

  // ------------------------------------------------------------------ scenarios tab
  function runForm() {
    const versions = (policy?.versions || []).map((v) => v.version).sort((a, b) => b - a);
    const ver = el('select', { 'data-testid': 'run-policy' },
      ...(versions.length ? versions.map((v) => option(String(v), `v${v}`)) : [option('0', t('quota.noPolicy'))]));
    const method = el('select', { 'data-testid': 'run-method' }, option('priority', t('method.priority')), option('optimal', t('method.optimal')));
    const name = el('input', { type: 'text', 'data-testid': 'run-name', placeholder: t('quota.runNamePlaceholder') });
    const progress = el('div', { class: 'progress', hidden: !running, 'data-testid': 'run-progress' },
      el('div', { class: 'progress-bar' }), el('span', { class: 'progress-text' }, t('quota.running')));
    const btn = el('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'run-submit', disabled: running }, t('quota.run'));
    btn.addEventListener('click', async () => {
      running = true;
      btn.disabled = true;
      progress.hidden = false;
      const started = performance.now();
      const text = progress.querySelector('.progress-text');
      const steps = ['quota.step.input', 'quota.step.split', 'quota.step.rank', 'quota.step.save'];
      let i = 0;
      text.textContent = t(steps[0]);
      const timer = setInterval(() => {
        i = Math.min(steps.length - 1, i + 1);
        text.textContent = `${t(steps[i])} ${((performance.now() - started) / 1000).toFixed(1)} s`;
      }, 400);
      try {
        const sc = await postJSON(`/api/plans/${year}/scenarios`, {
          method: method.value,
          policy_version: Number(ver.value) || 0,
          name: name.value.trim() || undefined,
        });
        // Let the progress be seen even when the engine is fast.
        const elapsed = performance.now() - started;
        if (elapsed < 600) await new Promise((r) => setTimeout(r, 600 - elapsed));
        current = sc;
        compare = null;
        await load();
        showOnMap(sc);
      } catch (err) {
        app.errors.report(t('quota.runFailed'), err);
      } finally {
        clearInterval(timer);
        running = false;
        render();
      }
    });
    return el('div', { class: 'card', dataset: { minRole: 'allocator' }, 'data-testid': 'run-form' },
      el('h3', {}, t('quota.runTitle')),
      el('div', { class: 'form-grid cols-3' }, field('quota.policyVersion', ver), field('quota.method', method), field('quota.runName', name)),
      el('div', { class: 'btn-row' }, btn, progress));
  }

  function scenarioList() {
    if (scenarios.length === 0) return el('p', { class: 'muted', 'data-testid': 'no-scenarios' }, t('quota.noScenarios'));
    const a = el('select', { 'data-testid': 'compare-a' }, ...scenarios.map((s) => option(String(s.id), `#${s.id} ${s.name || ''}`)));
    const b = el('select', { 'data-testid': 'compare-b' }, ...scenarios.map((s) => option(String(s.id), `#${s.id} ${s.name || ''}`)));
    if (scenarios.length > 1) {
      a.value = String(scenarios[scenarios.length - 2].id);
      b.value = String(scenarios[scenarios.length - 1].id);
    }
    const cmpBtn = el('button', { type: 'button', class: 'btn', 'data-testid': 'compare-submit', disabled: scenarios.length < 2 }, t('quota.compare'));
    cmpBtn.addEventListener('click', async () => {
      try {
        const [sa, sb] = await Promise.all([getJSON(`/api/scenarios/${a.value}`), getJSON(`/api/scenarios/${b.value}`)]);
        const cmp = await getJSON(`/api/scenarios/${a.value}/compare/${b.value}`);
        compare = { a: sa, b: sb, cmp };
        render();
      } catch (err) {
        app.errors.report(t('quota.compareFailed'), err);
      }
    });
    const rows = [...scenarios].reverse().map((s) =>
      el('tr', { class: current && current.id === s.id ? 'selected' : '', 'data-testid': `scenario-row-${s.id}` },
        el('td', {}, `#${s.id}`),
        el('td', {}, s.name || t('info.none')),
        el('td', {}, t(`method.${s.method}`)),
        el('td', {}, `v${s.policy_version}`),
        el('td', { class: 'num' }, amt(s.result?.granted ?? 0)),
        el('td', {}, statusBadge(s)),
        el('td', { class: 'muted' }, `${s.created_by} · ${dateTime(s.created_at)}`),
        el('td', {}, el('button', { type: 'button', class: 'btn btn-small', 'data-testid': `scenario-open-${s.id}`, onclick: () => openScenario(s.id) }, t('quota.open')))));
    return el('div', { class: 'section' },
      el('table', { class: 'grid', 'data-testid': 'scenario-list' },
        el('thead', {}, el('tr', {}, ...['id', 'name', 'method', 'policy', 'granted', 'status', 'created', ''].map((k) =>
          el('th', { class: k === 'granted' ? 'num' : '' }, k ? t(`quota.sc.${k}`) : '')))),
        el('tbody', {}, ...rows)),
      el('div', { class: 'compare-bar' }, el('span', {}, t('quota.compareTitle')), a, el('span', {}, 'vs'), b, cmpBtn));
  }

  function statusBadge(s) {
    if (s.status === 'approved') return el('span', { class: 'badge badge-ok' }, t('quota.status.approved'));
    if (s.stale) return el('span', { class: 'badge badge-warn' }, t('quota.status.stale'));
    return el('span', { class: 'badge' }, t(`quota.status.${s.status}`) || s.status);
  }

  async function openScenario(id) {
    try {
      current = await getJSON(`/api/scenarios/${id}`);
      compare = null;
      render();
      showOnMap(current);
    } catch (err) {
      app.errors.report(t('quota.loadFailed'), err);
    }
  }

  async function showOnMap(sc) {
    try {
      const projects = await app.data.projects();
      const byId = new Map(projects.map((p) => [p.id, p]));
      const decisions = new Map();
      for (const d of sc.result?.decisions || []) {
        const p = byId.get(d.project_id);
        for (const id of p?.parcel_ids || []) decisions.set(Number(id), d.outcome);
      }
      app.showDecisions(decisions, `#${sc.id}${sc.name ? ` ${sc.name}` : ''}`);
      // Look where most of the scenario's projects are: the park with the most of them.
      const parks = (sc.result?.accounts || []).filter((a) => a.kind === 'park').sort((a, b) => b.projects - a.projects);
      if (parks.length) app.fitPark(parks[0].account_id.split('/').pop());
    } catch (err) {
      app.errors.report(t('error.projects'), err);
    }
  }

  function scenarioDetail() {
    const sc = current;
    const r = sc.result || {};
    // A stale scenario (the ledger moved since it ran) cannot be approved: say why instead.
    const approveBtn = el('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'approve', dataset: { minRole: 'allocator' },
      disabled: sc.status === 'approved' || sc.stale, title: sc.stale ? t('quota.stale') : '' },
    sc.status === 'approved' ? t('quota.approvedAlready') : t('quota.approve'));
    approveBtn.addEventListener('click', () => approve(sc));
    const staleNote = sc.stale && sc.status !== 'approved' ? el('div', { class: 'muted small', role: 'note', 'data-testid': 'stale-reason' }, t('quota.stale')) : null;
    const decisions = (r.decisions || []).filter((d) => !outcomeFilter || d.outcome === outcomeFilter);
    const counts = Object.fromEntries(OUTCOMES.map((o) => [o, (r.decisions || []).filter((d) => d.outcome === o).length]));
    const filter = el('select', { 'data-testid': 'outcome-filter', onchange: (e) => { outcomeFilter = e.target.value; render(); } },
      option('', `${t('quota.allOutcomes')} (${(r.decisions || []).length})`),
      ...OUTCOMES.map((o) => option(o, `${t(`outcome.${o}`)} (${counts[o]})`, outcomeFilter === o)));
    const notes = lang() === 'en' ? r.notes : r.notes_zh;
    return el('div', { class: 'card', 'data-testid': 'scenario-detail', dataset: { scenarioId: String(sc.id), status: sc.status } },
      el('div', { class: 'row-between' },
        el('h3', {}, `${t('quota.scenario')} #${sc.id}${sc.name ? ` · ${sc.name}` : ''} `, statusBadge(sc)),
        el('div', { class: 'btn-row' },
          xlsxLink(`/api/scenarios/${sc.id}?format=xlsx`, 'xlsx-scenario'),
          el('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'show-on-map', onclick: () => showOnMap(sc) }, t('quota.showOnMap')),
          approveBtn)),
      staleNote,
      r.exact === false ? el('p', { class: 'badge badge-warn gap-note', 'data-testid': 'scenario-gap' }, t('quota.bestFound', { gap: fmt(r.gap_bound_score_hm2, 2) })) : null,
      el('div', { class: 'stats small' },
        stat('quota.r.available', r.available), stat('quota.r.reserve', r.reserve), stat('quota.r.distributable', r.distributable),
        stat('quota.r.granted', r.granted, 'sc-granted'), stat('quota.r.earmark', r.park_earmark, 'sc-earmark'), stat('quota.r.returned', r.returned_to_reserve)),
      notes && notes.length ? el('ul', { class: 'notes' }, ...notes.map((n) => el('li', {}, n))) : null,
      el('h4', {}, t('quota.poolTitle')),
      el('table', { class: 'grid', 'data-testid': 'scenario-accounts' },
        el('thead', {}, el('tr', {}, ...['account', 'share', 'pool', 'earmark', 'need', 'granted', 'left', 'projects'].map((k) =>
          el('th', { class: k === 'account' ? '' : 'num' }, t(`quota.pool.${k}`))))),
        el('tbody', {}, ...(r.accounts || []).map((a) => el('tr', { class: `acct-${a.kind}` },
          el('td', { style: a.kind === 'park' ? 'padding-left:24px' : '' }, a.name, ' ', el('span', { class: 'code' }, a.account_id)),
          el('td', { class: 'num' }, a.kind === 'district' ? pct(a.factor_share) : ''),
          el('td', { class: 'num' }, amt(a.pool)), el('td', { class: 'num', 'data-testid': `pool-earmark-${a.account_id}` }, a.earmark ? amt(a.earmark) : ''), el('td', { class: 'num' }, amt(a.need)),
          el('td', { class: 'num strong' }, amt(a.granted)), el('td', { class: 'num' }, amt(a.left)),
          el('td', { class: 'num' }, String(a.projects)))))),
      el('div', { class: 'row-between' }, el('h4', {}, t('quota.decisionsTitle')), filter),
      el('table', { class: 'grid decisions', 'data-testid': 'decisions' },
        el('thead', {}, el('tr', {}, ...['project', 'category', 'need', 'granted', 'outcome', 'score', 'explanation'].map((k) =>
          el('th', { class: ['need', 'granted', 'score'].includes(k) ? 'num' : '' }, t(`quota.d.${k}`))))),
        el('tbody', {}, ...decisions.map(decisionRow))));
  }

  function stat(key, v, testid) {
    return el('div', { class: 'stat', 'data-testid': testid },
      el('div', { class: 'stat-label' }, t(key)), el('div', { class: 'stat-value' }, amt(v), el('small', {}, ` ${unitLabel()}`)));
  }

  function decisionRow(d) {
    const comps = el('details', { class: 'components' },
      el('summary', {}, t('quota.components')),
      el('ul', {}, ...(d.components || []).map((c) => el('li', {},
        el('span', { class: 'comp-name' }, t(`component.${c.name}`)), ' ', el('strong', {}, fmt(c.value, 2)), ' — ',
        lang() === 'en' ? c.note : c.note_zh || c.note))));
    return el('tr', { 'data-testid': 'decision-row', dataset: { project: String(d.project_id), outcome: d.outcome } },
      el('td', {},
        el('button', { type: 'button', class: 'link', title: t('quota.zoomProject'), onclick: () => app.showProject(d.project_id) }, d.name),
        el('button', { type: 'button', class: 'btn btn-small btn-ghost', title: t('quota.toAllocate'), dataset: { minRole: 'allocator' },
          onclick: () => app.openProject(d.project_id) }, '→')),
      el('td', {}, t(`category.${d.category}`)),
      el('td', { class: 'num' }, amt(d.need)),
      el('td', { class: 'num strong' }, amt(d.granted), d.earmark_granted ? el('div', { class: 'muted small', 'data-testid': 'decision-earmark' }, `${t('move.earmark')} ${amt(d.earmark_granted)}`) : null),
      el('td', {}, el('span', { class: 'outcome', style: `--c:${OUTCOME_COLORS[d.outcome] || '#999'}` }, t(`outcome.${d.outcome}`))),
      el('td', { class: 'num' }, fmt(d.score, 1)),
      el('td', { class: 'explanation' }, lang() === 'en' ? d.explanation_en : d.explanation_zh, comps));
  }

  async function approve(sc) {
    const r = sc.result || {};
    const n = (r.decisions || []).filter((d) => d.granted > 0).length;
    const ok = await confirmMove({
      title: t('quota.confirmTitle'),
      text: t('quota.confirmText', { id: sc.id, granted: hmMu(r.granted ?? 0), n }),
      // Each district pool as the scenario computed it: what it had, what goes to projects, what is
      // left; a park's grants are part of its district's, shown as "of which" without a balance.
      moves: (r.accounts || []).map((a) => (a.kind === 'park'
        ? { account: `${t('move.ofWhich')} ${accountLabel(a)}`, amount_m2: a.granted, before_m2: null, after_m2: null }
        : { account: accountLabel(a), amount_m2: a.granted, before_m2: a.pool, after_m2: a.left })),
      rows: [[t('move.projectsGranted'), String(n)], [t('move.earmark'), r.park_earmark ? hmMu(r.park_earmark) : '']],
      focusCancel: true,
      okLabel: t('quota.approve'),
    });
    if (!ok) return;
    try {
      current = await postJSON(`/api/scenarios/${sc.id}/approve`, {});
      app.data.refresh(['plans', 'projects']); // reloads this panel too (onRefresh)
      loadLedger();
    } catch (err) {
      app.errors.report(t('quota.approveFailed'), err);
    }
  }

  function compareView() {
    const { a, b, cmp } = compare;
    const table = (title, rows, testid) => el('div', {},
      el('h4', {}, title),
      el('table', { class: 'grid', 'data-testid': testid },
        el('thead', {}, el('tr', {}, el('th', {}, t('quota.cmp.name')), el('th', { class: 'num' }, `#${a.id}`), el('th', { class: 'num' }, `#${b.id}`), el('th', { class: 'num' }, t('quota.cmp.delta')))),
        el('tbody', {}, ...rows.map((r) => el('tr', {},
          el('td', {}, r.id === 'total' ? t('quota.cmp.total') : r.name || r.id, r.outcome_a || r.outcome_b ? el('span', { class: 'muted' }, ` ${r.outcome_a ? t(`outcome.${r.outcome_a}`) : '—'} → ${r.outcome_b ? t(`outcome.${r.outcome_b}`) : '—'}`) : null),
          el('td', { class: 'num' }, amt(r.granted_a)), el('td', { class: 'num' }, amt(r.granted_b)),
          el('td', { class: `num ${r.delta > 0 ? 'pos' : r.delta < 0 ? 'neg' : ''}` }, `${r.delta > 0 ? '+' : ''}${amt(r.delta)}`))))));
    const side = (s) => el('div', { class: 'compare-side' },
      el('div', { class: 'card-title' }, `#${s.id} ${s.name || ''} `, statusBadge(s)),
      el('div', { class: 'muted' }, `${t(`method.${s.method}`)} · v${s.policy_version} · ${dateTime(s.created_at)}`),
      el('dl', { class: 'kv' },
        el('dt', {}, t('quota.r.granted')), el('dd', {}, `${amt(s.result.granted)} ${unitLabel()}`),
        el('dt', {}, t('quota.r.returned')), el('dd', {}, `${amt(s.result.returned_to_reserve)} ${unitLabel()}`),
        ...OUTCOMES.flatMap((o) => [el('dt', {}, t(`outcome.${o}`)), el('dd', {}, String((s.result.decisions || []).filter((d) => d.outcome === o).length))])));
    return el('div', { class: 'card', 'data-testid': 'compare-view' },
      el('div', { class: 'row-between' }, el('h3', {}, t('quota.compareTitle')),
        xlsxLink(`/api/scenarios/${a.id}/compare/${b.id}?format=xlsx`, 'xlsx-compare'),
        el('button', { type: 'button', class: 'btn btn-ghost', onclick: () => { compare = null; render(); } }, t('close'))),
      el('div', { class: 'compare-grid' }, side(a), side(b)),
      table(t('quota.cmp.districts'), [cmp.totals, ...(cmp.districts || [])], 'compare-districts'),
      table(t('quota.cmp.parks'), cmp.parks || [], 'compare-parks'),
      table(t('quota.cmp.projects', { n: (cmp.projects || []).length }), cmp.projects || [], 'compare-projects'));
  }

  // ------------------------------------------------------------------ ledger tab
  function ledgerView() {
    const accounts = plan?.accounts || [];
    // An entry's reversal, from the reversal entries listed (reversed_by where the server gives it).
    const reversedBy = new Map(ledger.entries.filter((e) => e.reverses).map((e) => [e.reverses, e.id]));
    const filter = el('select', { 'data-testid': 'ledger-account', onchange: (e) => { ledger.account = e.target.value; loadLedger(); } },
      option('', t('quota.allAccounts')), ...accounts.map((a) => option(a.code, `${pick(a, 'name')}（${a.code}）`, ledger.account === a.code)));
    return el('div', { class: 'section' },
      el('div', { class: 'row-between' }, el('label', { class: 'inline-field' }, el('span', {}, t('quota.account')), filter),
        el('span', { class: 'muted' }, t('quota.entries', { n: ledger.entries.length })),
        xlsxLink(`/api/plans/${year}/ledger?format=xlsx${ledger.account ? `&account=${encodeURIComponent(ledger.account)}` : ''}`, 'xlsx-ledger')),
      el('table', { class: 'grid', 'data-testid': 'ledger' },
        el('thead', {}, el('tr', {}, ...['id', 'time', 'kind', 'from', 'to', 'amount', 'reason', 'by', ''].map((k) =>
          el('th', { class: k === 'amount' ? 'num' : '' }, k ? t(`quota.l.${k}`) : '')))),
        el('tbody', {}, ...ledger.entries.map((e) => ledgerRow(e, reversedBy.get(e.id) || e.reversed_by)))),
      ledger.next ? el('div', { class: 'btn-row' }, el('button', { type: 'button', class: 'btn', 'data-testid': 'ledger-more', onclick: () => loadLedger(true) }, t('quota.more'))) : null);
  }

  function ledgerRow(e, reversal) {
    return el('tr', { 'data-testid': 'ledger-row', dataset: { id: String(e.id), kind: e.kind } },
      el('td', {}, String(e.id)), el('td', { class: 'nowrap' }, dateTime(e.created_at)),
      el('td', { class: 'nowrap' }, t(`entry.${e.kind}`), e.reverses ? el('span', { class: 'muted' }, ` → #${e.reverses}`) : null),
      el('td', {}, accountName(e.from)), el('td', {}, accountName(e.to)),
      el('td', { class: 'num strong' }, amt(e.amount_m2)),
      el('td', {}, inLang(e.reason, lang()), e.document && e.document.number ? el('div', { class: 'muted small' }, [e.document.number, e.document.date, e.document.issuer].filter(Boolean).join(' · ')) : null,
        e.override_reason ? el('div', { class: 'muted small' }, `${t('quota.override')}：${e.override_reason}`) : null),
      el('td', {}, e.created_by),
      el('td', { class: 'nowrap' }, reversal
        ? el('span', { class: 'muted', 'data-testid': `reversed-${e.id}` }, t('quota.reversedBy', { id: reversal }))
        : !reversible(e) || plan?.plan?.state === 'closed' ? null
      : el('button', { type: 'button', class: 'btn btn-small', dataset: { minRole: 'allocator' }, 'data-testid': `reverse-${e.id}`, onclick: () => reverse(e) }, t('quota.reverse'))));
  }

  /** Reverses a ledger entry after a confirmation with a reason; the server refuses what the role may not reverse. */
  async function reverse(e) {
    const byCode = accountsByCode();
    const side = (code, sign) => {
      const a = byCode.get(code);
      return a ? { account: accountLabel(a), amount_m2: e.amount_m2, before_m2: a.held_m2, after_m2: a.held_m2 + sign * e.amount_m2 } : null;
    };
    const reason = await confirmMove({
      title: t('quota.confirmReverse', { id: e.id }),
      text: `${t(`entry.${e.kind}`)} · ${inLang(e.reason, lang())}`,
      moves: [side(e.to, -1), side(e.from, 1)].filter(Boolean),
      reason: { label: t('quota.reverseReason'), required: true },
      focusCancel: true,
      danger: true,
      okLabel: t('quota.reverse'),
    });
    if (!reason) return;
    try {
      await postJSON(`/api/plans/${year}/ledger/${e.id}/reverse`, { reason, idempotency_key: newKey('reverse') });
      app.data.refresh(['plans', 'projects']);
      await loadLedger();
    } catch (err) {
      app.errors.show(`${t('quota.reverseFailed')}: ${err.message}`);
    }
  }

  // ------------------------------------------------------------------ render
  function render() {
    const parts = [header()];
    if (!plan) {
      parts.push(el('div', { class: 'empty-state', 'data-testid': 'quota-empty' },
        planError && planError.status === 404 ? t('info.noPlan', { year }) : planError ? `${t('quota.loadFailed')}: ${planError.message}` : t('loading')));
    } else if (tab === 'accounts') {
      parts.push(el('div', { class: 'row-between plan-head' }, el('div', { class: 'plan-name' }, plan.plan?.name || '', plan.plan?.state === 'closed' ? el('span', { class: 'badge' }, ` ${t('plan.state.closed')}`) : null,
        plan.plan?.document?.number ? el('div', { class: 'muted small', 'data-testid': 'quota-plan-document' }, [plan.plan.document.number, plan.plan.document.date, plan.plan.document.issuer].filter(Boolean).join(' · ')) : null),
        xlsxLink(`/api/plans/${year}/accounts?format=xlsx`, 'xlsx-accounts')), summary(),
        // Wider than a phone: it scrolls sideways, and can be scrolled by keyboard.
        el('div', { class: 'section', tabindex: '0', role: 'region', 'aria-label': t('quota.tab.accounts') }, accountTree()), bookingForm());
    } else if (tab === 'scenarios') {
      parts.push(runForm(), scenarioList());
      if (compare) parts.push(compareView());
      else if (current) parts.push(scenarioDetail());
    } else {
      parts.push(ledgerView());
    }
    body.replaceChildren(...parts);
    root.replaceChildren(body);
    app.auth.applyRoleVisibility(root);
    root.dataset.loaded = plan ? 'true' : 'false';
  }

  app.data.onRefresh((what) => {
    if (what.includes('plans') && app.mode() === 'quota') load();
  });

  render();
  return {
    load,
    render,
    onModeEnter() {
      if (year !== app.year()) year = app.year();
      load();
    },
    get current() {
      return current;
    },
  };
}
