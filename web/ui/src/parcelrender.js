// The parcel tiles' images drawn straight from the decoded geometry (issue 16). OpenLayers'
// vector tile renderer turns every feature into draw instructions and hit-detection instructions
// and then replays them into the tile image; on 1M parcels (about 2,000 a zoom-14 tile, 30 tiles a
// view) that per-feature path was most of a page load's work. Here the layer keeps OpenLayers' tile
// management (loading, stand-in tiles of other zooms while a view loads, the tile image cache,
// print and hiDPI through the frame's pixel ratio, getFeaturesInExtent), but a tile image is one
// canvas path per run of features of one style (the tile's features come grouped: inDrawOrder,
// styles.js), filled and stroked once, and a click or hover tests the tile's features themselves.
import VectorTileLayer from 'ol/layer/VectorTile.js';
import CanvasVectorTileLayerRenderer from 'ol/renderer/canvas/VectorTileLayer.js';
import { asColorLike } from 'ol/colorlike.js';
import { equals, getIntersection, intersects } from 'ol/extent.js';
import { apply as applyTransform } from 'ol/transform.js';
import { getUid } from 'ol/util.js';

/** A style's fill and stroke as canvas settings (the parcel styles have nothing else). */
function paintOf(style) {
  const fill = style.getFill();
  const stroke = style.getStroke();
  return {
    fill: fill && fill.getColor() ? asColorLike(fill.getColor()) : null,
    stroke: stroke && stroke.getColor() ? asColorLike(stroke.getColor()) : null,
    width: stroke ? (stroke.getWidth() ?? 1) : 0,
    dash: stroke ? stroke.getLineDash() : null,
  };
}
const paints = new WeakMap();
function paint(style) {
  let p = paints.get(style);
  if (!p) paints.set(style, (p = paintOf(style)));
  return p;
}

/**
 * Only polygons are parcels (or aggregate cells): a line or a point in a parcel tile would be
 * closed into a filled shape, or hit where nothing is drawn, so it is neither drawn nor hit.
 */
const isArea = (f) => f.getType() === 'Polygon';

/**
 * Draws features (polygons: flat coordinates with ring ends, in map units) into ctx, mapping
 * map (x, y) to ((x - x0) * scale, (y0 - y) * scale). styleFn(feature) → Style | null (not
 * drawn); only polygons are drawn. Consecutive features of one style are one path, filled and
 * then outlined. quantum: the grid (in those units) the vertices are rounded to. pixelRatio
 * scales line widths and dashes, as OpenLayers does. keep(feature) → false skips one.
 */
export function drawFeatures(ctx, features, styleFn, x0, y0, scale, quantum, pixelRatio, keep) {
  // Path coordinates in whole quanta (an eighth of a device pixel), drawn under a transform scaled
  // by the quantum: repeats are dropped, and the path of a run is one SVG path string handed to
  // Path2D, as canvas calls per vertex (~0.7 µs each) cost more. OpenLayers does not round tile
  // polygons at all; half a pixel moved the corners of parcels a few pixels across (1M at zoom
  // 14: 8 % of the pixels unlike OpenLayers', 1.6 % with an eighth, which costs about as much).
  const q = scale / quantum;
  let current = null;
  let d = '';
  const flush = () => {
    if (d === '') return;
    const p = paint(current);
    const path = new Path2D(d);
    if (p.fill) {
      ctx.fillStyle = p.fill;
      ctx.fill(path);
    }
    if (p.stroke && p.width > 0) {
      ctx.strokeStyle = p.stroke;
      ctx.lineWidth = (p.width * pixelRatio) / quantum;
      ctx.setLineDash(p.dash ? p.dash.map((x) => (x * pixelRatio) / quantum) : []);
      ctx.stroke(path);
    }
    d = '';
  };
  ctx.save();
  ctx.scale(quantum, quantum);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (let i = 0, n = features.length; i < n; i++) {
    const f = features[i];
    if (!isArea(f) || (keep && !keep(f))) continue;
    let style = styleFn(f);
    if (Array.isArray(style)) style = style[0];
    if (!style) continue;
    if (style !== current) {
      flush();
      current = style;
    }
    const flat = f.getFlatCoordinates();
    const ends = f.getEnds() || [flat.length];
    let k = 0;
    for (const end of ends) {
      if (end - k >= 4) {
        let px = Math.round((flat[k] - x0) * q);
        let py = Math.round((y0 - flat[k + 1]) * q);
        d += `M${px} ${py}`;
        for (let j = k + 2; j < end; j += 2) {
          const nx = Math.round((flat[j] - x0) * q);
          const ny = Math.round((y0 - flat[j + 1]) * q);
          if (nx === px && ny === py) continue;
          d += `L${nx} ${ny}`;
          px = nx;
          py = ny;
        }
        d += 'Z';
      }
      k = end;
    }
  }
  flush();
  ctx.restore();
}

