// The map's layers: districts, parks and protected lines as GeoJSON (small, loaded once),
// parcels as vector tiles (fast with millions of parcels), and vector overlays for what
// the tools show (clicked parcel, search results, selection, drawn shapes, overlaps).
import GeoJSON from 'ol/format/GeoJSON.js';
import MVT from 'ol/format/MVT.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorTileLayer from 'ol/layer/VectorTile.js';
import { all as allStrategy } from 'ol/loadingstrategy.js';
import VectorSource from 'ol/source/Vector.js';
import VectorTileSource from 'ol/source/VectorTile.js';
import { createXYZ } from 'ol/tilegrid.js';
import { getJSON, layerURL, track } from './api.js';
import { ParcelTileLayer } from './parcelrender.js';
import { tileBatcher } from './tilebatch.js';
import {
  districtStyleFn,
  drawnShapeStyle,
  focusStyle,
  highlightActiveStyle,
  highlightStyle,
  inDrawOrder,
  makeAllocationStyleFn,
  makeParcelStyleFn,
  overlapStyleFn,
  parkLabelStyleFn,
  parkStyleFn,
  protectedZoneStyle,
  selectionStyle,
} from './styles.js';

/** Layer names the UI knows, bottom to top as drawn. */
export const LAYER_NAMES = ['districts', 'parks', 'protected-zones', 'parcels'];
export const STATIC_LIMIT = 10000;
/**
 * Parcels come in vector tiles from this zoom level up (the server's minzoom); below
 * PARCEL_DETAIL_ZOOM the tiles hold aggregate cells (kind=aggregate) instead of parcels, and so
 * does a zoom-14 tile whose parcels average under 2 px across (the server decides per tile).
 */
export const PARCEL_MIN_ZOOM = 10;
export const PARCEL_DETAIL_ZOOM = 14;
/** Tiles are requested up to this zoom and over-zoomed beyond it. */
const PARCEL_MAX_TILE_ZOOM = 16;

// The API speaks CGCS2000 lon/lat (EPSG:4490), which is WGS84 to 0.1 mm: read it as EPSG:4326.
export const DATA_PROJECTION = 'EPSG:4326';
export const geojson = new GeoJSON({ dataProjection: DATA_PROJECTION, featureProjection: 'EPSG:3857' });

/** GeoJSON features (objects) → OpenLayers features in the map projection. */
export function readFeatures(features) {
  return geojson.readFeatures({ type: 'FeatureCollection', features });
}

async function loadFeatures(url, projection, prefetched) {
  const fc = await (prefetched || getJSON(url));
  if (!fc || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw new Error(`${url}: not a GeoJSON FeatureCollection`);
  }
  return geojson.readFeatures(fc, { dataProjection: DATA_PROJECTION, featureProjection: projection });
}

/** The URL of a layer loaded once in full (index.html preloads the parks'). */
export const staticURL = (name) => layerURL(name, null, STATIC_LIMIT);

/**
 * A layer loaded once in full (districts, parks, protected zones). prefetched: a promise of its
 * FeatureCollection already asked for (used by the first load only).
 */
function staticSource(name, onError, prefetched) {
  return new VectorSource({
    strategy: allStrategy,
    loader: (extent, resolution, projection) => {
      const first = prefetched;
      prefetched = null;
      return loadFeatures(staticURL(name), projection, first).catch((err) => {
        onError(name, err);
        throw err; // lets OpenLayers fire 'featuresloaderror'
      });
    },
  });
}

/** How long an arrived parcel tile may wait for others (tileBatcher). */
const TILE_BATCH_MS = 100;

/**
 * Parcel vector tiles from GET /tiles/parcels/{z}/{x}/{y}.mvt. A 204 answer is an empty
 * tile; any other failure is reported once per distinct message through onError.
 */
