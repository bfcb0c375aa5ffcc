// The layers panel (toggles, parcel colouring) and the floating map legend, whose parcel
// entries double as a filter (click to hide / show a status or a land-use class).
import { localClasses, localClassName } from './classes.js';
import { el } from './dom.js';
import { t } from './i18n.js';
import { LAND_USE_CLASSES, landUseClassName, landUseColor } from './landuse.js';
import { getStatuses, statusName } from './statuses.js';
import { STOCK_COLORS } from './stock.js';
import {
  ALLOCATION_COLORS,
  ALLOCATION_KINDS,
  HIGHLIGHT_COLOR,
  NO_PROJECT_COLOR,
  OUTCOME_COLORS,
  OUTCOMES,
  SELECTION_COLOR,
  statusColor,
  withAlpha,
  ZONE_KINDS,
  districtColor,
  parkColor,
  zoneColor,
} from './styles.js';

function swatch(kind, style) {
  return el('span', { class: `swatch swatch-${kind}`, style, 'aria-hidden': 'true' });
}

/** The legend's swatch of a protected-line kind: the map's hatching and dashes in CSS. */
function zoneSwatch(kind) {
  const c = zoneColor(kind);
  switch (kind) {
    case 'permanent_basic_farmland':
      return `border:1.5px solid ${c};background:repeating-linear-gradient(-45deg, ${withAlpha(c, 0.75)} 0 1.5px, ${withAlpha(c, 0.1)} 1.5px 5px)`;
    case 'ecological_red_line':
      return `border:2px solid ${c};background:${withAlpha(c, 0.12)}`;
    default:
      return `border:2px dashed ${c};background:transparent`;
  }
}

/**
 * togglesEl / colorByEl: in the layers panel; legendEl: the floating legend's body.
 * layers: {name: ol layer}; extra: {name: [layers toggled with it]}; state: colorBy,
 * hiddenStatuses, hiddenClasses, decisions, decisionLabel; onChange(): restyle parcels.
 */
