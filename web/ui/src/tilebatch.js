// Parcel tiles handed to OpenLayers in batches rather than one by one as they arrive.

/**
 * Hands arrived tiles to OpenLayers in batches. Each handover makes a frame, and on a machine
 * without a GPU a frame costs tens of milliseconds whatever it holds (the map's canvases redrawn,
 * copied and composited: as much CPU again off the main thread as on it), so the 30 tiles of a
 * zoom-14 view made 15-23 frames. A tile waits at most `ms`; the last of the tiles in flight goes
 * at once, so a view is complete no later than before.
 */
export function tileBatcher(ms) {
  let pending = [];
  let timer = 0;
  let loading = 0;
  const flush = () => {
    clearTimeout(timer);
    timer = 0;
    const batch = pending;
    pending = [];
    for (const [tile, features] of batch) tile.setFeatures(features);
  };
  return {
    started() {
      loading++;
    },
    done(tile, features) {
      loading--;
      pending.push([tile, features]);
      if (loading === 0) flush();
      else if (!timer) timer = setTimeout(flush, ms);
    },
  };
}
