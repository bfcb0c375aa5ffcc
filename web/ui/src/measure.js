// A measuring tool on the map: a distance (m, km) or an area (m², 亩, 公顷), measured on the
// ellipsoid (ol/sphere), so that a figure does not depend on the Web Mercator distortion.
import Control from 'ol/control/Control.js';
import Draw from 'ol/interaction/Draw.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { getArea, getLength } from 'ol/sphere.js';
import { Circle as CircleStyle, Fill, Stroke, Style } from 'ol/style.js';
import { el } from './dom.js';
import { fmt, m2ToHm2, m2ToMu } from './format.js';
import { t } from './i18n.js';

const COLOR = '#ff6f00';
const style = new Style({
  fill: new Fill({ color: 'rgba(255,111,0,0.12)' }),
  stroke: new Stroke({ color: COLOR, width: 2.5, lineDash: [8, 5] }),
  image: new CircleStyle({ radius: 4, fill: new Fill({ color: COLOR }) }),
});

/** A length in metres as text: metres below 1 km. */
export function lengthText(m) {
  return m < 1000 ? `${fmt(m, 1)} m` : `${fmt(m / 1000, 3)} km`;
}

/** An area in m² as text in the three units officials use. */
export function areaTexts(m2) {
  return [`${fmt(m2, 1)} ${t('unit.m2')}`, `${fmt(m2ToMu(m2), 2)} ${t('unit.mu')}`, `${fmt(m2ToHm2(m2), 2)} ${t('unit.hm2')}`];
}

/**
 * Adds the measure control to map. While measuring, `active` is true and map clicks are the
 * tool's (main.js skips them).
 */
export function createMeasure(map) {
  const source = new VectorSource();
  const layer = new VectorLayer({ source, style, zIndex: 70, properties: { name: 'measure' } });
  map.addLayer(layer);
  let draw = null;
  let kind = null;
  let finishedAt = 0; // the click that ends a measurement must not also open a parcel

  const result = el('div', { class: 'measure-result', 'data-testid': 'measure-result', role: 'status', 'aria-live': 'polite' });
  const buttons = {};
  const box = el('div', { class: 'measure-control ol-unselectable ol-control' });
  const projection = map.getView().getProjection();

  function show(geom) {
    if (!geom) {
      result.replaceChildren();
      return;
    }
    if (geom.getType() === 'LineString') {
      const m = getLength(geom, { projection });
      result.dataset.metres = String(m);
      result.replaceChildren(el('span', {}, `${t('measure.distance')}: ${lengthText(m)}`));
    } else {
      const m2 = getArea(geom, { projection });
      result.dataset.m2 = String(m2);
      result.replaceChildren(el('span', {}, `${t('measure.area')}:`), ...areaTexts(m2).map((s) => el('span', { class: 'measure-line' }, s)));
    }
  }

  function stop() {
    if (draw) map.removeInteraction(draw);
    draw = null;
    kind = null;
    render();
  }

  function start(next) {
    const wasSame = kind === next;
    stop();
    if (wasSame) return;
    kind = next;
    source.clear();
    result.replaceChildren();
    delete result.dataset.metres;
    delete result.dataset.m2;
    draw = new Draw({ source, type: next === 'distance' ? 'LineString' : 'Polygon', style });
    draw.on('drawstart', (e) => {
      source.clear();
      e.feature.getGeometry().on('change', (g) => show(g.target));
    });
    draw.on('drawend', (e) => {
      show(e.feature.getGeometry());
      finishedAt = Date.now();
      setTimeout(stop, 0); // one measurement per press of the button
    });
    map.addInteraction(draw);
    render();
  }

  function render() {
    for (const [k, b] of Object.entries(buttons)) {
      b.textContent = t(`measure.${k}`);
      b.setAttribute('aria-pressed', String(kind === k));
      b.classList.toggle('active', kind === k);
    }
    clearBtn.textContent = t('measure.clear');
    title.textContent = t('measure.title');
    hint.textContent = kind ? t('measure.hint') : '';
    hint.hidden = !kind;
  }

  const title = el('span', { class: 'measure-title' });
  for (const k of ['distance', 'area']) {
    buttons[k] = el('button', { type: 'button', 'data-testid': `measure-${k}`, onclick: () => start(k) });
  }
  const clearBtn = el('button', {
    type: 'button',
    'data-testid': 'measure-clear',
    onclick: () => {
      stop();
      source.clear();
      show(null);
    },
  });
  const hint = el('div', { class: 'measure-hint muted small' });
  box.append(title, buttons.distance, buttons.area, clearBtn, hint, result);
  map.addControl(new Control({ element: box }));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && draw) stop();
  });
  render();

  return {
    /** Measuring now, or just finished (the closing click's singleclick is still to come). */
    get active() {
      return Boolean(draw) || Date.now() - finishedAt < 600;
    },
    render,
    stop,
  };
}
