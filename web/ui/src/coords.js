// Coordinates for surveyors: the pointer in longitude/latitude and in EPSG:4549 X/Y (X northing,
// Y easting, as 界址点 tables write them), and a "go to" box that takes a coordinate in either
// system or finds parcels by code or name.
import Feature from 'ol/Feature.js';
import Point from 'ol/geom/Point.js';
import VectorLayer from 'ol/layer/Vector.js';
import { fromLonLat } from 'ol/proj.js';
import VectorSource from 'ol/source/Vector.js';
import { Circle, Fill, Stroke, Style } from 'ol/style.js';
import { getJSON } from './api.js';
import { el } from './dom.js';
import { applyTranslations, onLangChange, t } from './i18n.js';
import { parseCoordinate, toGK } from './gk.js';
import { readFeatures } from './layers.js';

/** The pointer's position, both systems, labelled (MousePosition's coordinateFormat, in EPSG:4326). */
export function formatPointer(lonLat) {
  if (!lonLat) return '';
  const [x, y] = toGK(lonLat);
  return `${t('coords.lonLat')} ${lonLat[0].toFixed(6)}, ${lonLat[1].toFixed(6)}  ·  EPSG:4549 X ${y.toFixed(2)} Y ${x.toFixed(2)}`;
}

/**
 * Puts the go-to box into container. onParcel(feature) is called with a parcel found by code or
 * name (a GeoJSON feature read into the map's projection) after the map zoomed to it.
 */
export function createGoTo(map, container, { onParcel, onError } = {}) {
  const marker = new VectorLayer({
    source: new VectorSource(),
    zIndex: 1000,
    style: new Style({ image: new Circle({ radius: 7, fill: new Fill({ color: 'rgba(255,255,255,0.6)' }), stroke: new Stroke({ color: '#d32f2f', width: 3 }) }) }),
  });
  marker.set('name', 'goto-marker');
  map.addLayer(marker);
  const input = el('input', { type: 'search', class: 'goto-input', 'data-testid': 'goto-input', 'data-i18n-title': 'coords.placeholder', autocomplete: 'off' });
  const placeholder = () => { input.placeholder = t('coords.placeholder'); };
  placeholder();
  onLangChange(placeholder);
  const results = el('ul', { class: 'goto-results', 'data-testid': 'goto-results', hidden: true });
  const form = el('form', { class: 'goto-box', 'data-testid': 'goto-box', role: 'search' }, input, results);
  container.append(form);
  applyTranslations(form);

  function showParcel(f) {
    results.hidden = true;
    map.getView().fit(f.getGeometry().getExtent(), { maxZoom: 17, padding: [80, 80, 80, 80], duration: 0 });
    if (onParcel) onParcel(f);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    marker.getSource().clear();
    results.replaceChildren();
    results.hidden = true;
    if (!text) return;
    const c = parseCoordinate(text);
    if (c) {
      const at = fromLonLat(c.lonLat, map.getView().getProjection());
      marker.getSource().addFeature(new Feature(new Point(at)));
      map.getView().animate({ center: at, zoom: Math.max(map.getView().getZoom() ?? 0, 16), duration: 0 });
      form.dataset.found = c.system;
      return;
    }
    try {
      const fc = await getJSON(`/api/layers/parcels?${new URLSearchParams({ name: text, limit: '20', properties: 'code,name,owner,status' })}`);
      const features = readFeatures(fc.features || []);
      form.dataset.found = String(features.length);
      // One match, or a code typed in full: open it; otherwise list them.
      const exact = features.find((f) => String(f.get('code')).toLowerCase() === text.toLowerCase());
      if (exact || features.length === 1) {
        showParcel(exact || features[0]);
        return;
      }
      results.replaceChildren(...(features.length === 0
        ? [el('li', { class: 'muted' }, t('coords.nothing'))]
        : features.map((f) => el('li', {},
          el('button', { type: 'button', 'data-testid': 'goto-result', onclick: () => showParcel(f) },
            [f.get('code'), f.get('name'), f.get('owner')].filter(Boolean).join(' · '))))));
      results.hidden = false;
    } catch (err) {
      if (onError) onError(err);
    }
  });
  return { input, form };
}
