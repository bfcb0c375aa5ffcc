// Local land-use classes (地方细化地类, e.g. 浙江省 创新型产业用地 100104, written M0 in
// Hangzhou files): added by an admin as data (POST /api/land-use-classes), listed for everyone
// (GET /api/land-use-classes/local) in the layers panel, the legend and the search filter.
import { getJSON, postJSON } from './api.js';
import { el, option } from './dom.js';
import { lang, t } from './i18n.js';

let list = [];
const listeners = new Set();

/** The local classes known so far, by code. */
export function localClasses() {
  return list;
}

/** fn() after the list changed. */
export function onLocalClasses(fn) {
  listeners.add(fn);
}

/** Reads the list again; the panels that show classes re-render. */
export async function loadLocalClasses() {
  const body = await getJSON('/api/land-use-classes/local');
  list = body.classes || [];
  for (const fn of listeners) fn(list);
  return list;
}

/** A local class's name in the reader's language (its Chinese name when it has no English one). */
export function localClassName(code) {
  const c = list.find((x) => x.code === String(code ?? ''));
  if (!c) return '';
  return lang() === 'en' && c.name_en ? c.name_en : c.name_zh;
}

const CODE = /^\d{4}(\d{2})?$/;

/** What is wrong with a draft before it is sent, as {field, message} or null. */
export function checkClassDraft(d, tr = t) {
  const code = String(d.code || '').trim();
  if (!CODE.test(code)) return { field: 'code', message: tr('cls.needCode') };
  if (d.parent_code && d.parent_code !== code.slice(0, -2)) return { field: 'parent_code', message: tr('cls.parentOf', { code, parent: code.slice(0, -2) }) };
  if (!String(d.name_zh || '').trim()) return { field: 'name_zh', message: tr('cls.needNameZh') };
  if (d.construction !== 'true' && d.construction !== 'false') return { field: 'construction', message: tr('cls.needConstruction') };
  if (!String(d.source || '').trim()) return { field: 'source', message: tr('cls.needSource') };
  return null;
}

/** The request body of a draft. */
export function classBody(d) {
  const code = String(d.code || '').trim();
  return {
    code,
    parent_code: String(d.parent_code || '').trim() || code.slice(0, -2),
    name_zh: String(d.name_zh || '').trim(),
    name_en: String(d.name_en || '').trim(),
    construction: d.construction === 'true',
    source: String(d.source || '').trim(),
    aliases: String(d.aliases || '').split(/[,，\s]+/).map((a) => a.trim()).filter(Boolean),
  };
}

/**
 * The list of local classes as a table: in the dialog every column; in the layers panel (300 px)
 * the code and the name with its aliases, the parent class and kind in the row's tooltip (with
 * five columns the name was one character wide, 创新型产业用地 written downwards).
 */
function classTable(testid, compact = false) {
  if (list.length === 0) return el('p', { class: 'muted small', 'data-testid': `${testid}-empty` }, t('cls.none'));
  const keys = compact ? ['cls.code', 'cls.name'] : ['cls.code', 'cls.name', 'cls.parent', 'cls.construction', 'cls.aliases'];
  const row = (c) => {
    const construction = c.construction ? t('yes') : t('no');
    const aliases = (c.aliases || []).join(', ');
    if (compact) {
      const name = localClassName(c.code);
      const title = `${t('cls.parent')} ${c.parent_code} · ${t('cls.construction')} ${construction}`;
      return el('tr', { dataset: { code: c.code }, title }, el('td', { class: 'nowrap' }, c.code),
        el('td', { class: 'cls-name' }, aliases && !name.includes(aliases) ? (lang() === 'zh' ? `${name}（${aliases}）` : `${name} (${aliases})`) : name));
    }
    return el('tr', { dataset: { code: c.code } }, ...[c.code, localClassName(c.code), c.parent_code, construction, aliases].map((v) => el('td', {}, v)));
  };
  return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('cls.title') },
    el('table', { class: 'grid', 'data-testid': testid },
      el('thead', {}, el('tr', {}, ...keys.map((k) => el('th', {}, t(k))))),
      el('tbody', {}, ...list.map(row))));
}

/**
 * sectionEl: the layers panel's section; dialogEl: an empty <dialog>. app.auth.can('admin')
 * shows the add button.
 */
