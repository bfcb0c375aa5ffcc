// A parcel's idle-land procedure (闲置土地处置) in the parcel panel: the recorded steps for
// everyone, whether the land is suspected (computed) or determined idle, and for admins a form
// to record the next step (POST /api/parcels/{id}/events).
import { postJSON } from './api.js';
import { el, option } from './dom.js';
import { fmt } from './format.js';
import { t } from './i18n.js';

/** The kinds in procedure order (planner.EventKinds). */
export const EVENT_KINDS = ['idle_determination', 'disposal_decision', 'extension_granted', 'fee_levied', 'land_recovered'];
const CAUSED = new Set(['idle_determination', 'disposal_decision']);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Where the procedure stands: {state: 'determined'|'suspected'|'recovered'|'', event} from the
 * events (date order) and whether the rules compute the land idle today.
 */
export function idleState(events, computedIdle) {
  let det = null;
  let rec = null;
  for (const e of events || []) {
    if (e.kind === 'idle_determination') det = e;
    if (e.kind === 'land_recovered') rec = e;
  }
  if (det && !(rec && rec.event_on >= det.event_on)) return { state: 'determined', event: det };
  if (rec) return { state: 'recovered', event: rec };
  if (computedIdle) return { state: 'suspected', event: null };
  return { state: '', event: null };
}

/**
 * What is wrong with a draft before it is sent, as {field, message} or null. The server checks
 * again (and the order of the procedure, which only it knows); its message is shown as is.
 */
export function checkDraft(d, tr = t) {
  if (!d.kind) return { field: 'kind', message: tr('ev.needKind') };
  if (!DAY.test(d.event_on || '')) return { field: 'event_on', message: tr('ev.needDate') };
  if (!String(d.document || '').trim()) return { field: 'document', message: tr('ev.needDocument') };
  if (d.kind === 'idle_determination' && !d.cause) return { field: 'cause', message: tr('ev.needCause') };
  if (d.kind === 'extension_granted') {
    if (!DAY.test(d.extended_to || '')) return { field: 'extended_to', message: tr('ev.needExtendedTo') };
    if (d.extended_to <= d.event_on) return { field: 'extended_to', message: tr('ev.extendedAfter') };
  }
  if (d.kind === 'fee_levied') {
    const n = Number(d.amount_wan);
    if (String(d.amount_wan ?? '').trim() === '' || !Number.isFinite(n) || n < 0) return { field: 'amount_wan', message: tr('ev.needAmount') };
  }
  return null;
}

/** The request body of a draft: only the fields its kind takes. */
export function eventBody(d) {
  const body = { kind: d.kind, event_on: d.event_on, document: String(d.document || '').trim(), note: String(d.note || '').trim() };
  if (CAUSED.has(d.kind) && d.cause) body.cause = d.cause;
  if (d.kind === 'extension_granted') body.extended_to = d.extended_to;
  if (d.kind === 'fee_levied') body.amount_wan = Number(d.amount_wan);
  return body;
}

/** One history line's text after its date and kind. */
function details(e) {
  const parts = [e.document];
  if (e.cause) parts.push(t(`ev.cause.${e.cause}`));
  if (e.extended_to) parts.push(t('ev.extendedTo', { date: e.extended_to }));
  if (e.amount_wan !== undefined && e.amount_wan !== null) parts.push(t('ev.amount', { amount: fmt(e.amount_wan, 2) }));
  if (e.note) parts.push(e.note);
  return parts.join(' · ');
}

/**
 * root: the panel's events container. canRecord() → admin; onRecorded(event) after a step was
 * stored (the panel reloads the parcel).
 */
