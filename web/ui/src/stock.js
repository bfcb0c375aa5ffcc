// Stock land (存量用地): the derived flags of a parcel (批而未供, 闲置 with years, the five kinds
// of low-efficiency land) from GET /api/stock, and the stock-land map layer.
import GeoJSON from 'ol/format/GeoJSON.js';
import VectorLayer from 'ol/layer/Vector.js';
import { bbox as bboxStrategy } from 'ol/loadingstrategy.js';
import { transformExtent } from 'ol/proj.js';
import VectorSource from 'ol/source/Vector.js';
import { Fill, Stroke, Style } from 'ol/style.js';
import { getJSON, query } from './api.js';
import { bboxOf } from './geom.js';
import { t } from './i18n.js';
import { withAlpha } from './styles.js';

export const STOCK_COLORS = { idle: '#d50000', unsupplied: '#ff6d00', low: '#6a1b9a' };
/** Stock land is drawn from this zoom (the layer answers by bbox, limited). */
export const STOCK_MIN_ZOOM = 13;

/** The flags of a stock feature's properties, as [{kind, label}], most serious first. */
export function flagsOf(p, tr = t) {
  const flags = [];
  if (p.idle) flags.push({ kind: 'idle', label: tr('flag.idle', { years: p.idle_years ?? 0 }) });
  if (p.idle_exempt) flags.push({ kind: 'idle', label: tr('flag.idleExempt') });
  if (p.recovery_due) flags.push({ kind: 'idle', label: tr('flag.recoveryDue') });
  if (p.unsupplied) {
    const years = p.unsupplied_years ?? 0;
    flags.push({ kind: 'unsupplied', label: years > 0 ? tr('flag.unsupplied', { years }) : tr('flag.unsuppliedNew') });
  }
  for (const k of p.low_efficiency || []) {
    if (k !== 'unsupplied') flags.push({ kind: 'low', label: tr(`low.${k}`) });
  }
  return flags;
}

function stockKind(p) {
  if (p.idle || p.idle_exempt) return 'idle';
  if (p.unsupplied) return 'unsupplied';
  return 'low';
}

const styles = {};
function stockStyle(feature) {
  const kind = stockKind(feature.getProperties());
  if (!styles[kind]) {
    const c = STOCK_COLORS[kind];
    styles[kind] = new Style({
      fill: new Fill({ color: withAlpha(c, 0.12) }),
      stroke: new Stroke({ color: c, width: 2.5, lineDash: kind === 'unsupplied' ? [6, 4] : kind === 'low' ? [2, 3] : undefined }),
    });
  }
  return styles[kind];
}

export function createStock(app) {
  const format = new GeoJSON({ dataProjection: 'EPSG:4326' });
  const source = new VectorSource({
    strategy: bboxStrategy,
    loader: (extent, resolution, projection) => {
      const b = transformExtent(extent, projection, 'EPSG:4326').map((v) => v.toFixed(6));
      return getJSON(`/api/stock${query({ bbox: b, limit: 5000 })}`)
        .then((fc) => format.readFeatures(fc, { featureProjection: projection }))
        .catch((err) => {
          app.errors.report(t('error.layer', { layer: t('layer.stock') }), err);
          throw err;
        });
    },
  });
  const layer = new VectorLayer({
    source,
    style: stockStyle,
    visible: false,
    minZoom: STOCK_MIN_ZOOM - 1e-6,
    zIndex: 45,
    properties: { name: 'stock' },
  });
  app.data.onRefresh(() => source.refresh());

  return {
    layer,
    /**
     * Flags of one parcel, given its GeoJSON geometry: [] when it is no stock land,
     * null when the server cannot say.
     */
    async flags(id, geometry) {
      if (!geometry) return null;
      const b = bboxOf(geometry).map((v) => v.toFixed(7));
      try {
        const fc = await getJSON(`/api/stock${query({ bbox: b, limit: 1000 })}`);
        const f = (fc.features || []).find((x) => Number(x.id) === Number(id));
        return f ? flagsOf(f.properties) : [];
      } catch (err) {
        if (err.status === 404) return null;
        throw err;
      }
    },
  };
}
