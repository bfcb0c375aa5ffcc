// Browser tests of the map UI (part of `make test`, run by scripts/ui-test.sh): Debian's
// Chromium driven by playwright-core against the real binary and a fresh, seeded database.
//
//   LANDQUOTA_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:55432/landquota_test node tests/browser.e2e.mjs
//
// Screenshots of the main screens go to web/ui/test-output/. Prints "N passed, N failed"
// and exits non-zero on any failure; the server and the database are removed at the end.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { assert, equal, OUT_DIR, PASSWORD, test, UI_DIR, runSuite, api, apiLogin, login, rendered, goTo, openApp, openMode, mapPixels, finish } from './harness.mjs';

const VIEWPORT = { width: 1440, height: 900 };
// Binjiang, inside the High-tech Zone park.
const HTZ = [120.2, 30.19];

// ---------------------------------------------------------------- helpers

/** The app at `hash`, logged in as `user` if one is given. */
async function openPage(ctx, { lang = 'zh', hash = '', user = '' } = {}) {
  const beforeLoad = process.env.LANDQUOTA_UI_SERVE_DIST ? serveDist : undefined;
  const page = await openApp(ctx, { viewport: VIEWPORT, locale: lang === 'en' ? 'en-US' : 'zh-CN' }, { hash, beforeLoad });
  if (user) await login(page, user);
  return page;
}

// For UI work: serve web/ui/dist from disk instead of the bundle embedded in the binary.
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.map': 'application/json' };
async function serveDist(page) {
  await page.route((url) => !/^\/(api|tiles|ogc|healthz|readyz)/.test(url.pathname), async (route) => {
    const path = new URL(route.request().url()).pathname;
    const file = path === '/' ? '/index.html' : path;
    try {
      const body = await readFile(join(UI_DIR, 'dist', file));
      await route.fulfill({ body, contentType: TYPES[file.slice(file.lastIndexOf('.'))] || 'application/octet-stream' });
    } catch {
      await route.fulfill({ status: 404, body: 'not found' });
    }
  });
}





/** A parcel drawn on screen, clear of the panels: {id, x, y, props} in map pixels. */
async function visibleParcel(page, minArea = 4000) {
  return page.evaluate((minArea) => {
    const lq = window.__landquota;
    const { map } = lq;
    const size = map.getSize();
    const ext = map.getView().calculateExtent(size);
    const side = document.querySelector('#side-panel').getBoundingClientRect();
    const legend = document.querySelector('#legend-card').getBoundingClientRect();
    const mapTop = map.getTargetElement().getBoundingClientRect().top;
    const left = Math.max(side.right, legend.right) + 20;
    for (const f of lq.layers.parcels.getFeaturesInExtent(ext)) {
      // The tiles carry no areas: the bounding box in Web Mercator metres, which are 1/cos(30°)
      // ground metres here (3/4 of the square metres), is size enough to pick a parcel by.
      const e = f.getExtent();
      if (!((e[2] - e[0]) * (e[3] - e[1]) * 0.75 > minArea)) continue;
      const p = map.getPixelFromCoordinate([(e[0] + e[2]) / 2, (e[1] + e[3]) / 2]);
      if (p[0] < left || p[0] > size[0] - 420 || p[1] < 80 || p[1] > size[1] - 60) continue;
      const hit = map.forEachFeatureAtPixel(p, (h) => h, { layerFilter: (l) => l === lq.layers.parcels });
      if (hit && hit.getId() === f.getId()) return { id: f.getId(), x: p[0], y: p[1] + 0 * mapTop, props: { ...f.getProperties() } };
    }
    return null;
  }, minArea);
}

/** The composited colour of the map's canvases at a map pixel, [r, g, b, a]. */
async function pixel(page, x, y) {
  return (await mapPixels(page, [[x, y]]))[0];
}

async function clickMap(page, x, y) {
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + x, box.y + y);
}

async function shot(page, name) {
  await page.screenshot({ path: join(OUT_DIR, `${name}.png`) });
}

async function errorsShown(page) {
  return page.$$eval('[data-testid=error-message]', (els) => els.map((e) => e.textContent));
}


/** Visible text that looks like an i18n key (e.g. "quota.tab.accounts"): a missing label. */
async function untranslated(page) {
  return page.evaluate(() => {
    const bad = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('[hidden]') || el.closest('script')) continue;
      if (/(^|\s)[a-z]+(\.[a-zA-Z_${}]+){1,3}($|\s)/.test(n.textContent.trim()) && !/\d\.\d/.test(n.textContent)) bad.push(n.textContent.trim());
    }
    return bad;
  });
}


/** Map pixel of a lon/lat. */
async function pixelOf(page, [lon, lat]) {
  return page.evaluate(([lon, lat]) => {
    const x = (lon * 20037508.342789244) / 180;
    const y = (Math.log(Math.tan(((90 + lat) * Math.PI) / 360)) / Math.PI) * 20037508.342789244;
    return window.__landquota.map.getPixelFromCoordinate([x, y]);
  }, [lon, lat]);
}