export function createEventsView(root, { canRecord, onRecorded }) {
  let parcelId = null;
  let draft = null;
  let result = null; // {ok, text, field}
  let busy = false;

  function fresh() {
    return { kind: 'idle_determination', event_on: new Date().toISOString().slice(0, 10), document: '', cause: '', extended_to: '', amount_wan: '', note: '' };
  }

  function history(events, failed) {
    if (failed) return el('p', { class: 'muted small' }, t('info.flagsUnavailable'));
    if (!events) return el('p', { class: 'muted small' }, t('loading'));
    if (events.length === 0) return el('p', { class: 'muted small', 'data-testid': 'event-none' }, t('ev.none'));
    return el('ol', { class: 'event-list', 'data-testid': 'event-list' }, ...events.map((e) =>
      el('li', { 'data-testid': `event-${e.kind}`, dataset: { id: e.id } },
        el('span', { class: 'event-date' }, e.event_on), ' ', el('strong', {}, t(`event.${e.kind}`)), ' ',
        el('span', { class: 'event-detail' }, details(e)))));
  }

  function stateLine(events, computedIdle) {
    const s = idleState(events, computedIdle);
    if (!s.state) return null;
    const text = s.state === 'determined' ? t('ev.state.determined', { date: s.event.event_on, document: s.event.document })
      : s.state === 'recovered' ? t('ev.state.recovered', { date: s.event.event_on }) : t('ev.state.suspected');
    return el('p', { class: `event-state event-state-${s.state}`, 'data-testid': 'idle-state', dataset: { state: s.state } }, text);
  }

  function form() {
    const d = draft;
    const keep = (key) => (e) => {
      d[key] = e.target.value;
    };
    const id = (k) => `ev-${k}`;
    const invalid = (field) => (result && !result.ok && result.field === field ? 'true' : null);
    const lbl = (k, key, input, cls = '') => el('label', { class: `field ${cls}`, for: id(k) }, el('span', {}, t(key)), input);
    const kind = el('select', { id: id('kind'), 'data-testid': 'event-kind', 'aria-invalid': invalid('kind') },
      ...EVENT_KINDS.map((k) => option(k, t(`event.${k}`), k === d.kind)));
    kind.addEventListener('change', (e) => {
      d.kind = e.target.value;
      result = null;
      render();
      root.querySelector('#ev-kind')?.focus();
    });
    const fields = [
      lbl('kind', 'ev.kind', kind, 'span-all'),
      lbl('date', 'ev.date', el('input', { type: 'date', id: id('date'), 'data-testid': 'event-date', value: d.event_on, oninput: keep('event_on'), 'aria-invalid': invalid('event_on') })),
      lbl('document', 'ev.document', el('input', { type: 'text', id: id('document'), 'data-testid': 'event-document', value: d.document, placeholder: t('ev.documentPlaceholder'), oninput: keep('document'), 'aria-invalid': invalid('document') })),
    ];
    if (CAUSED.has(d.kind)) {
      fields.push(lbl('cause', 'ev.cause', el('select', { id: id('cause'), 'data-testid': 'event-cause', onchange: keep('cause'), 'aria-invalid': invalid('cause') },
        option('', d.kind === 'idle_determination' ? t('ev.choose') : t('ev.causeNone'), d.cause === ''),
        option('enterprise', t('ev.cause.enterprise'), d.cause === 'enterprise'),
        option('government', t('ev.cause.government'), d.cause === 'government')), 'span-all'));
    }
    if (d.kind === 'extension_granted') {
      fields.push(lbl('extended-to', 'ev.extendedToLabel', el('input', { type: 'date', id: id('extended-to'), 'data-testid': 'event-extended-to', value: d.extended_to, oninput: keep('extended_to'), 'aria-invalid': invalid('extended_to') })));
    }
    if (d.kind === 'fee_levied') {
      fields.push(lbl('amount', 'ev.amountLabel', el('input', { type: 'number', min: '0', step: '0.01', id: id('amount'), 'data-testid': 'event-amount', value: d.amount_wan, oninput: keep('amount_wan'), 'aria-invalid': invalid('amount_wan') })));
    }
    fields.push(lbl('note', 'ev.note', el('input', { type: 'text', id: id('note'), 'data-testid': 'event-note', value: d.note, oninput: keep('note') }), 'span-all'));
    const submit = el('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'event-submit', disabled: busy }, t('ev.submit'));
    const f = el('form', { class: 'event-form', 'data-testid': 'event-form', novalidate: true, 'aria-labelledby': 'ev-title' },
      el('h3', { id: 'ev-title' }, t('ev.formTitle')),
      el('div', { class: 'form-grid' }, ...fields),
      el('div', { class: 'btn-row' }, submit),
      el('p', { class: `result-msg ${result ? (result.ok ? 'ok' : 'bad') : ''}`, role: result && !result.ok ? 'alert' : 'status', 'data-testid': 'event-result', hidden: !result }, result?.text || ''));
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      send();
    });
    return f;
  }

  async function send() {
    if (busy || parcelId === null) return;
    const bad = checkDraft(draft);
    if (bad) {
      result = { ok: false, text: bad.message, field: bad.field };
      render();
      focusField(bad.field);
      return;
    }
    const id = parcelId;
    busy = true;
    render();
    let stored;
    try {
      stored = await postJSON(`/api/parcels/${encodeURIComponent(id)}/events`, eventBody(draft));
    } catch (err) {
      busy = false;
      if (id !== parcelId) return; // another parcel is shown by now
      // The server's words: they name the field (details.field) and what is wrong with it.
      result = { ok: false, text: err.message, field: err.details?.field || '' };
      render();
      focusField(result.field);
      return;
    }
    busy = false;
    if (id !== parcelId) return;
    result = { ok: true, text: t('ev.recorded', { kind: t(`event.${stored.kind}`), date: stored.event_on }) };
    draft = fresh();
    render();
    onRecorded(stored);
  }

  function focusField(field) {
    const ids = { kind: 'ev-kind', event_on: 'ev-date', document: 'ev-document', cause: 'ev-cause', extended_to: 'ev-extended-to', amount_wan: 'ev-amount' };
    root.querySelector(`#${ids[field] || 'ev-kind'}`)?.focus();
  }

  let last = { events: null, computedIdle: false, failed: false };
  function render() {
    if (parcelId === null) {
      root.replaceChildren();
      return;
    }
    const { events, computedIdle, failed } = last;
    root.replaceChildren(
      el('h3', {}, t('info.idleEvents')),
      stateLine(events, computedIdle) || '',
      history(events, failed),
      canRecord() ? form() : '',
    );
  }

  return {
    /** Shows a parcel's history: events null while loading. Switching parcels clears the form. */
    show(id, events, computedIdle, failed = false) {
      if (id !== parcelId) {
        parcelId = id;
        draft = fresh();
        result = null;
      }
      last = { events, computedIdle, failed };
      render();
    },
    clear() {
      parcelId = null;
      render();
    },
    render,
  };
}
