// Browser tests of the GIS pieces (part of `make test`, run by scripts/ui-test.sh): a local MBTiles
// basemap made here with GDAL and served by landquota is drawn under the parcels; a remote
// basemap's host is in the page's CSP; the pointer shows EPSG:4549 X/Y; "go to" takes a
// surveyor's coordinate or a parcel code.
//
//   LANDQUOTA_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:55432/landquota_test node tests/gis.e2e.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, equal, OUT_DIR, REPO, run, test, runSuite, rendered, goTo, openApp, mapPixels } from './harness.mjs';

const HTZ = [120.2, 30.19];
const MAGENTA = [255, 0, 255];
const REMOTE = { kind: 'imagery', url: 'https://img.example.test/{z}/{x}/{y}.jpg', attribution: '© 测试影像', format: 'jpg' };

/** A magenta raster over Binjiang as MBTiles (zooms 11-12), made with GDAL. */
function makeMBTiles(dir) {
  const tif = join(dir, 'm.tif');
  const mb = join(dir, 'binjiang.mbtiles');
  run('gdal_create', ['-of', 'GTiff', '-outsize', '512', '512', '-bands', '3', '-ot', 'Byte', '-burn', '255', '-burn', '0', '-burn', '255',
    '-a_srs', 'EPSG:3857', '-a_ullr', '13369000', '3530000', '13390000', '3509000', tif]);
  run('gdal_translate', ['-q', '-of', 'MBTILES', tif, mb]);
  return mb;
}

/**
 * Gives one parcel what a bureau's file carries beyond the modelled fields (name, owner, remarks,
 * other attributes) by importing it again with them, as an official would; returns its code.
 */
async function importAttributes(world, dir) {
  const fc = await (await fetch(`${world.url}/ogc/collections/parcels/items?limit=1&status=reserve`)).json();
  const f = fc.features[0];
  const props = { DKBH: f.properties.code, YDYHFL: f.properties.land_use, ZT: f.properties.status,
    XMMC: '滨江智造园一期', QSDWMC: '㙟村经济合作社𠀀', BZ: '南侧待拆迁', DLMC: '工业用地' };
  const file = join(dir, 'attrs.geojson');
  writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: props, geometry: f.geometry }] }));
  run(world.bin, ['import', 'parcels', file, '--mode', 'upsert'], { env: { DATABASE_URL: world.dbURL } });
  return f.properties.code;
}