export function createPanel({ togglesEl, colorByEl, legendEl, layerNames, layers, extra = {}, overlays = {}, state, onChange }) {
  // The search-result and selection entries show only while those overlays hold something.
  let pending = false;
  for (const o of [overlays.highlight, overlays.selection]) {
    if (!o) continue;
    const later = () => {
      if (pending) return;
      pending = true;
      setTimeout(() => {
        pending = false;
        renderLegend();
      }, 50);
    };
    o.getSource().on('change', later);
    o.on('change:visible', later);
  }
  const has = (o) => Boolean(o && o.getVisible() && o.getSource().getFeatures().length);

  // ---- layer toggles (labels re-translated by applyTranslations) ----
  togglesEl.replaceChildren(
    ...layerNames.map((name) => {
      const id = `layer-toggle-${name}`;
      const input = el('input', { type: 'checkbox', id, 'data-testid': id, checked: layers[name].getVisible() });
      input.addEventListener('change', () => {
        layers[name].setVisible(input.checked);
        for (const l of extra[name] || []) l.setVisible(input.checked);
        renderLegend();
      });
      return el('li', {}, el('label', { class: 'toggle', for: id }, input, el('span', { 'data-i18n': `layer.${name}` })));
    }),
  );

  // ---- colour by ----
  function renderColorBy() {
    const modes = ['status', 'landuse'];
    if (state.decisions) modes.push('decision');
    colorByEl.replaceChildren(
      ...modes.map((mode) =>
        el('button', {
          type: 'button',
          class: `seg${state.colorBy === mode ? ' active' : ''}`,
          'data-testid': `color-by-${mode}`,
          'aria-pressed': String(state.colorBy === mode),
          onclick: () => setColorBy(mode),
        }, t(`colorBy.${mode}`)),
      ),
    );
  }

  function setColorBy(mode) {
    state.colorBy = mode;
    renderColorBy();
    renderLegend();
    onChange();
  }

  function filterButton(id, label, color, hiddenSet, code) {
    const shown = !hiddenSet.has(code);
    return el('li', {},
      el('button', {
        type: 'button',
        class: 'legend-row legend-filter',
        'data-testid': id,
        'aria-pressed': String(shown),
        title: t('legend.filterHint'),
        onclick: (e) => {
          if (hiddenSet.has(code)) hiddenSet.delete(code);
          else hiddenSet.add(code);
          e.currentTarget.setAttribute('aria-pressed', String(!hiddenSet.has(code)));
          onChange();
        },
      }, swatch('area', `border:1px solid ${color};background:${withAlpha(color, 0.65)}`), el('span', {}, label)));
  }

  function renderLegend() {
    const visible = (name) => layerNames.includes(name) && layers[name].getVisible();
    const sections = [];
    const lines = [];
    if (visible('districts')) lines.push(el('li', { class: 'legend-row', 'data-testid': 'legend-district' }, swatch('line', `border-color:${districtColor()}`), el('span', {}, t('legend.district'))));
    if (visible('parks')) {
      lines.push(el('li', { class: 'legend-row', 'data-testid': 'legend-park' }, swatch('area', `border:2.5px solid ${parkColor()};background:${withAlpha(parkColor(), 0.06)}`), el('span', {}, t('legend.park'))));
    }
    if (visible('protected-zones')) {
      for (const kind of ZONE_KINDS) {
        lines.push(el('li', { class: 'legend-row', 'data-testid': `legend-zone-${kind}` }, swatch('area', zoneSwatch(kind)), el('span', {}, t(`zone.${kind}`))));
      }
    }
    if (has(overlays.highlight)) {
      lines.push(el('li', { class: 'legend-row' }, swatch('area', `border:2px solid #005f6b;background:${withAlpha(HIGHLIGHT_COLOR, 0.62)}`), el('span', {}, t('legend.searchResult'))));
    }
    if (has(overlays.selection)) {
      lines.push(el('li', { class: 'legend-row' }, swatch('area', `border:2.5px solid ${SELECTION_COLOR};background:${withAlpha(SELECTION_COLOR, 0.35)}`), el('span', {}, t('legend.selection'))));
    }
    sections.push(el('ul', { class: 'legend-list legend-2col' }, ...lines));

    if (visible('stock')) {
      sections.push(el('h3', {}, t('layer.stock')), el('ul', { class: 'legend-list' },
        ...['idle', 'unsupplied', 'low'].map((k) => el('li', { class: 'legend-row', 'data-testid': `legend-stock-${k}` },
          swatch('area', `border:2.5px ${k === 'idle' ? 'solid' : k === 'unsupplied' ? 'dashed' : 'dotted'} ${STOCK_COLORS[k]};background:${withAlpha(STOCK_COLORS[k], 0.12)}`),
          el('span', {}, t(`legend.stock.${k}`))))));
    }
    if (visible('allocations')) {
      sections.push(el('h3', {}, t('layer.allocations')), el('ul', { class: 'legend-list' },
        ...ALLOCATION_KINDS.map((k) => el('li', { class: 'legend-row', 'data-testid': `legend-allocation-${k}` },
          swatch('area', `border:2.5px ${k === 'none' ? 'dashed' : 'solid'} ${ALLOCATION_COLORS[k]};background:#fff`),
          el('span', {}, t(`legend.allocation.${k}`))))));
    }
    if (visible('parcels')) {
      let title;
      let items;
      if (state.colorBy === 'landuse') {
        title = t('legend.parcelLandUse');
        items = LAND_USE_CLASSES.map((c) =>
          filterButton(`legend-landuse-${c.code}`, `${c.code} ${landUseClassName(c.code)}`, c.color, state.hiddenClasses, c.code));
        // Local classes take their first-level class's colour (and filter with it).
        for (const c of localClasses()) {
          const aliases = (c.aliases || []).length ? ` (${c.aliases.join(', ')})` : '';
          items.push(el('li', { class: 'legend-row legend-local', 'data-testid': `legend-local-${c.code}` },
            swatch('area', `border:1px solid ${landUseColor(c.code)};background:${withAlpha(landUseColor(c.code), 0.65)}`),
            el('span', {}, `${c.code} ${localClassName(c.code)}${aliases} · ${t('cls.local')}`)));
        }
      } else if (state.colorBy === 'decision' && state.decisions) {
        title = `${t('legend.parcelDecision')}${state.decisionLabel ? ` · ${state.decisionLabel}` : ''}`;
        items = [
          ...OUTCOMES.map((o) => el('li', { class: 'legend-row', 'data-testid': `legend-outcome-${o}` },
            swatch('area', `border:1px solid ${OUTCOME_COLORS[o]};background:${withAlpha(OUTCOME_COLORS[o], 0.65)}`), el('span', {}, t(`outcome.${o}`)))),
          el('li', { class: 'legend-row' }, swatch('area', `border:1px solid #9aa5b1;background:${withAlpha(NO_PROJECT_COLOR, 0.5)}`), el('span', {}, t('legend.noProject'))),
        ];
      } else {
        title = t('legend.parcelStatus');
        items = getStatuses().map(({ code }) => filterButton(`legend-status-${code}`, statusName(code), statusColor(code), state.hiddenStatuses, code));
      }
      sections.push(
        el('h3', {}, title),
        el('ul', { class: 'legend-list', id: 'legend-parcels' }, ...items),
        el('ul', { class: 'legend-list' },
          el('li', { class: 'legend-row' }, swatch('area', 'border:1.5px dashed #555;background:rgba(120,120,120,0.25)'), el('span', {}, t('legend.underground'))),
          el('li', { class: 'legend-row', 'data-testid': 'legend-aggregate' }, swatch('area', 'background:rgba(120,120,120,0.75)'), el('span', {}, t('legend.aggregate')))),
      );
    }
    legendEl.replaceChildren(...sections);
  }

  renderColorBy();
  renderLegend();
  return {
    renderLegend,
    render() {
      renderColorBy();
      renderLegend();
    },
    setColorBy,
  };
}