/**
 * Where (x, y) lies from a polygon feature: 0 inside, else the distance to its outline (map
 * units). Even-odd over all its rings, which for valid polygons is the same as inside/outside.
 */
export function distanceTo(feature, x, y) {
  const flat = feature.getFlatCoordinates();
  const ends = feature.getEnds() || [flat.length];
  let inside = false;
  let best = Infinity;
  let k = 0;
  for (const end of ends) {
    for (let i = k, j = end - 2; i < end; j = i, i += 2) {
      const xi = flat[i];
      const yi = flat[i + 1];
      const xj = flat[j];
      const yj = flat[j + 1];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      const dx = xj - xi;
      const dy = yj - yi;
      const len2 = dx * dx + dy * dy;
      const t = len2 > 0 ? Math.max(0, Math.min(1, ((x - xi) * dx + (y - yi) * dy) / len2)) : 0;
      best = Math.min(best, Math.hypot(x - xi - t * dx, y - yi - t * dy));
    }
    k = end;
  }
  return inside ? 0 : best;
}

/** The grid, in device pixels, the tile images' vertices are rounded to (drawFeatures). */
const QUANTUM = 1 / 8;

class ParcelTileRenderer extends CanvasVectorTileLayerRenderer {
  /** No draw or hit-detection instructions: the image and the hits come from the features. */
  updateExecutorGroup_(tile) {
    const uid = getUid(this.getLayer());
    if (!tile.executorGroups[uid]) tile.executorGroups[uid] = [];
  }

  /** The tile's image, sized and placed as OpenLayers' own (hiDPI, over-zoomed tiles). */
  renderTileImage_(tile, frameState) {
    const layer = this.getLayer();
    const source = layer.getSource();
    const replayState = tile.getReplayState(layer);
    replayState.renderedTileRevision = layer.getRevision();
    const { projection } = frameState.viewState;
    const tileGrid = source.getTileGridForProjection(projection);
    const z = tile.wrappedTileCoord[0];
    const resolution = tileGrid.getResolution(z);
    const renderPixelRatio = (frameState.pixelRatio / tile.wantedResolution) * tileGrid.getResolution(tile.tileCoord[0]);
    // Larger images when over-zoomed, so that they are not blurred (as OpenLayers does).
    const pixelRatio = Math.round(Math.max(frameState.pixelRatio, renderPixelRatio / frameState.pixelRatio));
    const size = source.getTilePixelSize(z, pixelRatio, projection);
    const ctx = tile.getContext();
    ctx.canvas.width = size[0];
    ctx.canvas.height = size[1];
    const renderScale = pixelRatio / renderPixelRatio;
    ctx.setTransform(renderScale, 0, 0, renderScale, 0, 0);
    const tileExtent = tileGrid.getTileCoordExtent(tile.wrappedTileCoord);
    const scale = renderPixelRatio / resolution;
    const styleFn = layer.getStyleFunction();
    const wanted = tile.wantedResolution;
    const style = (f) => styleFn(f, wanted);
    const sourceGrid = source.getTileGrid();
    for (const sourceTile of source.getSourceTiles(frameState.pixelRatio, projection, tile)) {
      const features = sourceTile.getFeatures();
      if (!features || features.length === 0) continue;
      // An over-zoomed tile shows part of its source tile: the parcels wholly outside are skipped.
      const sourceExtent = sourceGrid.getTileCoordExtent(sourceTile.tileCoord);
      const shared = getIntersection(tileExtent, sourceExtent);
      const keep = equals(shared, sourceExtent) ? null : (f) => intersects(f.getExtent(), shared);
      drawFeatures(ctx, features, style, tileExtent[0], tileExtent[3], scale, QUANTUM * (renderPixelRatio / frameState.pixelRatio), frameState.pixelRatio, keep);
    }
    replayState.renderedTileResolution = tile.wantedResolution;
  }