function parcelTileSource(onError) {
  const format = new MVT();
  const batch = tileBatcher(TILE_BATCH_MS);
  return new VectorTileSource({
    format,
    // Parcels of one elevation do not overlap, and the features come grouped (inDrawOrder):
    // the renderer may then fill and stroke runs of one style in one go instead of one by one.
    overlaps: false,
    tileGrid: createXYZ({ maxZoom: PARCEL_MAX_TILE_ZOOM, minZoom: PARCEL_MIN_ZOOM }),
    url: '/tiles/parcels/{z}/{x}/{y}.mvt',
    tileLoadFunction: (tile, url) => {
      tile.setLoader((extent, resolution, projection) => {
        track(1);
        batch.started();
        fetch(url, { credentials: 'same-origin' })
          .then(async (res) => {
            if (res.status === 204) return [];
            if (!res.ok) {
              let message = `${res.status} ${res.statusText}`;
              try {
                const body = await res.json();
                if (body && body.error && body.error.message) message = body.error.message;
              } catch {
                // not JSON: keep the status line
              }
              throw new Error(message);
            }
            const buf = await res.arrayBuffer();
            // Grouped once, as the tile arrives: the order then holds for every layer and
            // every rebuild of the tile's drawing instructions.
            return inDrawOrder(format.readFeatures(buf, { extent, featureProjection: projection }));
          })
          .catch((err) => {
            onError('parcels', err);
            return [];
          })
          .then((features) => batch.done(tile, features))
          .finally(() => track(-1));
      });
    },
  });
}

function overlay(style, zIndex, name) {
  return new VectorLayer({ source: new VectorSource(), style, zIndex, properties: { name } });
}

/**
 * Builds the layers. state is shared with the parcel style (colorBy, hidden sets, decisions).
 */
export function createLayers({ state, onError, prefetched = {} }) {
  const districts = new VectorLayer({
    source: staticSource('districts', onError),
    style: districtStyleFn,
    declutter: 'labels',
    zIndex: 40,
    properties: { name: 'districts' },
  });
  const parksSource = staticSource('parks', onError, prefetched.parks);
  const parks = new VectorLayer({ source: parksSource, style: parkStyleFn, zIndex: 10, properties: { name: 'parks' } });
  const parkLabels = new VectorLayer({
    source: parksSource,
    style: parkLabelStyleFn,
    declutter: 'labels',
    zIndex: 60,
    properties: { name: 'park-labels' },
  });
  const protectedZones = new VectorLayer({
    source: staticSource('protected-zones', onError),
    style: protectedZoneStyle,
    zIndex: 35,
    properties: { name: 'protected-zones' },
  });
  // Drawn by a renderer of our own (parcelrender.js): no per-parcel draw instructions.
  const parcels = new ParcelTileLayer({
    source: parcelTileSource(onError),
    style: makeParcelStyleFn(state),
    // minZoom is exclusive ("above which the layer is visible"): just below 10 means "from 10 up".
    minZoom: PARCEL_MIN_ZOOM - 1e-6,
    zIndex: 30,
    renderMode: 'hybrid',
    properties: { name: 'parcels' },
  });

  // Allocations: the parcels of projects, outlined by how much of their need the project holds.
  const allocations = new VectorTileLayer({
    source: parcels.getSource(),
    style: makeAllocationStyleFn(state),
    minZoom: PARCEL_DETAIL_ZOOM - 1e-6, // aggregate cells belong to no project
    zIndex: 32,
    visible: false,
    renderMode: 'hybrid',
    properties: { name: 'allocations' },
  });

  const highlight = overlay((f) => (f.get('active') ? highlightActiveStyle : highlightStyle), 50, 'highlight');
  const selection = overlay(selectionStyle, 52, 'selection');
  const drawn = overlay(drawnShapeStyle, 54, 'drawn');
  const overlaps = overlay(overlapStyleFn, 55, 'overlaps');
  const focus = overlay(focusStyle, 58, 'focus');

  return {
    layers: { districts, parks, 'protected-zones': protectedZones, parcels, allocations },
    parkLabels,
    overlays: { highlight, selection, drawn, overlaps, focus },
  };
}
