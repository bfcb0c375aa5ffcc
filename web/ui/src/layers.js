// Vector sources and layers fed by GET /api/layers/{layer}.
import GeoJSON from 'ol/format/GeoJSON.js';
import VectorLayer from 'ol/layer/Vector.js';
import { all as allStrategy, bbox as bboxStrategy } from 'ol/loadingstrategy.js';
import { transformExtent } from 'ol/proj.js';
import VectorSource from 'ol/source/Vector.js';
import { getJSON, layerURL } from './api.js';
import {
  districtStyleFn,
  makeParcelStyleFn,
  parkLabelStyleFn,
  parkStyleFn,
  protectedZoneStyle,
} from './styles.js';

/** Layer names the UI knows, bottom to top as drawn. */
export const LAYER_NAMES = ['districts', 'parks', 'protected-zones', 'parcels'];
export const STATIC_LIMIT = 10000;
export const PARCEL_LIMIT = 5000;
/** Parcels are loaded and drawn from this zoom level up. */
export const PARCEL_MIN_ZOOM = 13;

// The API speaks CGCS2000 lon/lat (EPSG:4490), which is WGS84 to 0.1 mm: read it as EPSG:4326.
const DATA_PROJECTION = 'EPSG:4326';
const geojson = new GeoJSON({ dataProjection: DATA_PROJECTION });

async function loadFeatures(url, projection) {
  const fc = await getJSON(url);
  if (!fc || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw new Error(`${url}: not a GeoJSON FeatureCollection`);
  }
  return geojson.readFeatures(fc, { dataProjection: DATA_PROJECTION, featureProjection: projection });
}

/** A layer loaded once in full (districts, parks, protected zones). */
function staticSource(name, onError) {
  return new VectorSource({
    strategy: allStrategy,
    loader: (extent, resolution, projection) =>
      loadFeatures(layerURL(name, null, STATIC_LIMIT), projection).catch((err) => {
        onError(name, err);
        throw err; // lets OpenLayers fire 'featuresloaderror'
      }),
  });
}

function clampLonLat([minLon, minLat, maxLon, maxLat]) {
  return [Math.max(minLon, -180), Math.max(minLat, -90), Math.min(maxLon, 180), Math.min(maxLat, 90)];
}

/**
 * Parcels, loaded by view extent. A failed extent is forgotten at the next map move so that
 * moving the map retries it (forgetting it at once would make OpenLayers retry in a loop).
 * When a response hits the limit, onTruncated(true) is called and zooming in reloads.
 */
function parcelSource(onError, onTruncated) {
  const failedExtents = [];
  let truncatedAt = null; // resolution of the last truncated load
  const source = new VectorSource({
    strategy: bboxStrategy,
    loader: async (extent, resolution, projection) => {
      const bbox = clampLonLat(transformExtent(extent, projection, DATA_PROJECTION));
      try {
        const features = await loadFeatures(layerURL('parcels', bbox, PARCEL_LIMIT), projection);
        if (features.length >= PARCEL_LIMIT) {
          truncatedAt = truncatedAt === null ? resolution : Math.min(truncatedAt, resolution);
          onTruncated(true);
        }
        return features;
      } catch (err) {
        failedExtents.push(extent);
        onError('parcels', err);
        throw err;
      }
    },
  });
  source.onMoveEnd = (resolution) => {
    while (failedExtents.length) source.removeLoadedExtent(failedExtents.pop());
    if (truncatedAt !== null && resolution < truncatedAt * 0.99) {
      truncatedAt = null;
      onTruncated(false);
      source.refresh();
    }
  };
  return source;
}

/**
 * Builds the layers. state is shared with the parcel style (hiddenStatuses, selected).
 * Returns { layers: {name: layer}, parkLabels, parcelSource }.
 */
export function createLayers({ state, onError, onTruncated }) {
  const districts = new VectorLayer({
    source: staticSource('districts', onError),
    style: districtStyleFn,
    declutter: 'labels',
    zIndex: 40,
    properties: { name: 'districts' },
  });
  const parksSource = staticSource('parks', onError);
  const parks = new VectorLayer({
    source: parksSource,
    style: parkStyleFn,
    zIndex: 10,
    properties: { name: 'parks' },
  });
  const parkLabels = new VectorLayer({
    source: parksSource,
    style: parkLabelStyleFn,
    declutter: 'labels',
    zIndex: 50,
    properties: { name: 'park-labels' },
  });
  const protectedZones = new VectorLayer({
    source: staticSource('protected-zones', onError),
    style: protectedZoneStyle,
    zIndex: 20,
    properties: { name: 'protected-zones' },
  });
  const parcelsSrc = parcelSource(onError, onTruncated);
  const parcels = new VectorLayer({
    source: parcelsSrc,
    style: makeParcelStyleFn(state),
    // minZoom is exclusive ("above which the layer is visible"): just below 13 means "from 13 up".
    minZoom: PARCEL_MIN_ZOOM - 1e-6,
    zIndex: 30,
    properties: { name: 'parcels' },
  });
  return {
    layers: { districts, parks, 'protected-zones': protectedZones, parcels },
    parkLabels,
    parcelSource: parcelsSrc,
  };
}