/** Draws a polygon on the map through its corners (lon/lat), then clicks the first to close it. */
async function drawPolygon(page, corners) {
  const pixels = [];
  for (const c of corners) pixels.push(await pixelOf(page, c));
  await drawPolygonPx(page, pixels);
}

/** Draws a polygon through map pixels; each must be clear of the panels. */
async function drawPolygonPx(page, pixels) {
  const box = await page.locator('#map').boundingBox();
  for (const [x, y] of [...pixels, pixels[0]]) {
    const over = await page.evaluate(([x, y]) => {
      const r = window.__landquota.map.getTargetElement().getBoundingClientRect();
      const top = document.elementFromPoint(r.left + x, r.top + y);
      return top && !top.closest('#map') ? top.outerHTML.slice(0, 80) : null;
    }, [x, y]);
    assert(!over, `drawing at ${x},${y} would click ${over}`);
    await page.mouse.click(box.x + x, box.y + y);
    // Clicks closer than 250 ms make an OpenLayers double-click.
    await page.waitForTimeout(300);
  }
}

async function searchAPI(world, body) {
  const { body: fc } = await api(world, '/api/parcels/search', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...body, limit: 1 }),
  });
  return fc.totals.count;
}

function muOf(m2) {
  return (Math.sign(m2) * Math.round(Math.abs((m2 * 15) / 100))) / 100;
}

const num = (s) => Number(String(s).replace(/,/g, ''));

// ---------------------------------------------------------------- tests
test('the map opens in Chinese, every label translated, and switches to English', async (ctx) => {
  const page = await openPage(ctx);
  equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'document language');
  equal((await page.textContent('[data-testid=mode-quota]')).trim(), '指标看板', 'quota tab label');
  await rendered(page);
  await shot(page, '01-overview-zh');
  assert((await untranslated(page)).length === 0, `untranslated labels: ${await untranslated(page)}`);
  for (const mode of ['search', 'eligibility', 'allocate', 'quota', 'reports']) {
    await openMode(page, mode);
    await page.waitForTimeout(300);
    const bad = await untranslated(page);
    assert(bad.length === 0, `untranslated labels in ${mode}: ${bad}`);
  }
  await page.click('[data-testid=lang-switch]');
  equal(await page.getAttribute('html', 'lang'), 'en', 'document language after the switch');
  equal((await page.textContent('[data-testid=mode-quota]')).trim(), 'Quota', 'quota tab label in English');
  for (const mode of ['eligibility', 'search', 'layers']) {
    await openMode(page, mode);
    await page.waitForTimeout(200);
    const chinese = await page.evaluate(() => {
      const texts = [...document.querySelectorAll('#side-panel, #topbar, #legend-card')].map((e) => e.innerText).join('\n');
      // (三区三线) is the term officials know, kept next to its translation.
      return texts.split('\n').filter((l) => /[\u4e00-\u9fff]/.test(l.replace(/中文|三区三线/g, '')));
    });
    assert(chinese.length === 0, `Chinese labels left in the English UI (${mode}): ${JSON.stringify(chinese)}`);
    const bad = await untranslated(page);
    assert(bad.length === 0, `untranslated labels in English ${mode}: ${bad}`);
  }
  await shot(page, '01b-overview-en');
  await page.click('[data-testid=lang-switch]');
  equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'back to Chinese');
  await finish(page, 'overview');
});

