// Identify on every layer: a click off the parcels lists what lies under the pointer in
// the other layers (protected zones, parks, districts, stock land), in a popup on the map.
import Overlay from 'ol/Overlay.js';
import { el } from './dom.js';
import { areaText } from './format.js';
import { lang, pick, t } from './i18n.js';

/** The layers identify looks at, top first, and how a feature of each reads. */
const LAYERS = ['protected-zones', 'parks', 'districts'];

function describe(layerName, p) {
  if (layerName === 'protected-zones') {
    return { title: t(`zone.${p.kind}`) || p.kind, lines: [pick(p, 'name'), p.area_m2 ? areaText(p.area_m2, lang()) : ''] };
  }
  if (layerName === 'parks') return { title: pick(p, 'name'), lines: [p.code, p.area_m2 ? areaText(p.area_m2, lang()) : ''] };
  return { title: pick(p, 'name'), lines: [p.adcode, p.area_m2 ? areaText(p.area_m2, lang()) : ''] };
}

export function createIdentify(map, layers) {
  const closeBtn = el('button', { type: 'button', class: 'identify-close', 'data-testid': 'identify-close', 'aria-label': t('info.close'), title: t('info.close') }, '×');
  const list = el('ul', { class: 'identify-list' });
  const box = el('div', { class: 'identify-popup', 'data-testid': 'identify', role: 'dialog', 'aria-label': t('identify.title') }, closeBtn, list);
  const overlay = new Overlay({ element: box, positioning: 'bottom-center', offset: [0, -10], autoPan: { margin: 40 }, stopEvent: true });
  map.addOverlay(overlay);
  closeBtn.addEventListener('click', () => close());
  let last = null;

  function close() {
    overlay.setPosition(undefined);
    last = null;
  }

  function render() {
    if (!last) return;
    closeBtn.setAttribute('aria-label', t('info.close'));
    list.replaceChildren(...last.hits.map(({ layerName, props }) => {
      const d = describe(layerName, props);
      return el('li', { 'data-layer': layerName, 'data-testid': `identify-${layerName}` },
        el('div', { class: 'identify-layer muted small' }, t(`layer.${layerName}`)),
        el('div', { class: 'identify-name' }, d.title),
        ...d.lines.filter(Boolean).map((l) => el('div', { class: 'small' }, l)));
    }));
  }

  return {
    /** Lists the features at a map coordinate; false when there is none (the popup closes). */
    at(coordinate) {
      const hits = [];
      for (const name of LAYERS) {
        const layer = layers[name];
        if (!layer || !layer.getVisible()) continue;
        // Containment, not the drawn pixels: districts and boundaries are drawn as outlines only.
        for (const f of layer.getSource().getFeaturesAtCoordinate(coordinate)) hits.push({ layerName: name, props: f.getProperties() });
      }
      if (hits.length === 0) {
        close();
        return false;
      }
      last = { hits };
      render();
      overlay.setPosition(coordinate);
      return true;
    },
    close,
    render,
  };
}