  /**
   * The parcels under a coordinate, topmost first: those it lies in, then the nearest within
   * hitTolerance pixels. A parcel the style hides is not hit. One call per parcel (a parcel cut
   * by tile edges is in several tiles).
   */
  forEachFeatureAtCoordinate(coordinate, frameState, hitTolerance, callback) {
    const layer = this.getLayer();
    const source = layer.getSource();
    if (!source) return undefined;
    const { resolution, projection } = frameState.viewState;
    const tolerance = (hitTolerance || 0) * resolution;
    const [x, y] = coordinate;
    const tileGrid = source.getTileGridForProjection(projection);
    const styleFn = layer.getStyleFunction();
    const seen = new Set();
    let near = null;
    let nearDistance = Infinity;
    const tiles = this.renderedTiles;
    for (let t = tiles.length - 1; t >= 0; t--) {
      const tile = tiles[t];
      const e = tileGrid.getTileCoordExtent(tile.wrappedTileCoord);
      if (x < e[0] - tolerance || x > e[2] + tolerance || y < e[1] - tolerance || y > e[3] + tolerance) continue;
      for (const sourceTile of source.getSourceTiles(frameState.pixelRatio, projection, tile)) {
        const features = sourceTile.getFeatures() || [];
        for (let i = features.length - 1; i >= 0; i--) {
          const f = features[i];
          if (!isArea(f)) continue;
          const fe = f.getExtent();
          if (x < fe[0] - tolerance || x > fe[2] + tolerance || y < fe[1] - tolerance || y > fe[3] + tolerance) continue;
          const key = f.getId() ?? getUid(f);
          if (seen.has(key) || !styleFn(f, resolution)) continue;
          const d = distanceTo(f, x, y);
          if (d === 0) {
            seen.add(key);
            const result = callback(f, layer, f);
            if (result) return result;
          } else if (d <= tolerance && d < nearDistance) {
            near = f;
            nearDistance = d;
          }
        }
      }
    }
    if (near && !seen.has(near.getId() ?? getUid(near))) return callback(near, layer, near);
    return undefined;
  }

  /** layer.getFeatures(pixel): the topmost parcel at a pixel of the last frame, as a click finds it. */
  getFeatures(pixel) {
    const frameState = this.frameState;
    if (!frameState) return Promise.resolve([]);
    const coordinate = applyTransform(frameState.pixelToCoordinateTransform, pixel.slice());
    const hit = this.forEachFeatureAtCoordinate(coordinate, frameState, 0, (f) => f);
    return Promise.resolve(hit ? [hit] : []);
  }
}

/** A vector tile layer of polygons styled by fill and stroke only, drawn by ParcelTileRenderer. */
export class ParcelTileLayer extends VectorTileLayer {
  createRenderer() {
    return new ParcelTileRenderer(this, { cacheSize: this.cacheSize_ });
  }
}