test('layers toggle on and off and their features are drawn', async (ctx) => {
  const page = await openPage(ctx);
  await rendered(page);
  const counts = await page.evaluate(() => {
    const { layers } = window.__landquota;
    return Object.fromEntries(['districts', 'parks', 'protected-zones'].map((n) => [n, layers[n].getSource().getFeatures().length]));
  });
  for (const layer of ['districts', 'parks', 'protected-zones']) {
    const { body } = await api(ctx.world, `/api/layers/${layer}?limit=10000&properties=`);
    equal(counts[layer], body.features.length, `${layer} features on the map vs the API`);
  }
  // Parcels come as vector tiles from zoom 12.
  await goTo(page, HTZ, 15);
  const p = await visibleParcel(page);
  assert(p, 'no parcel drawn at zoom 15 over the High-tech Zone');
  const on = await pixel(page, p.x, p.y);
  await page.uncheck('[data-testid=layer-toggle-parcels]');
  await rendered(page);
  const off = await pixel(page, p.x, p.y);
  assert(on.join() !== off.join(), `the parcel's pixel did not change when its layer was switched off (${on} / ${off})`);
  const hidden = await page.evaluate(([x, y]) => window.__landquota.map.hasFeatureAtPixel([x, y], { layerFilter: (l) => l === window.__landquota.layers.parcels }), [p.x, p.y]);
  equal(hidden, false, 'parcel hit after switching the layer off');
  await page.check('[data-testid=layer-toggle-parcels]');
  await rendered(page);
  equal((await pixel(page, p.x, p.y)).join(), on.join(), 'the parcel is drawn again');
  // Protected lines and parks: switching them off changes what is drawn at a zone.
  const zone = await page.evaluate(() => {
    const { map, layers } = window.__landquota;
    const f = layers['protected-zones'].getSource().getFeatures().find((x) => x.get('kind') === 'ecological_red_line');
    return f ? f.getGeometry().getInteriorPoint?.()?.getCoordinates?.() || null : null;
  });
  if (zone) {
    await page.evaluate((c) => window.__landquota.map.getView().setCenter([c[0], c[1]]), zone);
    await page.evaluate(() => window.__landquota.map.getView().setZoom(13));
    await rendered(page);
    await page.uncheck('[data-testid=layer-toggle-parcels]');
    await rendered(page);
    const size = await page.evaluate(() => window.__landquota.map.getSize());
    const cx = Math.round(size[0] / 2 + 150);
    const cy = Math.round(size[1] / 2);
    await page.evaluate((c) => window.__landquota.map.getView().setCenter(window.__landquota.map.getCoordinateFromPixel([c[0] - 150, c[1]])), [size[0] / 2, size[1] / 2]);
    await rendered(page);
    const zOn = await pixel(page, cx, cy);
    await page.uncheck('[data-testid=layer-toggle-protected-zones]');
    await rendered(page);
    const zOff = await pixel(page, cx, cy);
    assert(zOn.join() !== zOff.join(), 'switching the protected lines off changed nothing at a red-line zone');
    await page.check('[data-testid=layer-toggle-protected-zones]');
    await page.check('[data-testid=layer-toggle-parcels]');
  }
  // Colour by land use: the legend follows.
  await goTo(page, HTZ, 15);
  await page.click('[data-testid=color-by-landuse]');
  await rendered(page);
  assert(await page.isVisible('[data-testid=legend-landuse-10]'), 'the land-use legend is shown');
  await shot(page, '02-parcels-by-landuse');
  await page.click('[data-testid=color-by-status]');
  assert(await page.isVisible('[data-testid=legend-status-approved]'), 'the status legend is shown');
  // Each status swatch has the catalog's colour, as /api/meta serves it (its one home).
  const swatches = await page.evaluate(async () => {
    const meta = await (await fetch('/api/meta')).json();
    const rgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
    return meta.statuses.map((s) => {
      const sw = document.querySelector(`[data-testid=legend-status-${s.code}] .swatch`);
      return { code: s.code, want: rgb(s.color), got: sw ? getComputedStyle(sw).borderTopColor : 'no swatch' };
    });
  });
  assert(swatches.length >= 10, `${swatches.length} statuses in meta`);
  for (const s of swatches) assert(s.got === s.want, `status ${s.code}: swatch ${s.got}, catalog ${s.want}`);
  // The protected lines, parks and districts too: legend and map styles in the catalog's colours.
  const lines = await page.evaluate(async () => {
    const { colors } = await (await fetch('/api/meta')).json();
    const rgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
    const border = (id) => {
      const sw = document.querySelector(`[data-testid=${id}] .swatch`);
      return sw ? getComputedStyle(sw).borderTopColor : 'no swatch';
    };
    const { layers } = window.__landquota;
    const strokeOf = (name, f) => {
      const st = layers[name].getStyle()(f, 1);
      return (Array.isArray(st) ? st[0] : st).getStroke().getColor();
    };
    const out = Object.entries(colors.zones).map(([kind, hex]) => {
      const f = layers['protected-zones'].getSource().getFeatures().find((x) => x.get('kind') === kind);
      return { what: kind, want: rgb(hex), legend: border(`legend-zone-${kind}`), wantMap: hex, map: f ? strokeOf('protected-zones', f) : hex };
    });
    out.push({ what: 'park', want: rgb(colors.park), legend: border('legend-park'), wantMap: colors.park, map: strokeOf('parks', layers.parks.getSource().getFeatures()[0]) });
    out.push({ what: 'district', want: rgb(colors.district), legend: border('legend-district'), wantMap: colors.district, map: strokeOf('districts', layers.districts.getSource().getFeatures()[0]) });
    return out;
  });
  equal(lines.length, 5, 'three zone kinds, parks and districts in meta.colors');
  for (const l of lines) {
    assert(l.legend === l.want, `${l.what}: legend swatch ${l.legend}, catalog ${l.want}`);
    assert(l.map === l.wantMap, `${l.what}: map stroke ${l.map}, catalog ${l.wantMap}`);
  }
  await finish(page, 'layers');
});

test('clicking a parcel shows its area in 亩 as the API gives it', async (ctx) => {
  const page = await openPage(ctx);
  await goTo(page, HTZ, 15);
  const p = await visibleParcel(page);
  assert(p, 'no parcel to click');
  await clickMap(page, p.x, p.y);
  await page.waitForSelector('#info-panel[data-loaded=true]');
  equal(await page.getAttribute('#info-panel', 'data-parcel-id'), String(p.id), 'the panel shows the clicked parcel');
  const { body } = await api(ctx.world, `/ogc/collections/parcels/items/${p.id}`);
  const mu = num(await page.textContent('[data-testid=info-area-mu]'));
  equal(mu, muOf(body.properties.area_m2), 'area in 亩 vs the API area_m2 × 15 / 10000');
  equal(mu, body.properties.area_mu, 'area in 亩 vs the API area_mu');
  equal(num(await page.textContent('[data-testid=info-area-m2]')), Math.round(body.properties.area_m2 * 100) / 100, 'area in m²');
  equal((await page.textContent('[data-testid=info-code]')).trim(), body.properties.code, 'parcel code');
  const landUse = await page.textContent('[data-testid=info-land-use]');
  assert(landUse.includes(body.properties.land_use) && landUse.includes(body.properties.land_use_zh), `land use shows code and Chinese name: ${landUse}`);
  await shot(page, '03-parcel-panel');
  await finish(page, 'parcel panel');
});