/** Restarts the world's server with the basemap flags. */
async function serveWithBasemaps(world, mbtiles) {
  const exited = new Promise((r) => world.server.once('exit', r));
  world.server.kill('SIGTERM');
  await exited;
  world.server = spawn(world.bin, ['serve', '--addr', `127.0.0.1:${world.port}`, '--basemap-file', mbtiles, '--basemap', JSON.stringify(REMOTE)], {
    cwd: REPO, env: { ...process.env, DATABASE_URL: world.dbURL }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  world.server.stderr.on('data', (b) => { log += b; });
  for (const deadline = Date.now() + 20000; ;) {
    if (world.server.exitCode !== null) throw new Error(`landquota serve exited ${world.server.exitCode}: ${log}`);
    try {
      if ((await fetch(`${world.url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`landquota serve did not get ready: ${log}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function openPage(ctx) {
  return openApp(ctx, { viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
}




/** A parcel in the middle of the screen, clear of the panels: {id, x, y} in map pixels. */
async function visibleParcel(page) {
  return page.evaluate(() => {
    const lq = window.__landquota;
    const { map } = lq;
    const size = map.getSize();
    for (const f of lq.layers.parcels.getFeaturesInExtent(map.getView().calculateExtent(size))) {
      const e = f.getExtent();
      const p = map.getPixelFromCoordinate([(e[0] + e[2]) / 2, (e[1] + e[3]) / 2]).map(Math.round);
      if (p[0] < 500 || p[0] > size[0] - 500 || p[1] < 150 || p[1] > size[1] - 150) continue;
      const hit = map.forEachFeatureAtPixel(p, (h) => h, { layerFilter: (l) => l === lq.layers.parcels });
      if (hit && hit.getId() === f.getId()) return { id: f.getId(), x: p[0], y: p[1] };
    }
    return null;
  });
}

const near = (a, b, tol = 8) => a.slice(0, 3).every((v, i) => Math.abs(v - b[i]) <= tol);

test('a local MBTiles basemap is drawn under the parcels, and the switcher turns it off', async (ctx) => {
  const page = await openPage(ctx);
  const choices = await page.evaluate(() => window.__landquota.basemaps.choices);
  equal(JSON.stringify(choices), JSON.stringify(['none', 'vector', 'imagery']), 'switcher choices');
  equal(await page.getAttribute('[data-testid=basemap-vector]', 'aria-pressed'), 'true', 'the local package is on by default');
  await goTo(page, HTZ, 15);
  const p = await visibleParcel(page);
  assert(p, 'no parcel on screen');
  // A grid of points: where no parcel lies, the basemap's own magenta shows.
  const grid = [];
  for (let x = 520; x < 1400; x += 40) for (let y = 120; y < 840; y += 40) grid.push([x, y]);
  const withMap = await mapPixels(page, [[p.x, p.y], ...grid]);
  assert(withMap.slice(1).some((c) => near(c, MAGENTA)), `no basemap pixel on screen: ${JSON.stringify(withMap.slice(1, 6))}`);
  const onParcel = withMap[0];
  assert(!near(onParcel, MAGENTA), `the parcel is not drawn over the basemap: ${onParcel}`);
  await page.screenshot({ path: join(OUT_DIR, 'gis-01-basemap.png') });
  await page.click('[data-testid=basemap-none]');
  await rendered(page);
  const without = await mapPixels(page, [[p.x, p.y], ...grid]);
  assert(!without.slice(1).some((c) => near(c, MAGENTA)), 'the basemap still shows after "none"');
  assert(!near(without[0], onParcel, 2), `the parcel's colour does not change with the basemap under it: ${without[0]} vs ${onParcel}`);
  // Imagery: the remote layer, with its attribution.
  await page.click('[data-testid=basemap-imagery]');
  await page.waitForFunction(() => /测试影像/.test(document.querySelector('.ol-attribution')?.textContent || ''));
  equal(page.consoleErrors.filter((e) => !/img\.example\.test|ERR_NAME_NOT_RESOLVED|Failed to load resource/.test(e)).length, 0, `console errors ${page.consoleErrors}`);
  await page.context().close();
});

test('the page CSP names the configured remote basemap host, and only it', async (ctx) => {
  const res = await fetch(ctx.world.url + '/');
  const csp = res.headers.get('content-security-policy');
  const img = csp.split(';').find((d) => d.trim().startsWith('img-src'));
  assert(img.includes('https://img.example.test'), `img-src: ${img}`);
  assert(!csp.includes('tianditu'), `unconfigured hosts in the CSP: ${csp}`);
});

test('the pointer shows EPSG:4549 X/Y; go to takes a surveyor coordinate and a parcel code', async (ctx) => {
  const page = await openPage(ctx);
  await goTo(page, HTZ, 15);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.move(box.x + 720, box.y + 450);
  const text = await page.textContent('[data-testid=mouse-position]');
  assert(/经纬度 120\.\d{6}, 30\.\d{6}/.test(text) && /EPSG:4549 X 33\d{5}\.\d\d Y 5\d{5}\.\d\d/.test(text), `pointer: ${text}`);
  // DOMAIN.md's check point, X (northing) first as 界址点 tables write it.
  await page.fill('[data-testid=goto-input]', '3341194.30, 520223.43');
  await page.press('[data-testid=goto-input]', 'Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=goto-box]').dataset.found === 'gk');
  const centre = await page.evaluate(() => {
    const [x, y] = window.__landquota.map.getView().getCenter();
    return [(x / 20037508.342789244) * 180, (Math.atan(Math.exp((y / 20037508.342789244) * Math.PI)) * 360) / Math.PI - 90];
  });
  assert(Math.abs(centre[0] - 120.21) < 1e-6 && Math.abs(centre[1] - 30.19) < 1e-6, `centre ${centre}`);
  // A parcel code opens its panel.
  const fc = await (await fetch(`${ctx.world.url}/api/layers/parcels?limit=1&properties=code`)).json();
  const code = fc.features[0].properties.code;
  await page.fill('[data-testid=goto-input]', code);
  await page.press('[data-testid=goto-input]', 'Enter');
  await page.waitForSelector('#info-panel[data-loaded=true]');
  equal((await page.textContent('[data-testid=info-code]')).trim(), code, 'the panel shows the parcel found');
  await page.screenshot({ path: join(OUT_DIR, 'gis-02-goto.png') });
  // The QGIS project of the same map is one click away.
  const href = await page.getAttribute('[data-testid=qgis-link]', 'href');
  const qgs = await (await fetch(ctx.world.url + href)).text();
  assert(qgs.includes(`url=&#39;${ctx.world.url}/ogc&#39;`), 'the QGIS project points at this server');
  equal(page.consoleErrors.length, 0, `console errors ${page.consoleErrors}`);
  await page.context().close();
});

test('a parcel found by its name shows the name, owner, remarks and other attributes its file carried', async (ctx) => {
  const page = await openPage(ctx);
  await page.fill('[data-testid=goto-input]', '智造园');
  await page.press('[data-testid=goto-input]', 'Enter');
  await page.waitForSelector('#info-panel[data-loaded=true]');
  equal((await page.textContent('[data-testid=info-code]')).trim(), ctx.named, 'the parcel found by name');
  equal((await page.textContent('[data-testid=info-name]')).trim(), '滨江智造园一期', 'name');
  equal((await page.textContent('[data-testid=info-owner]')).trim(), '㙟村经济合作社𠀀', 'owner, with characters outside GBK');
  equal((await page.textContent('[data-testid=info-remarks]')).trim(), '南侧待拆迁', 'remarks');
  const attrs = await page.textContent('[data-testid=info-attributes]');
  assert(attrs.includes('DLMC') && attrs.includes('工业用地'), `other attributes: ${attrs}`);
  await page.screenshot({ path: join(OUT_DIR, 'gis-03-attributes.png') });
  equal(page.consoleErrors.length, 0, `console errors ${page.consoleErrors}`);
  await page.context().close();
});

// ---------------------------------------------------------------- main
const dir = mkdtempSync(join(tmpdir(), 'lq-gis-'));
await runSuite({
  prefix: 'gis-',
  async setup(ctx) {
    ctx.named = await importAttributes(ctx.world, dir);
    await serveWithBasemaps(ctx.world, makeMBTiles(dir));
  },
  cleanup: () => rmSync(dir, { recursive: true, force: true }),
});
