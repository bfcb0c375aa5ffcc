// The plans page (年度计划): every plan of every year and kind, opening a plan with its issuing
// document, a further issue during the year (追加下达), and closing the year after a preview of
// what each account carries over or loses and of the 增存挂钩 adjustment. All figures are the
// server's; every move is confirmed first (confirm.js).
import { getJSON, postJSON } from './api.js';
import { accountLabel, confirmMove, hmMu } from './confirm.js';
import { $, el, newKey, option } from './dom.js';
import { fmt, m2ToHm2, pct } from './format.js';
import { lang, pick, t } from './i18n.js';

export const PLAN_KINDS = ['new_construction', 'linkage', 'farmland_balance'];

const planKey = (p) => `${p.year}/${p.kind}`;
const kindQuery = (kind) => (kind && kind !== 'new_construction' ? `?kind=${encodeURIComponent(kind)}` : '');

export function createPlansPanel(root, app) {
  let plans = [];
  let listError = null;
  let selected = ''; // "year/kind"
  let detail = null; // {plan, accounts}
  let preview = null; // the close preview (or result) of the selected plan
  let form = ''; // '', 'open', 'issue'
  let message = null; // {ok, text}

  const plan = () => plans.find((p) => planKey(p) === selected) || null;
  const city = () => (detail?.accounts || []).find((a) => a.kind === 'city') || null;

  async function load() {
    listError = null;
    try {
      plans = (await getJSON('/api/plans')).plans || [];
      plans.sort((a, b) => b.year - a.year || PLAN_KINDS.indexOf(a.kind) - PLAN_KINDS.indexOf(b.kind));
    } catch (err) {
      plans = [];
      listError = err;
      app.errors.report(t('plans.loadFailed'), err);
    }
    if (!plan()) {
      const mine = plans.find((p) => p.year === app.year() && p.kind === 'new_construction') || plans[0];
      selected = mine ? planKey(mine) : '';
    }
    await loadDetail();
  }

  async function loadDetail() {
    const p = plan();
    detail = null;
    if (p) {
      try {
        detail = await getJSON(`/api/plans/${p.year}${kindQuery(p.kind)}`);
      } catch (err) {
        app.errors.report(t('plans.loadFailed'), err);
      }
    }
    render();
  }

  function select(key) {
    selected = key;
    preview = null;
    form = '';
    message = null;
    const p = plan();
    if (p && p.kind === 'new_construction') app.setYear(p.year);
    loadDetail();
  }

  function say(ok, text) {
    message = { ok, text };
  }

  function fail(text) {
    say(false, text);
    render();
  }

  // submitButton is a form's submit button. prepare() checks the form and
  // asks for confirmation; it returns the booking to send, or nothing when
  // it stopped (a problem shown with fail, or the confirmation declined).
  // The button is disabled while the booking runs; then the plans reload.
  function submitButton(testid, label, failedKey, prepare) {
    const submit = el('button', { type: 'button', class: 'btn btn-primary', 'data-testid': testid }, label);
    submit.addEventListener('click', async () => {
      const send = await prepare();
      if (!send) return;
      submit.disabled = true;
      try {
        await send();
        form = '';
        app.data.refresh(['plans']);
        await load();
      } catch (err) {
        fail(err.message);
        app.errors.report(t(failedKey), err);
      } finally {
        submit.disabled = false;
      }
    });
    return submit;
  }

  // ------------------------------------------------------------------ list
  function header() {
    const sel = el('select', { id: 'plans-select', 'data-testid': 'plans-select', onchange: (e) => select(e.target.value) },
      ...plans.map((p) => option(planKey(p), `${p.year} · ${t(`plankind.${p.kind}`)} · ${t(`plan.state.${p.state}`)}`, planKey(p) === selected)));
    return el('section', { class: 'panel-section' },
      el('h2', {}, t('plans.title')),
      plans.length
        ? el('label', { class: 'field', for: 'plans-select' }, el('span', {}, t('plans.choose')), sel)
        : el('p', { class: 'muted', 'data-testid': 'plans-none' }, listError ? `${t('plans.loadFailed')}: ${listError.message}` : t('plans.none')),
      el('div', { class: 'btn-row', dataset: { minRole: 'admin' } },
        el('button', { type: 'button', class: 'btn', 'data-testid': 'plan-open-toggle', 'aria-expanded': String(form === 'open'),
          onclick: () => { form = form === 'open' ? '' : 'open'; message = null; render(); } }, t('plans.openTitle'))),
      form === 'open' ? openForm() : null,
      plans.length ? planTable() : null);
  }

  function planTable() {
    return el('table', { class: 'grid plans-table', 'data-testid': 'plans-table' },
      el('thead', {}, el('tr', {}, ...['year', 'kind', 'state', 'issued', 'held', 'consumed'].map((k) =>
        el('th', { scope: 'col', class: ['issued', 'held', 'consumed'].includes(k) ? 'num' : '' }, t(`plans.col.${k}`))))),
      el('tbody', {}, ...plans.map((p) => el('tr', { class: planKey(p) === selected ? 'selected' : '', 'data-testid': `plan-row-${p.year}-${p.kind}`, dataset: { state: p.state } },
        el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => select(planKey(p)) }, String(p.year))),
        el('td', {}, t(`plankind.${p.kind}`)),
        el('td', {}, el('span', { class: `badge ${p.state === 'open' ? 'badge-ok' : ''}` }, t(`plan.state.${p.state}`))),
        el('td', { class: 'num' }, fmt(p.issued_hm2)),
        el('td', { class: 'num' }, fmt(p.held_hm2)),
        el('td', { class: 'num' }, fmt(p.consumed_hm2))))),
      el('caption', { class: 'muted' }, t('plans.inHm2')));
  }

  // ------------------------------------------------------------------ documents
  function docFields(prefix) {
    const number = el('input', { type: 'text', id: `${prefix}-doc-number`, 'data-testid': `${prefix}-doc-number`, placeholder: t('plans.docNumberPh') });
    const date = el('input', { type: 'date', id: `${prefix}-doc-date`, 'data-testid': `${prefix}-doc-date` });
    const issuer = el('input', { type: 'text', id: `${prefix}-doc-issuer`, 'data-testid': `${prefix}-doc-issuer`, placeholder: t('plans.docIssuerPh') });
    return {
      nodes: [lbl(`${prefix}-doc-number`, 'plans.docNumber', number), lbl(`${prefix}-doc-date`, 'plans.docDate', date), lbl(`${prefix}-doc-issuer`, 'plans.docIssuer', issuer)],
      value: () => ({ number: number.value.trim(), date: date.value, issuer: issuer.value.trim() }),
    };
  }

  function lbl(id, key, input, cls = '') {
    return el('label', { class: `field ${cls}`, for: id }, el('span', {}, t(key)), input);
  }

  // A document is {number, date, issuer}; the close preview names the policy's approving document as text.
  const docText = (d) => (typeof d === 'string' ? d : d && (d.number || d.issuer) ? [d.number, d.date, d.issuer].filter(Boolean).join(' · ') : '');

  function openForm() {
    const year = el('input', { type: 'number', id: 'plan-year', min: '2000', max: '2100', value: String(app.year() + (plans.some((p) => p.year === app.year()) ? 1 : 0)), 'data-testid': 'plan-year' });
    const kind = el('select', { id: 'plan-kind', 'data-testid': 'plan-kind' }, ...PLAN_KINDS.map((k) => option(k, t(`plankind.${k}`))));
    const name = el('input', { type: 'text', id: 'plan-name', 'data-testid': 'plan-name' });
    const amount = el('input', { type: 'number', id: 'plan-amount', min: '0', step: '0.01', 'data-testid': 'plan-amount', placeholder: t('plans.optional') });
    const doc = docFields('plan');
    const submit = submitButton('plan-open-submit', t('plans.open'), 'plans.openFailed', async () => {
      const y = Number(year.value);
      const d = doc.value();
      if (!(y >= 2000 && y <= 2100)) return fail(t('plans.badYear'));
      if (!name.value.trim()) return fail(t('plans.needName'));
      if (!d.number || !d.date || !d.issuer) return fail(t('plans.needDoc'));
      const body = { year: y, kind: kind.value, name: name.value.trim(), document: d, idempotency_key: newKey('plan') };
      const raw = amount.value.trim();
      if (raw !== '') {
        const v = Number(raw);
        if (!(v > 0)) return fail(t('alloc.badAmount'));
        body.amount_hm2 = v;
      }
      const ok = await confirmMove({
        title: t('plans.confirmOpen'),
        text: t('plans.confirmOpenText', { year: y, kind: t(`plankind.${kind.value}`) }),
        moves: body.amount_hm2 ? [{ account: t('account.city'), amount_m2: body.amount_hm2 * 10000, before_m2: null, after_m2: null }] : [],
        rows: [[t('plans.name'), body.name], [t('plans.document'), docText(d)]],
      });
      if (!ok) return null;
      return async () => {
        const res = await postJSON('/api/plans', body);
        selected = planKey(res.plan);
        say(true, t('plans.opened', { year: res.plan.year, kind: t(`plankind.${res.plan.kind}`), n: (res.accounts || []).length }));
      };
    });
    return el('div', { class: 'card', 'data-testid': 'plan-open-form' },
      el('div', { class: 'form-grid' },
        lbl('plan-year', 'plans.year', year), lbl('plan-kind', 'plans.kind', kind), lbl('plan-name', 'plans.name', name, 'span-2'),
        ...doc.nodes, lbl('plan-amount', 'plans.amountHm2', amount)),
      el('div', { class: 'btn-row' }, submit));
  }

  // ------------------------------------------------------------------ the selected plan
  function planCard() {
    const p = detail?.plan || plan();
    if (!p) return null;
    const open = p.state === 'open';
    const d = p.document;
    return el('section', { class: 'panel-section', 'data-testid': 'plan-detail', dataset: { year: String(p.year), kind: p.kind, state: p.state } },
      el('h2', {}, `${p.year} · ${t(`plankind.${p.kind}`)} `, el('span', { class: `badge ${open ? 'badge-ok' : ''}`, 'data-testid': 'plan-state' }, t(`plan.state.${p.state}`))),
      el('div', { class: 'plan-name' }, p.name || ''),
      el('dl', { class: 'kv' },
        el('dt', {}, t('plans.document')), el('dd', { 'data-testid': 'plan-document' }, docText(d) || t('info.none')),
        el('dt', {}, t('plans.col.issued')), el('dd', { 'data-testid': 'plan-issued', dataset: { m2: String(p.issued_m2) } }, hmMu(p.issued_m2)),
        el('dt', {}, t('plans.col.held')), el('dd', { 'data-testid': 'plan-held', dataset: { m2: String(p.held_m2) } }, hmMu(p.held_m2)),
        el('dt', {}, t('plans.col.consumed')), el('dd', { 'data-testid': 'plan-consumed' }, hmMu(p.consumed_m2))),
      el('div', { class: 'btn-row' },
        p.kind === 'new_construction' ? el('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'plan-to-dashboard',
          onclick: () => { app.setYear(p.year); app.setMode('quota'); } }, t('plans.toDashboard')) : null,
        open ? el('button', { type: 'button', class: 'btn', dataset: { minRole: 'admin' }, 'data-testid': 'plan-issue-toggle', 'aria-expanded': String(form === 'issue'),
          onclick: () => { form = form === 'issue' ? '' : 'issue'; message = null; render(); } }, t('plans.issueTitle')) : null,
        open ? el('button', { type: 'button', class: 'btn', dataset: { minRole: 'admin' }, 'data-testid': 'plan-close-preview', onclick: () => loadPreview(p) }, t('plans.closePreview')) : null),
      form === 'issue' && open ? issueForm(p) : null,
      preview ? previewView(p) : null);
  }

  function issueForm(p) {
    const amount = el('input', { type: 'number', id: 'issue-amount', min: '0', step: '0.01', 'data-testid': 'issue-amount' });
    const reason = el('input', { type: 'text', id: 'issue-reason', 'data-testid': 'issue-reason', placeholder: t('alloc.reasonPlaceholder') });
    const doc = docFields('issue');
    const submit = submitButton('issue-submit', t('plans.issue'), 'plans.issueFailed', async () => {
      const v = Number(amount.value);
      const d = doc.value();
      if (!(v > 0)) return fail(t('alloc.badAmount'));
      if (!d.number || !d.date || !d.issuer) return fail(t('plans.needDoc'));
      const c = city();
      if (!c) return fail(t('plans.noCity'));
      const ok = await confirmMove({
        title: t('plans.confirmIssue'),
        text: t('plans.confirmIssueText', { year: p.year }),
        moves: [{ account: accountLabel(c), amount_m2: v * 10000, before_m2: c.held_m2, after_m2: c.held_m2 + v * 10000 }],
        rows: [[t('plans.document'), docText(d)]],
      });
      if (!ok) return null;
      return async () => {
        const e = await postJSON(`/api/plans/${p.year}/ledger${kindQuery(p.kind)}`, {
          entry: 'issue', from: '', to: c.code, amount_hm2: v, reason: reason.value.trim() || t('plans.issueReason', { number: d.number }),
          document: d, idempotency_key: newKey('issue'),
        });
        say(true, t('plans.issued', { id: e.id, amount: hmMu(e.amount_m2) }));
      };
    });
    return el('div', { class: 'card', 'data-testid': 'plan-issue-form' },
      el('div', { class: 'form-grid' }, lbl('issue-amount', 'plans.amountHm2', amount), ...doc.nodes, lbl('issue-reason', 'alloc.reason', reason, 'span-2')),
      el('div', { class: 'btn-row' }, submit));
  }

  // ------------------------------------------------------------------ year end
  async function loadPreview(p) {
    message = null;
    try {
      preview = await getJSON(`/api/plans/${p.year}/close${kindQuery(p.kind)}`);
    } catch (err) {
      preview = null;
      say(false, err.message);
      app.errors.report(t('plans.previewFailed'), err);
    }
    render();
    $('[data-testid=close-preview]', root)?.scrollIntoView({ block: 'nearest' });
  }

  function previewView(p) {
    const pv = preview;
    const tot = pv.totals || {};
    const confirmBtn = pv.closed ? null : el('button', { type: 'button', class: 'btn btn-danger', dataset: { minRole: 'admin' }, 'data-testid': 'plan-close-submit', onclick: () => closeYear(p) },
      t('plans.closeConfirm', { year: pv.year, next: pv.next_year }));
    return el('div', { class: 'card', 'data-testid': 'close-preview', dataset: { closed: String(Boolean(pv.closed)) } },
      el('h3', {}, pv.closed ? t('plans.closedTitle', { year: pv.year, next: pv.next_year }) : t('plans.previewTitle', { year: pv.year, next: pv.next_year })),
      el('p', { class: 'muted' }, t('plans.carryShare', { share: pct(pv.carry_over_share) }), pv.document ? ` · ${docText(pv.document)}` : ''),
      el('dl', { class: 'kv' },
        el('dt', {}, t('plans.col.held')), el('dd', { 'data-testid': 'close-total-held' }, hmMu(tot.held_m2)),
        el('dt', {}, t('plans.carry')), el('dd', { 'data-testid': 'close-total-carry', dataset: { m2: String(tot.carry_m2) } }, hmMu(tot.carry_m2)),
        el('dt', {}, t('plans.lapse')), el('dd', { 'data-testid': 'close-total-lapse', dataset: { m2: String(tot.lapse_m2) } }, hmMu(tot.lapse_m2)),
        el('dt', {}, t('plans.reward')), el('dd', { 'data-testid': 'close-total-reward' }, hmMu(tot.reward_m2))),
      el('table', { class: 'grid', 'data-testid': 'close-accounts' },
        el('thead', {}, el('tr', {}, ...['account', 'held', 'carry', 'lapse'].map((k) => el('th', { scope: 'col', class: k === 'account' ? '' : 'num' }, t(`plans.close.${k}`))))),
        el('tbody', {}, ...(pv.accounts || []).map((a) => el('tr', { class: `acct-${a.kind}`, 'data-testid': `close-account-${a.code}` },
          el('td', {}, pick(a, 'name'), ' ', el('span', { class: 'code' }, a.code)),
          el('td', { class: 'num' }, fmt(m2ToHm2(a.held_m2))), el('td', { class: 'num' }, fmt(m2ToHm2(a.carry_m2))), el('td', { class: 'num' }, fmt(m2ToHm2(a.lapse_m2))))))),
      el('h4', {}, t('plans.linkageTitle')),
      (pv.linkage || []).length
        ? el('table', { class: 'grid', 'data-testid': 'close-linkage' },
          el('thead', {}, el('tr', {}, ...['district', 'disposed', 'rate', 'reward'].map((k) => el('th', { scope: 'col', class: k === 'district' ? '' : 'num' }, t(`plans.link.${k}`))))),
          el('tbody', {}, ...pv.linkage.flatMap((l) => [
            el('tr', { 'data-testid': `close-linkage-${l.district}` },
              el('td', {}, l.name_zh && lang() === 'zh' ? l.name_zh : app.districtName(l.district)),
              el('td', { class: 'num' }, fmt(m2ToHm2(l.disposed_m2))),
              el('td', { class: 'num' }, l.supply_rate_5y === null || l.supply_rate_5y === undefined ? '—' : pct(l.supply_rate_5y)),
              el('td', { class: `num ${l.withheld ? 'neg' : 'pos'}` }, l.withheld ? t('plans.withheld') : fmt(m2ToHm2(l.reward_m2)))),
            el('tr', { class: 'note-row' }, el('td', { colspan: '4', class: 'muted' }, lang() === 'en' ? l.explanation_en : l.explanation_zh)),
          ])))
        : el('p', { class: 'muted' }, t('plans.noLinkage')),
      el('p', { class: 'hint' }, t('plans.inHm2')),
      el('div', { class: 'btn-row' }, confirmBtn));
  }

  async function closeYear(p) {
    const pv = preview;
    const tot = pv.totals || {};
    const ok = await confirmMove({
      title: t('plans.confirmClose'),
      text: t('plans.confirmCloseText', { year: pv.year, next: pv.next_year }),
      // What all the year's accounts hold goes to nothing in this plan: part carried, the rest lapsed.
      moves: [
        { account: t('plans.allAccounts', { year: pv.year }), amount_m2: tot.held_m2, before_m2: tot.held_m2, after_m2: 0 },
        { account: t('plans.carryTo', { next: pv.next_year }), amount_m2: tot.carry_m2, before_m2: null, after_m2: null },
        { account: t('plans.lapse'), amount_m2: tot.lapse_m2, before_m2: null, after_m2: null },
        { account: t('plans.rewardTo', { next: pv.next_year }), amount_m2: tot.reward_m2, before_m2: null, after_m2: null },
      ],
      focusCancel: true,
      danger: true,
      okLabel: t('plans.closeOk'),
    });
    if (!ok) return;
    try {
      preview = await postJSON(`/api/plans/${p.year}/close${kindQuery(p.kind)}`, { idempotency_key: newKey('close') });
      say(true, t('plans.closed', { year: p.year, next: preview.next_year }));
      app.data.refresh(['plans']);
      const keep = preview;
      await load();
      preview = keep;
      render();
    } catch (err) {
      say(false, err.message);
      app.errors.report(t('plans.closeFailed'), err);
      render();
    }
  }

  // ------------------------------------------------------------------ render
  function render() {
    const msg = message ? el('p', { class: `result-msg ${message.ok ? 'ok' : 'bad'}`, role: 'status', 'data-testid': 'plans-result' }, message.text) : null;
    root.replaceChildren(el('div', { class: 'plans-body' }, header(), msg, planCard()));
    app.auth.applyRoleVisibility(root);
    root.dataset.loaded = 'true';
  }

  render();
  return {
    render,
    load,
    onModeEnter() {
      load();
    },
  };
}
