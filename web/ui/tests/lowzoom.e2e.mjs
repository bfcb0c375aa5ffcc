// Browser test of the map at low zooms (issue 17): from zoom 10 the parcels layer draws the
// server's aggregate cells, the legend says what they are, and a click on a cell zooms in to
// where single parcels are drawn.
//
//   LANDQUOTA_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:55432/landquota_test node tests/lowzoom.e2e.mjs
import { assert, equal, test, runSuite, rendered } from './harness.mjs';

const HTZ = [120.2, 30.19];


/** The parcels-layer features in view, by kind, and the parcels the cells count. */
function parcelsInView(page) {
  return page.evaluate(() => {
    const { map, layers } = window.__landquota;
    const ext = map.getView().calculateExtent(map.getSize());
    const out = { aggregate: 0, parcel: 0, counted: 0, cell: null };
    for (const f of layers.parcels.getFeaturesInExtent(ext)) {
      out[f.get('kind')] = (out[f.get('kind')] || 0) + 1;
      if (f.get('kind') !== 'aggregate') continue;
      out.counted += f.get('parcels');
      const e = f.getExtent();
      const p = map.getPixelFromCoordinate([(e[0] + e[2]) / 2, (e[1] + e[3]) / 2]);
      const r = map.getTargetElement().getBoundingClientRect();
      if (!out.cell && f.get('parcels') >= 2 && document.elementFromPoint(p[0] + r.left, p[1] + r.top)?.tagName === 'CANVAS') {
        out.cell = { x: p[0], y: p[1], parcels: f.get('parcels'), status: f.get('status') };
      }
    }
    return out;
  });
}

test('zoom 11 draws aggregate cells; a click on one zooms in to single parcels', async (ctx) => {
  const context = await ctx.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${ctx.world.url}/`);
  await page.waitForFunction(() => window.__landquota && window.__landquota.ready, null, { timeout: 20000 });
  await page.evaluate(([lon, lat]) => {
    const view = window.__landquota.map.getView();
    view.setCenter([(lon * 20037508.342789244) / 180, (Math.log(Math.tan(((90 + lat) * Math.PI) / 360)) / Math.PI) * 20037508.342789244]);
    view.setZoom(11);
  }, HTZ);
  await rendered(page);
  const low = await parcelsInView(page);
  assert(low.aggregate > 0 && !low.parcel, `zoom 11 should draw only aggregate cells: ${JSON.stringify(low)}`);
  assert(low.counted > 100, `the cells in view count only ${low.counted} parcels`);
  assert(low.cell, 'no cell of two or more parcels clear of the panels');
  const legend = await page.textContent('[data-testid=legend-aggregate]');
  assert(legend.includes('汇总网格'), `legend row: ${legend}`);
  // The cell is drawn: it is hit at its pixel.
  const hit = await page.evaluate(([x, y]) => window.__landquota.map.forEachFeatureAtPixel([x, y], (f) => f.get('kind'),
    { layerFilter: (l) => l === window.__landquota.layers.parcels }), [low.cell.x, low.cell.y]);
  equal(hit, 'aggregate', 'feature at the cell pixel');
  const at = await page.evaluate(() => {
    const r = window.__landquota.map.getTargetElement().getBoundingClientRect();
    return [r.left, r.top];
  });
  const over = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.tagName, [low.cell.x + at[0], low.cell.y + at[1]]);
  equal(over, 'CANVAS', 'the cell is not under a panel');
  await page.mouse.click(low.cell.x + at[0], low.cell.y + at[1]);
  await page.waitForFunction(() => window.__landquota.map.getView().getZoom() >= 14 && !window.__landquota.map.getView().getAnimating(), null, { timeout: 10000 });
  await rendered(page);
  const high = await parcelsInView(page);
  assert(high.parcel > 0 && !high.aggregate, `zoom 14 should draw single parcels: ${JSON.stringify(high)}`);
  equal(errors.length, 0, `page errors: ${errors.join('; ')}`);
  await context.close();
});

await runSuite({ prefix: 'lowzoom-' });
