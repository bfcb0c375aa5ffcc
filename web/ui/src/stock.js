// Stock land (存量用地): the derived flags of a parcel (批而未供, 闲置 with years, the five kinds
// of low-efficiency land) from GET /api/stock, and the stock-land map layer.
import GeoJSON from 'ol/format/GeoJSON.js';
import VectorLayer from 'ol/layer/Vector.js';
import { bbox as bboxStrategy } from 'ol/loadingstrategy.js';
import { transformExtent } from 'ol/proj.js';
import VectorSource from 'ol/source/Vector.js';
import { getCenter } from 'ol/extent.js';
import Point from 'ol/geom/Point.js';
import Cluster from 'ol/source/Cluster.js';
import { Circle as CircleStyle, Fill, Stroke, Style, Text } from 'ol/style.js';
import { getJSON, query } from './api.js';
import { bboxOf } from './geom.js';
import { t } from './i18n.js';
import { FONT_STACK, withAlpha } from './styles.js';

// Idle land is black: no parcel status is, so it never reads as 已征收 (red).
export const STOCK_COLORS = { idle: '#1a1a1a', unsupplied: '#ff6d00', low: '#6a1b9a' };
/** Stock parcels are drawn one by one from this zoom, as counted circles below it. */
export const STOCK_MIN_ZOOM = 15;

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

// Below STOCK_MIN_ZOOM: nearby stock parcels merge into a circle with their number, in the
// colour of the most serious kind among them.
const clusterStyles = new Map();
const SERIOUSNESS = ['idle', 'unsupplied', 'low'];
function clusterStyle(feature) {
  const members = feature.get('features') || [];
  let worst = 2;
  for (const m of members) worst = Math.min(worst, SERIOUSNESS.indexOf(stockKind(m.getProperties())));
  const kind = SERIOUSNESS[worst];
  const n = members.length;
  const key = `${kind}|${n}`;
  let style = clusterStyles.get(key);
  if (!style) {
    const radius = n === 1 ? 6 : Math.min(24, 9 + 3 * Math.log2(n));
    style = new Style({
      image: new CircleStyle({
        radius,
        fill: new Fill({ color: withAlpha(STOCK_COLORS[kind], 0.85) }),
        stroke: new Stroke({ color: '#ffffff', width: 2 }),
      }),
      text: n > 1 ? new Text({ text: String(n), font: `600 11px ${FONT_STACK}`, fill: new Fill({ color: '#ffffff' }) }) : undefined,
    });
    clusterStyles.set(key, style);
  }
  return style;
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
  const clusters = new VectorLayer({
    source: new Cluster({
      source,
      distance: 36,
      minDistance: 10,
      geometryFunction: (f) => new Point(getCenter(f.getGeometry().getExtent())),
    }),
    style: clusterStyle,
    visible: false,
    maxZoom: STOCK_MIN_ZOOM,
    zIndex: 46,
    properties: { name: 'stock-clusters' },
  });
  app.data.onRefresh(() => source.refresh());

  return {
    layer,
    clusters,
    /**
     * Stock facts of one parcel, given its GeoJSON geometry: {flags, props} with the stock
     * layer's properties (idle_from, fee_wan, agreed_start_on…), {flags: [], props: null}
     * when it is no stock land, null when the server cannot say.
     */
    async facts(id, geometry) {
      if (!geometry) return null;
      const b = bboxOf(geometry).map((v) => v.toFixed(7));
      try {
        const fc = await getJSON(`/api/stock${query({ bbox: b, limit: 1000 })}`);
        const f = (fc.features || []).find((x) => Number(x.id) === Number(id));
        return f ? { flags: flagsOf(f.properties), props: f.properties } : { flags: [], props: null };
      } catch (err) {
        if (err.status === 404) return null;
        throw err;
      }
    },
  };
}