test('a viewer sees no run, grant or approve buttons, and the server refuses an approval', async (ctx) => {
  const page = await openPage(ctx, { hash: '#quota' });
  // A wrong password is refused in words, in the dialog.
  await page.click('[data-testid=login-open]');
  await page.fill('[data-testid=login-username]', 'viewer1');
  await page.fill('[data-testid=login-password]', 'not-the-password');
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=login-error]:not([hidden])');
  equal((await page.textContent('[data-testid=login-error]')).trim(), '用户名或密码错误', 'wrong password message');
  await shot(page, '04a-login-refused');
  await page.fill('[data-testid=login-password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=user-role]');
  page.consoleErrors = page.consoleErrors.filter((e) => !/status of 401/.test(e));
  equal((await page.textContent('[data-testid=user-role]')).trim(), '查看', 'role badge');
  await page.click('[data-testid=quota-tab-scenarios]');
  await page.waitForSelector('[data-testid=scenario-list], [data-testid=no-scenarios]');
  equal(await page.isVisible('[data-testid=run-submit]'), false, 'run button visible to a viewer');
  // A scenario made by an allocator (through the API) is shown without an approve button.
  const { world } = ctx;
  const cookie = await apiLogin(world, 'alloc1');
  const sc = await api(world, '/api/plans/2026/scenarios', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie.cookie, 'X-CSRF-Token': cookie.csrf },
    body: JSON.stringify({ method: 'optimal', name: '最优化对照' }),
  });
  ctx.viewerScenario = sc.body.id;
  await page.click('[data-testid=quota-refresh]');
  await page.click(`[data-testid=scenario-open-${sc.body.id}]`);
  await page.waitForSelector('[data-testid=scenario-detail]');
  equal(await page.isVisible('[data-testid=approve]'), false, 'approve button visible to a viewer');
  await openMode(page, 'allocate');
  equal(await page.isVisible('[data-testid=grant-submit]'), false, 'grant button visible to a viewer');
  equal(await page.isVisible('[data-testid=attach-submit]'), false, 'attach button visible to a viewer');
  assert(await page.isVisible('[data-testid=allocate-role-note]'), 'the role note explains why');
  // The server refuses the viewer too, whatever the UI shows.
  const status = await page.evaluate(async (id) => {
    const me = await (await fetch('/api/me')).json();
    const res = await fetch(`/api/scenarios/${id}/approve`, { method: 'POST', headers: { 'X-CSRF-Token': me.csrf_token } });
    return res.status;
  }, sc.body.id);
  equal(status, 403, 'a viewer approving a scenario');
  await shot(page, '04-viewer-allocate');
  await finish(page, 'viewer', /status of 403/);
});