export function createClassesUI(app, sectionEl, dialogEl) {
  let draft = null;
  let result = null; // {ok, text, field}
  let busy = false;

  function fresh() {
    return { code: '', parent_code: '', name_zh: '', name_en: '', construction: '', source: '', aliases: '' };
  }

  function renderSection() {
    sectionEl.replaceChildren(
      el('h2', {}, t('cls.title')),
      el('p', { class: 'hint' }, t('cls.hint')),
      classTable('class-list', true),
      app.auth.can('admin')
        ? el('div', { class: 'btn-row' }, el('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'class-add-open', onclick: () => open() }, t('cls.add')))
        : '',
    );
  }

  function renderDialog() {
    if (!draft) return;
    const d = draft;
    const keep = (key) => (e) => {
      d[key] = e.target.value;
    };
    const invalid = (field) => (result && !result.ok && result.field === field ? 'true' : null);
    const lbl = (id, key, input, cls = '') => el('label', { class: `field ${cls}`, for: id }, el('span', {}, t(key)), input);
    const code = el('input', { id: 'cls-code', 'data-testid': 'class-code', value: d.code, inputmode: 'numeric', placeholder: '100104', 'aria-invalid': invalid('code') });
    const parent = el('input', { id: 'cls-parent', 'data-testid': 'class-parent', value: d.parent_code, inputmode: 'numeric', placeholder: '1001', oninput: keep('parent_code'), 'aria-invalid': invalid('parent_code') });
    code.addEventListener('input', (e) => {
      // The parent follows from the code (its first digits) unless the admin typed another.
      const was = d.code.slice(0, -2);
      d.code = e.target.value.trim();
      if (!d.parent_code || d.parent_code === was) {
        d.parent_code = d.code.length > 2 ? d.code.slice(0, -2) : '';
        parent.value = d.parent_code;
      }
    });
    const form = el('form', { class: 'class-form', 'data-testid': 'class-form', novalidate: true },
      el('h2', { id: 'cls-dialog-title' }, t('cls.add')),
      el('p', { class: 'hint' }, t('cls.formHint')),
      el('div', { class: 'form-grid' },
        lbl('cls-code', 'cls.code', code),
        lbl('cls-parent', 'cls.parent', parent),
        lbl('cls-name-zh', 'cls.nameZh', el('input', { id: 'cls-name-zh', 'data-testid': 'class-name-zh', value: d.name_zh, oninput: keep('name_zh'), 'aria-invalid': invalid('name_zh') })),
        lbl('cls-name-en', 'cls.nameEn', el('input', { id: 'cls-name-en', 'data-testid': 'class-name-en', value: d.name_en, oninput: keep('name_en') })),
        lbl('cls-construction', 'cls.construction', el('select', { id: 'cls-construction', 'data-testid': 'class-construction', onchange: keep('construction'), 'aria-invalid': invalid('construction') },
          option('', t('ev.choose'), d.construction === ''), option('true', t('cls.isConstruction'), d.construction === 'true'), option('false', t('cls.notConstruction'), d.construction === 'false'))),
        lbl('cls-aliases', 'cls.aliases', el('input', { id: 'cls-aliases', 'data-testid': 'class-aliases', value: d.aliases, placeholder: 'M0', oninput: keep('aliases'), 'aria-invalid': invalid('aliases') })),
        lbl('cls-source', 'cls.source', el('input', { id: 'cls-source', 'data-testid': 'class-source', value: d.source, placeholder: t('cls.sourcePlaceholder'), oninput: keep('source'), 'aria-invalid': invalid('source') }), 'span-all')),
      el('p', { class: `result-msg ${result ? (result.ok ? 'ok' : 'bad') : ''}`, role: result && !result.ok ? 'alert' : 'status', 'data-testid': 'class-result', hidden: !result }, result?.text || ''),
      el('h3', {}, t('cls.title')),
      classTable('class-dialog-list'),
      el('div', { class: 'btn-row end' },
        el('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'class-close', onclick: () => dialogEl.close() }, t('cls.close')),
        el('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'class-submit', disabled: busy }, t('cls.submit'))));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      send();
    });
    dialogEl.replaceChildren(form);
  }

  function focusField(field) {
    const ids = { code: 'cls-code', parent_code: 'cls-parent', name_zh: 'cls-name-zh', construction: 'cls-construction', source: 'cls-source', aliases: 'cls-aliases' };
    dialogEl.querySelector(`#${ids[field] || 'cls-code'}`)?.focus();
  }

  async function send() {
    if (busy) return;
    const bad = checkClassDraft(draft);
    if (bad) {
      result = { ok: false, text: bad.message, field: bad.field };
      renderDialog();
      focusField(bad.field);
      return;
    }
    busy = true;
    renderDialog();
    try {
      const stored = await postJSON('/api/land-use-classes', classBody(draft));
      result = { ok: true, text: t('cls.added', { code: stored.code, name: stored.name_zh }) };
      draft = fresh();
      await loadLocalClasses().catch((err) => app.errors.report(t('cls.loadFailed'), err));
    } catch (err) {
      // The server's words: they name the field and what is wrong (a class that exists, an unknown parent).
      result = { ok: false, text: err.message, field: err.details?.field || '' };
    } finally {
      busy = false;
      renderDialog();
      if (result && !result.ok) focusField(result.field);
    }
  }

  function open() {
    draft = fresh();
    result = null;
    renderDialog();
    dialogEl.showModal();
    dialogEl.querySelector('#cls-code')?.focus();
  }

  onLocalClasses(() => renderSection());
  renderSection();
  loadLocalClasses().catch((err) => app.errors.report(t('cls.loadFailed'), err));
  return {
    open,
    render() {
      renderSection();
      if (dialogEl.open) renderDialog();
    },
  };
}
