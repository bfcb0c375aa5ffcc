// One drawing tool for the whole map: a polygon or a box, drawn into the "drawn" overlay.
// Starting a new drawing cancels the previous one; Escape cancels too.
import Draw, { createBox } from 'ol/interaction/Draw.js';
import { drawnShapeStyle } from './styles.js';

export function createDrawTool(map, drawnLayer) {
  let active = null; // {draw, reject}
  let finishedAt = 0; // the click that ends a drawing must not also count as a map click

  function cancel() {
    if (!active) return;
    map.removeInteraction(active.draw);
    const { reject } = active;
    active = null;
    document.body.classList.remove('drawing');
    reject(new DOMException('drawing cancelled', 'AbortError'));
  }

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') cancel();
  });

  return {
    /**
     * Lets the user draw a 'polygon' or a 'box'; resolves with the ol Feature (map
     * projection), which stays on the drawn layer until clear(). keep=false removes it.
     */
    draw(kind, { keep = true } = {}) {
      cancel();
      return new Promise((resolve, reject) => {
        const draw = new Draw({
          source: drawnLayer.getSource(),
          type: kind === 'box' ? 'Circle' : 'Polygon',
          geometryFunction: kind === 'box' ? createBox() : undefined,
          freehand: kind === 'box', // a box is dragged: press, drag, release
          style: drawnShapeStyle,
        });
        draw.on('drawstart', () => {
          if (keep) drawnLayer.getSource().clear();
        });
        draw.on('drawend', (e) => {
          finishedAt = Date.now();
          map.removeInteraction(draw);
          active = null;
          document.body.classList.remove('drawing');
          if (!keep) setTimeout(() => drawnLayer.getSource().removeFeature(e.feature), 0);
          resolve(e.feature);
        });
        active = { draw, reject };
        document.body.classList.add('drawing');
        map.addInteraction(draw);
      });
    },
    cancel,
    /** Drawing now, or just finished (the closing click's singleclick is still to come). */
    get drawing() {
      return Boolean(active) || Date.now() - finishedAt < 600;
    },
    clear() {
      cancel();
      drawnLayer.getSource().clear();
    },
  };
}