test('an allocator runs an allocation, approves it after confirming, and the balances change', async (ctx) => {
  const page = await openPage(ctx, { hash: '#quota', user: 'alloc1' });
  await page.waitForSelector('[data-testid=account-held-330100]');
  const heldBefore = num(await page.getAttribute('[data-testid=account-held-330100]', 'data-m2'));
  const { body: planBefore } = await api(ctx.world, '/api/plans/2026');
  equal(heldBefore, planBefore.accounts.find((a) => a.code === '330100').held_m2, 'city balance shown vs the API');
  await shot(page, '05-quota-accounts');

  await page.click('[data-testid=quota-tab-scenarios]');
  await page.selectOption('[data-testid=run-method]', 'priority');
  await page.fill('[data-testid=run-name]', '浏览器测试方案');
  await page.click('[data-testid=run-submit]');
  await page.waitForSelector('[data-testid=run-progress]:not([hidden])', { timeout: 5000 });
  await page.waitForSelector('[data-testid=scenario-detail]', { timeout: 30000 });
  const id = Number(await page.getAttribute('[data-testid=scenario-detail]', 'data-scenario-id'));
  const { body: sc } = await api(ctx.world, `/api/scenarios/${id}`);
  equal(sc.name, '浏览器测试方案', 'scenario name');
  const rows = await page.$$('[data-testid=decision-row]');
  equal(rows.length, sc.result.decisions.length, 'decision rows vs the API');
  const explanation = await page.textContent('[data-testid=decision-row] .explanation');
  assert(explanation.includes(sc.result.decisions[0].explanation_zh.slice(0, 10)), 'the explanation is shown');
  // The scenario on the map: project parcels coloured by decision.
  await page.waitForSelector('[data-testid=legend-outcome-granted]');
  assert(await page.evaluate(() => window.__landquota.decisions > 0), 'decisions on the map');
  // The map went to the park with most of the scenario's projects, close enough to draw parcels.
  assert(await page.evaluate(() => window.__landquota.map.getView().getZoom() >= 12), 'zoomed in on the scenario');
  await rendered(page);
  await shot(page, '06-scenario-table-and-map');

  // Compare with the viewer-check scenario.
  if (ctx.viewerScenario) {
    await page.selectOption('[data-testid=compare-a]', String(ctx.viewerScenario));
    await page.selectOption('[data-testid=compare-b]', String(id));
    await page.click('[data-testid=compare-submit]');
    await page.waitForSelector('[data-testid=compare-view]');
    await shot(page, '07-scenario-compare');
    await page.click(`[data-testid=scenario-open-${id}]`);
    await page.waitForSelector('[data-testid=scenario-detail]');
  }

  // Approve: a confirmation first; cancelling changes nothing.
  await page.click('[data-testid=approve]');
  await page.waitForSelector('[data-testid=confirm-dialog][open]');
  await shot(page, '08-approve-confirm');
  await page.click('[data-testid=confirm-cancel]');
  equal((await api(ctx.world, `/api/scenarios/${id}`)).body.status, 'draft', 'status after cancelling');
  await page.click('[data-testid=approve]');
  await page.click('[data-testid=confirm-ok]');
  await page.waitForSelector('[data-testid=scenario-detail][data-status=approved]', { timeout: 15000 });
  equal((await api(ctx.world, `/api/scenarios/${id}`)).body.status, 'approved', 'status after approving');

  await page.click('[data-testid=quota-tab-accounts]');
  const { body: planAfter } = await api(ctx.world, '/api/plans/2026');
  const want = planAfter.accounts.find((a) => a.code === '330100').held_m2;
  assert(want !== heldBefore, 'the approval moved the city balance');
  await page.waitForFunction((want) => {
    const e = document.querySelector('[data-testid=account-held-330100]');
    return e && Number(e.dataset.m2) === want;
  }, want, { timeout: 10000 });
  await page.click('[data-testid=quota-tab-ledger]');
  await page.waitForSelector('[data-testid=ledger-row]');
  await finish(page, 'allocation');
});

