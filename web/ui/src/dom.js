// Small DOM helpers shared by the panels.

/** Query one element. */
export const $ = (sel, root = document) => root.querySelector(sel);
/** Query all elements as an array. */
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/**
 * el('div', {class: 'x', dataset: {a: 1}, onclick: fn}, child, 'text', ...)
 * Attributes with false/null/undefined are skipped; on* functions become listeners.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'style' && typeof v === 'string') node.style.cssText = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'value') node.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled') node[k] = Boolean(v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

/** The plan-year field (2000–2100): onYear(y) runs when a valid year is picked. */
export function yearInput(year, testid, onYear) {
  const input = el('input', { type: 'number', min: '2000', max: '2100', value: String(year), class: 'year-input', 'data-testid': testid });
  input.addEventListener('change', () => {
    const y = Number(input.value);
    if (y >= 2000 && y <= 2100) onYear(y);
  });
  return input;
}

/** An <option>. */
export function option(value, label, selected = false) {
  return el('option', { value, selected }, label);
}

/** Replace a select's options, keeping the current value when it still exists. */
export function setOptions(select, options) {
  const keep = select.value;
  select.replaceChildren(...options.map(([v, label]) => option(v, label)));
  if (options.some(([v]) => String(v) === keep)) select.value = keep;
}

/** A unique-enough key for idempotent POSTs. */
export function newKey(prefix = 'ui') {
  const rnd = globalThis.crypto?.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return `${prefix}-${rnd}`;
}
