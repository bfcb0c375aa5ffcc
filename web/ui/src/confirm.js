// The confirmation of a quota move (grant, release, booking, approval, reversal, year close):
// what moves, from and to which account, the amount in 公顷 and 亩, and each account's balance
// before and after as the server's figures give them. It reuses the page's #confirm-dialog (so
// every confirmation looks and is tested alike, giving its content back afterwards) or makes one; a modal <dialog> with role=dialog
// whose Tab key stays inside. For approvals the focus starts on Cancel, so Enter alone cancels.
import { el } from './dom.js';
import { fmt, m2ToHm2, m2ToMu } from './format.js';
import { lang, pick, t } from './i18n.js';

/** "12.34 公顷 / 185.10 亩": the two units officials read, side by side. */
export function hmMu(m2) {
  const v = Number(m2) || 0;
  return `${fmt(m2ToHm2(v))} ${t('unit.hm2')} / ${fmt(m2ToMu(v))} ${t('unit.mu')}`;
}

/** An account as the dialogs name it: "滨江区（330108）" or "Binjiang (330108)". */
export function accountLabel(a) {
  const name = a.name || pick(a, 'name');
  const code = a.code || a.account_id;
  return lang() === 'en' ? `${name} (${code})` : `${name}（${code}）`;
}

function dialogEl() {
  let dlg = document.getElementById('confirm-dialog');
  if (!dlg) {
    dlg = el('dialog', { id: 'confirm-dialog', 'data-testid': 'confirm-dialog' });
    document.body.append(dlg);
  }
  return dlg;
}

let open = null; // the pending confirmation's resolve, one at a time

/** A table cell with an amount in 公顷 over 亩 (— when the server gives no figure); data-m2 keeps the exact value. */
function cell(m2, cls) {
  if (m2 === undefined || m2 === null) return el('td', { class: cls }, '—');
  const v = Number(m2) || 0;
  return el('td', { class: cls, dataset: { m2: String(m2) } },
    `${fmt(m2ToHm2(v))} ${t('unit.hm2')}`, el('span', { class: 'mu' }, `${fmt(m2ToMu(v))} ${t('unit.mu')}`));
}

/**
 * Asks before a quota move. opts: {title, text, moves: [{account, amount_m2, before_m2, after_m2}],
 * rows: [[label, value]] (extra facts), okLabel, focusCancel (approvals: Enter must not confirm),
 * reason: {label, required} (asks a reason; resolves to it)}. Resolves to false when cancelled,
 * otherwise true (or the reason typed).
 */
export function confirmMove(opts) {
  if (open) open(false);
  const dlg = dialogEl();
  dlg.setAttribute('role', 'dialog');
  dlg.setAttribute('aria-modal', 'true');
  dlg.setAttribute('aria-labelledby', 'confirm-title');
  dlg.setAttribute('aria-describedby', 'confirm-text');
  dlg.classList.add('move-dialog');

  const moves = opts.moves || [];
  const table = moves.length
    ? el('table', { class: 'grid move-table', 'data-testid': 'confirm-moves' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, t('move.account')),
        el('th', { scope: 'col', class: 'num' }, t('move.amount')),
        el('th', { scope: 'col', class: 'num' }, t('move.before')),
        el('th', { scope: 'col', class: 'num' }, t('move.after')))),
      el('tbody', {}, ...moves.map((m, i) => el('tr', { 'data-testid': `confirm-move-${i}` },
        el('td', {}, m.account),
        cell(m.amount_m2, 'num strong'),
        cell(m.before_m2, 'num'),
        cell(m.after_m2, `num${m.after_m2 < 0 ? ' neg' : ''}`)))))
    : null;
  const rows = (opts.rows || []).filter(([, v]) => v !== undefined && v !== null && v !== '');
  const facts = rows.length ? el('dl', { class: 'kv', 'data-testid': 'confirm-facts' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])) : null;
  const reasonInput = opts.reason ? el('input', { type: 'text', id: 'confirm-reason', 'data-testid': 'confirm-reason', required: opts.reason.required ? true : undefined }) : null;
  const reasonField = reasonInput ? el('label', { class: 'field', for: 'confirm-reason' }, el('span', {}, opts.reason.label || t('alloc.reason')), reasonInput) : null;
  const msg = el('p', { class: 'result-msg bad', 'data-testid': 'confirm-error', hidden: true });
  if (reasonInput) reasonInput.addEventListener('input', () => { msg.hidden = true; });
  const cancel = el('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'confirm-cancel' }, t('cancel'));
  const ok = el('button', { type: 'button', class: `btn ${opts.danger ? 'btn-danger' : 'btn-primary'}`, id: 'confirm-ok', 'data-testid': 'confirm-ok' }, opts.okLabel || t('confirm'));
  const form = el('form', { method: 'dialog', class: 'move-form', novalidate: true },
    el('h2', { id: 'confirm-title' }, opts.title),
    el('p', { id: 'confirm-text' }, opts.text || ''),
    table, facts, reasonField, msg,
    el('div', { class: 'btn-row end' }, cancel, ok));
  // A move is never confirmed by a form's implicit submission (Enter in the reason field).
  form.addEventListener('submit', (e) => e.preventDefault());
  // The page's own content of the dialog (main.js's plain confirm) comes back afterwards.
  const original = [...dlg.childNodes];
  dlg.replaceChildren(form);

  const opener = document.activeElement; // focus goes back there when the dialog closes
  return new Promise((resolve) => {
    const finish = (v) => {
      open = null;
      dlg.removeEventListener('cancel', onEscape);
      dlg.removeEventListener('keydown', onKey);
      if (dlg.open) dlg.close();
      dlg.replaceChildren(...original);
      if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
      resolve(v);
    };
    open = finish;
    const onEscape = (e) => {
      e.preventDefault();
      finish(false);
    };
    const onKey = (e) => {
      if (e.key !== 'Tab') return;
      const focusable = [...dlg.querySelectorAll('button, input, select, textarea, [href], [tabindex]:not([tabindex="-1"])')].filter((x) => !x.disabled && !x.closest('[hidden]'));
      if (!focusable.length) return;
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    cancel.addEventListener('click', () => finish(false));
    ok.addEventListener('click', () => {
      if (reasonInput) {
        const r = reasonInput.value.trim();
        if (opts.reason.required && !r) {
          msg.hidden = false;
          msg.textContent = t('alloc.needReason');
          reasonInput.focus();
          return;
        }
        finish(r || true);
        return;
      }
      finish(true);
    });
    dlg.addEventListener('cancel', onEscape);
    dlg.addEventListener('keydown', onKey);
    dlg.dataset.lang = lang();
    if (!dlg.open) dlg.showModal();
    (reasonInput || (opts.focusCancel ? cancel : ok)).focus();
  });
}