test('allocate on the map: select parcels, make a project, see its need, a short grant names the missing amount', async (ctx) => {
  const page = await openPage(ctx, { hash: '#allocate', user: 'alloc1' });
  // A parcel that needs new quota and belongs to no project, in the High-tech Zone park.
  const { body: projects } = await api(ctx.world, '/api/projects');
  const taken = new Set(projects.projects.flatMap((p) => p.parcel_ids));
  const { body: fc } = await api(ctx.world, '/api/layers/parcels?park=HTZ&limit=3000&properties=area_m2,construction_land,status,underground');
  // Not yet approved for conversion (its quota is still to be consumed: a status before 'approved'), not construction land today.
  const { body: meta } = await api(ctx.world, '/api/meta');
  const order = meta.statuses.map((st) => st.code);
  const unapproved = order.slice(0, order.indexOf('approved'));
  const free = fc.features.filter((f) => !taken.has(f.id) && unapproved.includes(f.properties.status) &&
    f.properties.construction_land === false && !f.properties.underground && f.properties.area_m2 > 3000);
  assert(free.length > 0, 'no free parcel needing quota in the HTZ park');
  const target = free[0];
  const coords = target.geometry.coordinates[0][0];
  const c = coords.reduce((a, p) => [a[0] + p[0] / coords.length, a[1] + p[1] / coords.length], [0, 0]);
  await goTo(page, c, 17);
  const px = await page.evaluate((id) => {
    const lq = window.__landquota;
    const f = lq.layers.parcels.getFeaturesInExtent(lq.map.getView().calculateExtent()).find((x) => x.getId() === id);
    const e = f.getExtent();
    return lq.map.getPixelFromCoordinate([(e[0] + e[2]) / 2, (e[1] + e[3]) / 2]);
  }, target.id);
  // Box selection: the parcels the box touches, as the layer API counts them in that bbox.
  await page.click('[data-testid=select-box]');
  const corners = [[px[0] - 60, px[1] - 40], [px[0] + 60, px[1] + 40]];
  const box = await page.locator('#map').boundingBox();
  // dragged: press on one corner, move, release on the other
  await page.mouse.move(box.x + corners[0][0], box.y + corners[0][1]);
  await page.mouse.down();
  await page.mouse.move(box.x + corners[1][0], box.y + corners[1][1], { steps: 10 });
  await page.mouse.up();
  await page.waitForTimeout(300);
  const bbox = await page.evaluate((corners) => {
    const { map } = window.__landquota;
    const ll = corners.map((p) => {
      const [x, y] = map.getCoordinateFromPixel(p);
      return [(x / 20037508.342789244) * 180, (Math.atan(Math.exp((y / 20037508.342789244) * Math.PI)) * 360) / Math.PI - 90];
    });
    return [Math.min(ll[0][0], ll[1][0]), Math.min(ll[0][1], ll[1][1]), Math.max(ll[0][0], ll[1][0]), Math.max(ll[0][1], ll[1][1])];
  }, corners);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=panel-allocate]').dataset.selected) > 0);
  await page.waitForTimeout(300);
  const inBox = (await api(ctx.world, `/api/layers/parcels?limit=1000&properties=&bbox=${bbox.map((v) => v.toFixed(6)).join(',')}`)).body.features.length;
  const boxSelected = Number(await page.getAttribute('[data-testid=panel-allocate]', 'data-selected'));
  assert(Math.abs(boxSelected - inBox) <= 1, `box selected ${boxSelected} parcels, the API finds ${inBox} in the box`);
  await shot(page, '09a-allocate-box-selection');
  await page.click('[data-testid=select-clear]');
  await page.click('[data-testid=select-click]');
  await page.waitForSelector('[data-testid=panel-allocate][data-selected="0"]');
  await clickMap(page, px[0], px[1]);
  await page.waitForSelector('[data-testid=panel-allocate][data-selected="1"]');
  const previewNew = await page.textContent('[data-testid=preview-new]');
  assert(previewNew.includes('亩'), `need preview in 亩: ${previewNew}`);
  await page.fill('[data-testid=project-code]', 'UI-TEST-1');
  await page.fill('[data-testid=project-name]', '浏览器测试项目');
  await page.selectOption('[data-testid=project-category]', 'important_manufacturing');
  await page.click('[data-testid=attach-submit]');
  await page.waitForSelector('[data-testid=project-card]:not([hidden])');
  const pid = Number(await page.getAttribute('[data-testid=panel-allocate]', 'data-project-id'));
  const { body: project } = await api(ctx.world, `/api/projects/${pid}`);
  equal(project.code, 'UI-TEST-1', 'project code');
  equal(JSON.stringify(project.parcel_ids), JSON.stringify([target.id]), 'project parcels');
  const needText = await page.textContent('[data-testid=need-new]');
  assert(needText.includes(project.need.new_hm2.toFixed(2)), `need in hm² shown: ${needText} vs ${project.need.new_hm2}`);
  // Leave the account above the project less than its need: granting the need is refused with the missing amount.
  const cookie = await apiLogin(ctx.world, 'alloc1');
  const book = (body) => api(ctx.world, '/api/plans/2026/ledger', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie.cookie, 'X-CSRF-Token': cookie.csrf },
    body: JSON.stringify({ reason: 'ui test', idempotency_key: `ui-${Date.now()}-${Math.random()}`, ...body }),
  });
  const { body: plan } = await api(ctx.world, '/api/plans/2026');
  const above = plan.accounts.find((a) => a.kind === 'park' && a.park === project.land_park) || plan.accounts.find((a) => a.kind === 'district' && a.code === project.district);
  const up = plan.accounts.find((a) => a.id === above.parent_id);
  const drain = Math.round((above.held_m2 - project.need.new_m2 / 2) * 100) / 100;
  if (drain > 0) await book({ entry: 'release', from: above.code, to: up.code, amount_m2: drain });
  await page.fill('[data-testid=grant-amount]', '');
  await page.fill('[data-testid=grant-reason]', '浏览器测试：余额不足');
  await page.click('[data-testid=grant-submit]');
  await page.click('[data-testid=confirm-dialog][open] [data-testid=confirm-ok]'); // every grant and release is confirmed first
  await page.waitForSelector('[data-testid=grant-result].bad');
  const shortMsg = await page.textContent('[data-testid=grant-result]');
  assert(shortMsg.includes('尚缺'), `the refusal names what is missing: ${shortMsg}`);
  const errs = await errorsShown(page);
  assert(errs.some((e) => e.includes('尚缺')), `the error bar shows the refusal: ${errs}`);
  await shot(page, '09-allocate-short-balance');
  await page.click('[data-testid=error-dismiss]');
  // Fund it again, then grant the need and release it again.
  await book({ entry: 'allocate', from: up.code, to: above.code, amount_m2: project.need.new_m2 });
  await page.selectOption('[data-testid=project-pick]', String(pid));
  await page.fill('[data-testid=grant-amount]', '');
  await page.click('[data-testid=grant-submit]');
  await page.click('[data-testid=confirm-dialog][open] [data-testid=confirm-ok]'); // every grant and release is confirmed first
  await page.waitForSelector('[data-testid=grant-result].ok');
  const { body: plan2 } = await api(ctx.world, '/api/plans/2026');
  const acct = plan2.accounts.find((a) => a.kind === 'project' && a.project_id === pid);
  equal(acct && acct.held_m2, project.need.new_m2, 'the project holds its need after the grant');
  await page.waitForFunction(() => /0\.00/.test(document.querySelector('[data-testid=project-outstanding]')?.textContent || ''));
  await shot(page, '10-allocate-granted');
  await page.fill('[data-testid=grant-reason]', '浏览器测试：退回');
  await page.click('[data-testid=release-submit]');
  await page.click('[data-testid=confirm-dialog][open] [data-testid=confirm-ok]'); // every grant and release is confirmed first
  await page.waitForFunction(() => /退回/.test(document.querySelector('[data-testid=grant-result].ok')?.textContent || ''));
  const { body: plan3 } = await api(ctx.world, '/api/plans/2026');
  equal(plan3.accounts.find((a) => a.kind === 'project' && a.project_id === pid).held_m2, 0, 'the project holds nothing after the release');
  await finish(page, 'allocate', /status of 409/);
});

