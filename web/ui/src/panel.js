// Side panel: layer toggles and legend (parcel statuses double as a status filter).
import { t } from './i18n.js';
import { getStatuses, statusName } from './statuses.js';
import { DISTRICT_COLOR, PARK_COLOR, statusColor, withAlpha, ZONE_COLORS, ZONE_KINDS } from './styles.js';

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'style') node.style.cssText = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  node.append(...children);
  return node;
}

function swatch(kind, style) {
  return el('span', { class: `swatch swatch-${kind}`, style, 'aria-hidden': 'true' });
}

/**
 * layerNames: layers to offer (in panel order); layers: {name: ol layer}; extra: {name: [more
 * layers toggled with it]}; state.hiddenStatuses: Set; onStatusFilter(): called after a change.
 */
export function createPanel({ togglesEl, legendEl, layerNames, layers, extra = {}, state, onStatusFilter }) {
  // ---- layer toggles (built once; labels are re-translated by applyTranslations) ----
  togglesEl.replaceChildren(
    ...layerNames.map((name) => {
      const id = `layer-toggle-${name}`;
      const input = el('input', { type: 'checkbox', id, 'data-testid': id, checked: layers[name].getVisible() });
      input.addEventListener('change', () => {
        layers[name].setVisible(input.checked);
        for (const l of extra[name] || []) l.setVisible(input.checked);
      });
      return el('li', {}, el('label', { class: 'toggle', for: id }, input, el('span', { 'data-i18n': `layer.${name}` })));
    }),
  );

  // ---- legend (rebuilt on language change) ----
  function renderLegend() {
    const sections = [];
    if (layerNames.includes('districts') || layerNames.includes('parks')) {
      const rows = [];
      if (layerNames.includes('districts')) {
        rows.push(el('li', { class: 'legend-row' }, swatch('line', `border-color:${DISTRICT_COLOR}`), el('span', {}, t('legend.district'))));
      }
      if (layerNames.includes('parks')) {
        rows.push(
          el('li', { class: 'legend-row' },
            swatch('area', `border:3px solid ${PARK_COLOR};background:${withAlpha(PARK_COLOR, 0.08)}`),
            el('span', {}, t('legend.park'))),
        );
      }
      sections.push(el('ul', { class: 'legend-list' }, ...rows));
    }
    if (layerNames.includes('protected-zones')) {
      const styles = {
        permanent_basic_farmland: `border:1.5px solid ${ZONE_COLORS.permanent_basic_farmland};background:repeating-linear-gradient(-45deg, ${withAlpha(ZONE_COLORS.permanent_basic_farmland, 0.75)} 0 1.5px, ${withAlpha(ZONE_COLORS.permanent_basic_farmland, 0.1)} 1.5px 5px)`,
        ecological_red_line: `border:2px solid ${ZONE_COLORS.ecological_red_line};background:${withAlpha(ZONE_COLORS.ecological_red_line, 0.12)}`,
        urban_development_boundary: `border:2px dashed ${ZONE_COLORS.urban_development_boundary};background:transparent`,
      };
      sections.push(
        el('h3', {}, t('layer.protected-zones')),
        el('ul', { class: 'legend-list' },
          ...ZONE_KINDS.map((kind) =>
            el('li', { class: 'legend-row', 'data-testid': `legend-zone-${kind}` }, swatch('area', styles[kind]), el('span', {}, t(`zone.${kind}`))),
          )),
      );
    }
    if (layerNames.includes('parcels')) {
      const buttons = getStatuses().map(({ code }) => {
        const color = statusColor(code);
        const shown = !state.hiddenStatuses.has(code);
        const btn = el('button', {
          type: 'button',
          class: 'legend-row legend-status',
          id: `legend-status-${code}`,
          'data-testid': `legend-status-${code}`,
          'aria-pressed': String(shown),
          dataset: { status: code },
        }, swatch('area', `border:1px solid ${color};background:${withAlpha(color, 0.6)}`), el('span', {}, statusName(code)));
        btn.addEventListener('click', () => {
          if (state.hiddenStatuses.has(code)) state.hiddenStatuses.delete(code);
          else state.hiddenStatuses.add(code);
          btn.setAttribute('aria-pressed', String(!state.hiddenStatuses.has(code)));
          onStatusFilter();
        });
        return el('li', {}, btn);
      });
      sections.push(
        el('h3', {}, t('legend.parcelStatus')),
        el('p', { class: 'legend-hint' }, t('legend.statusFilterHint')),
        el('ul', { class: 'legend-list', id: 'legend-statuses' }, ...buttons),
        el('ul', { class: 'legend-list' },
          el('li', { class: 'legend-row' }, swatch('area', 'border:1.5px dashed #555;background:rgba(120,120,120,0.25)'), el('span', {}, t('legend.underground')))),
      );
    }
    legendEl.replaceChildren(...sections);
  }

  renderLegend();
  return { renderLegend };
}