test('a planner search by park and by drawn polygon finds as many parcels as the API, highlighted', async (ctx) => {
  const page = await openPage(ctx, { hash: '#search' });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=search-area] option').length > 3);
  await page.selectOption('[data-testid=search-area]', 'park:BINFU');
  await page.selectOption('[data-testid=search-landuse]', '10');
  await page.click('[data-testid=search-submit]');
  await page.waitForSelector('[data-testid=search-count]');
  const shown = num(await page.textContent('[data-testid=search-count]'));
  const body = { where: { park: 'BINFU' }, what: { land_use: ['10'], status: ['available'] } };
  const want = await searchAPI(ctx.world, body);
  equal(shown, want, 'result count vs POST /api/parcels/search');
  assert(want > 0, 'the search found nothing to check');
  const rows = await page.$$('[data-testid=search-row]');
  equal(rows.length, Math.min(want, 200), 'rows listed');
  const lit = await page.evaluate(() => window.__landquota.overlays.highlight.getSource().getFeatures().length);
  equal(lit, rows.length, 'matches highlighted on the map');
  // Zoom to one: the parcel panel opens on it.
  const firstId = await page.getAttribute('[data-testid=search-row]', 'data-id');
  await page.click('[data-testid=search-row] .link');
  await page.waitForSelector(`#info-panel[data-parcel-id="${firstId}"][data-loaded=true]`);
  await rendered(page);
  await shot(page, '12-search-park');
  // Export GeoJSON: every match.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=search-export-geojson]')]);
  const fc = JSON.parse(await readFile(await download.path(), 'utf8'));
  equal(fc.features.length, want, 'features in the GeoJSON export');
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=search-export-csv]')]);
  const csv = await readFile(await csvDownload.path(), 'utf8');
  equal(csv.trim().split('\n').length, want + 1, 'CSV lines (header + one per match)');
  const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=search-export-xlsx]')]);
  const book = unzipSync(new Uint8Array(await readFile(await xlsxDownload.path())));
  const sheetName = Object.keys(book).find((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n));
  const sheetRows = (strFromU8(book[sheetName]).match(/<row /g) || []).length;
  equal(sheetRows, want + 1, 'xlsx rows (header + one per match)');

  // A request the server refuses: its message is shown, not swallowed, and in Chinese only.
  await page.fill('[data-testid=search-min-area]', '10');
  await page.fill('[data-testid=search-max-area]', '5');
  await page.click('[data-testid=search-submit]');
  await page.waitForSelector('[data-testid=error-message]');
  const refused = await errorsShown(page);
  assert(refused.some((e) => e.startsWith('查询失败') && /min/.test(e) && /大于/.test(e) && !/greater/.test(e)), `the server's refusal is shown in Chinese: ${refused}`);
  await page.click('[data-testid=error-dismiss]');
  page.consoleErrors = []; // the refusal we provoked (the error bar also logs what it shows)
  await page.fill('[data-testid=search-min-area]', '');
  await page.fill('[data-testid=search-max-area]', '');

  // A drawn polygon over the High-tech Zone, any status.
  await page.click('[data-testid=search-reset]');
  await goTo(page, HTZ, 14);
  await page.uncheck('[data-testid=search-status-available]');
  await page.click('[data-testid=search-scope-polygon]');
  // A pentagon right of the centre, clear of the panel, the legend and the parcel panel.
  await drawPolygonPx(page, [[640, 260], [900, 230], [960, 480], [760, 620], [600, 470]]);
  await page.waitForSelector('[data-testid=search-polygon-set]');
  await page.click('[data-testid=search-submit]');
  await page.waitForSelector('[data-testid=search-count]');
  const polyShown = num(await page.textContent('[data-testid=search-count]'));
  const polyBody = await page.evaluate(async () => (await window.__landquota.panel('search')).result.body);
  assert(polyBody.where.polygon && polyBody.where.polygon.type === 'Polygon', 'the drawn polygon is sent');
  const polyWant = await searchAPI(ctx.world, { where: polyBody.where, what: polyBody.what });
  equal(polyShown, polyWant, 'polygon result count vs the API');
  assert(polyWant > 0, 'the polygon found nothing');
  await rendered(page);
  await shot(page, '13-search-polygon');
  await finish(page, 'search');
});

test('eligibility: a shape across a red line is refused and its overlaps are drawn', async (ctx) => {
  const page = await openPage(ctx, { hash: '#eligibility' });
  const { body: zones } = await api(ctx.world, '/api/layers/protected-zones?limit=1000');
  const red = zones.features.find((f) => f.properties.kind === 'ecological_red_line');
  const ring = red.geometry.coordinates[0][0];
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const w = (x1 - x0) / 2;
  const h = (y1 - y0) / 4;
  const cy = (y0 + y1) / 2;
  // A box straddling the zone's west edge.
  const corners = [[x0 - w / 2, cy - h], [x0 + w / 2, cy - h], [x0 + w / 2, cy + h], [x0 - w / 2, cy + h]];
  await goTo(page, [x0, cy], 13);
  await page.click('[data-testid=elig-draw]');
  await drawPolygon(page, corners);
  await page.waitForSelector('[data-testid=elig-verdict]');
  equal(await page.getAttribute('[data-testid=elig-verdict]', 'data-eligible'), 'false', 'verdict');
  const request = await page.evaluate(async () => (await window.__landquota.panel('eligibility')).lastRequest);
  const { body: want } = await api(ctx.world, '/api/eligibility', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request),
  });
  equal(want.eligible, false, 'API verdict');
  const shownRed = (await page.textContent('[data-testid=elig-redline]')).replace(/,/g, '');
  assert(shownRed.includes(want.red_line_overlap.area_mu.toFixed(2)), `red-line overlap ${shownRed} vs ${want.red_line_overlap.area_mu} 亩`);
  const drawn = await page.evaluate(() => window.__landquota.overlays.overlaps.getSource().getFeatures().map((f) => f.get('kind')));
  assert(drawn.includes('ecological_red_line'), `overlaps drawn: ${drawn}`);
  equal(drawn.length, want.overlaps.features.length, 'overlap pieces drawn');
  assert((await page.textContent('[data-testid=elig-verdict]')).includes('生态保护红线'), 'the verdict names the red line');
  await rendered(page);
  await shot(page, '14-eligibility');
  await finish(page, 'eligibility');
});

test('stock land: the layer draws and a parcel shows its 闲置 years', async (ctx) => {
  const { body: idle } = await api(ctx.world, '/api/stock?kind=idle&park=HTZ&limit=50');
  const f = idle.features.find((x) => x.properties.idle && x.properties.area_m2 > 3000);
  assert(f, 'no idle parcel in the demo');
  const ring = f.geometry.coordinates[0][0];
  const c = ring.reduce((a, p) => [a[0] + p[0] / ring.length, a[1] + p[1] / ring.length], [0, 0]);
  const page = await openPage(ctx);
  await page.check('[data-testid=layer-toggle-stock]');
  await page.check('[data-testid=layer-toggle-allocations]');
  await goTo(page, c, 16);
  const stockDrawn = await page.evaluate(() => window.__landquota.layers.stock.getSource().getFeatures().length);
  assert(stockDrawn > 0, 'the stock layer drew nothing');
  assert(await page.isVisible('[data-testid=legend-stock-idle]'), 'stock legend');
  const [x, y] = await pixelOf(page, c);
  await clickMap(page, x, y);
  await page.waitForSelector('#info-panel[data-loaded=true]');
  equal(await page.getAttribute('#info-panel', 'data-parcel-id'), String(f.id), 'the idle parcel is shown');
  const flags = await page.textContent('[data-testid=info-flags]');
  assert(flags.includes(`闲置 ${f.properties.idle_years} 年`), `flags: ${flags}`);
  await shot(page, '15-stock-and-allocations');
  await finish(page, 'stock');
});

test('reports show the yearly statistics and download as xlsx and CSV', async (ctx) => {
  const page = await openPage(ctx, { hash: '#reports' });
  await page.waitForSelector('[data-testid=report-table-quota]');
  const { body: rep } = await api(ctx.world, '/api/reports/2026');
  for (const tb of rep.tables) assert(await page.$(`[data-testid=report-table-${tb.key}]`), `table ${tb.key} shown`);
  const total = rep.tables.find((x) => x.key === 'quota').rows.find((r) => r.level === '合计');
  const cells = await page.$$eval('[data-testid=report-table-quota] tr.total-row', (trs) => trs.map((tr) => tr.innerText));
  assert(cells.some((c) => c.includes(total.issued_hm2.toFixed(2))), `quota total ${total.issued_hm2} not in ${cells}`);
  for (const [sel, type, magic] of [['report-xlsx', 'spreadsheetml', 'PK'], ['report-csv', 'text/csv', '\ufeff']]) {
    const href = await page.getAttribute(`[data-testid=${sel}]`, 'href');
    const res = await page.request.get(ctx.world.url + href);
    equal(res.status(), 200, `${sel} status`);
    assert(res.headers()['content-type'].includes(type), `${sel} content type ${res.headers()['content-type']}`);
    assert((await res.body()).toString('utf8', 0, 3).startsWith(magic), `${sel} content`);
  }
  await shot(page, '16-reports');
  await finish(page, 'reports');
});

test('the English UI of the dashboard has no Chinese labels', async (ctx) => {
  const page = await openPage(ctx, { hash: '#quota' });
  await page.click('[data-testid=lang-switch]');
  await login(page, 'admin1');
  equal((await page.textContent('[data-testid=user-role]')).trim(), 'Administrator', 'role badge');
  await page.waitForSelector('[data-testid=account-tree]');
  await shot(page, '11-quota-en');
  const bad = await untranslated(page);
  assert(bad.length === 0, `untranslated: ${bad}`);
  await page.click('[data-testid=lang-switch]');
  await finish(page, 'english dashboard');
});

// ---------------------------------------------------------------- main
await runSuite();
