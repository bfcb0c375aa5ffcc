// Browser tests of the map as officials use it (issue 16): printing a map to PDF and PNG,
// the static files, keyboard and accessibility (axe-core in every mode), phone and tablet.
//
//   LANDQUOTA_TEST_DATABASE_URL=... CHROMIUM=/usr/bin/chromium node tests/map.e2e.mjs [name filter]
//
// Needs poppler-utils (pdfinfo, pdftotext, pdffonts, pdftoppm) and fonts-noto-cjk, which
// scripts/ui-test.sh installs. Screenshots and the printed files go to web/ui/test-output/.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { assert, equal, finish, OUT_DIR, PASSWORD, run, test as register, runSuite, rendered, goTo, openMode, panelBuilt } from './harness.mjs';

const DESKTOP = { width: 1440, height: 900 };
const HTZ = [120.2, 30.19]; // Binjiang, inside the High-tech Zone park
const only = process.argv[2] ? new RegExp(process.argv[2], 'i') : null;
const test = (name, fn) => (!only || only.test(name)) && register(name, fn);
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- helpers
async function openPage(ctx, { lang = 'zh', hash = '', viewport = DESKTOP, touch = false, scale = 1 } = {}) {
  const context = await ctx.browser.newContext({
    viewport, deviceScaleFactor: scale, locale: lang === 'en' ? 'en-US' : 'zh-CN', acceptDownloads: true, hasTouch: touch, isMobile: touch,
  });
  if (lang === 'en') await context.addInitScript(() => localStorage.setItem('landquota.lang', 'en'));
  const page = await context.newPage();
  page.consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 401/.test(m.text())) page.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => page.consoleErrors.push(`pageerror: ${e.message}`));
  const t0 = Date.now();
  await page.goto(`${ctx.world.url}/${hash}`);
  await page.waitForFunction(() => window.__landquota && window.__landquota.ready, null, { timeout: 20000 });
  page.loadMs = Date.now() - t0;
  ctx.pages.push(page);
  return page;
}



async function shot(page, name) {
  const path = join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

async function noErrors(page, where) {
  const shown = await page.$$eval('[data-testid=error-message]', (els) => els.map((e) => e.textContent));
  assert(shown.length === 0, `${where}: the error bar shows ${JSON.stringify(shown)}`);
  assert(page.consoleErrors.length === 0, `${where}: console errors ${JSON.stringify(page.consoleErrors)}`);
}

/**
 * Looks at a box of a PNG file, decoded by the browser: its size, the share of dark pixels
 * (text, lines), of coloured ones (neither white nor grey: map features, swatches), and
 * the rows holding at least two dark runs of minRun pixels or more (a scale bar).
 */
async function pngLook(page, file, box = null, minRun = 1e9) {
  const b64 = (await readFile(file)).toString('base64');
  return page.evaluate(async ([b64, box, minRun]) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(img, 0, 0);
    const [x0, y0, w, h] = box || [0, 0, c.width, c.height];
    const d = ctx.getImageData(x0, y0, w, h).data;
    let dark = 0;
    let colour = 0;
    const barRows = [];
    for (let y = 0; y < h; y++) {
      let runs = 0;
      let len = 0;
      for (let x = 0; x <= w; x++) {
        const i = (y * w + x) * 4;
        const isDark = x < w && d[i] + d[i + 1] + d[i + 2] < 200;
        if (x < w && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 40) colour++;
        if (isDark) {
          dark++;
          len++;
        } else {
          if (len >= minRun) runs++;
          len = 0;
        }
      }
      if (runs >= 2) barRows.push(y);
    }
    return { width: c.width, height: c.height, dark: dark / (w * h), colour: colour / (w * h), barRows };
  }, [b64, box, minRun]);
}

/** Two screenshots of the same size differ: the glyphs of two words are not the same boxes. */
async function differentGlyphs(a, b) {
  const [x, y] = [await a.screenshot(), await b.screenshot()];
  return !x.equals(y);
}

/** Runs axe-core (from node_modules) in the page; the serious and critical violations. */
async function axeViolations(page, where) {
  const source = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

async function printToPdf(page, name, { paper, orientation, scale, title, caption }) {
  await page.evaluate(() => {
    window.__printed = 0;
    window.print = () => {
      window.__printed++;
    };
  });
  await page.click('[data-testid=print-open]');
  await page.selectOption('[data-testid=print-paper]', paper);
  await page.selectOption('[data-testid=print-orientation]', orientation);
  await page.selectOption('[data-testid=print-scale-choice]', String(scale));
  await page.fill('[data-testid=print-title]', title);
  await page.fill('[data-testid=print-caption]', caption);
  const t0 = Date.now();
  await page.click('[data-testid=print-pdf]');
  await page.waitForFunction(() => window.__printed > 0, null, { timeout: 90000 });
  const ms = await page.evaluate(() => window.__landquota.lastPrintMs);
  const pdf = join(OUT_DIR, `${name}.pdf`);
  await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
  const totalMs = Date.now() - t0; // from the click to the PDF file
  await page.evaluate(() => window.__landquota.print.clear());
  return { pdf, ms, totalMs };
}

// ---------------------------------------------------------------- tests
test('print: an A4 landscape map at 1:10,000 to PDF with title, legend, scale bar, north arrow and notes', async (ctx) => {
  const page = await openPage(ctx);
  await goTo(page, HTZ, 14);
  const title = '滨江区用地现状图 PRINT-TEST';
  const { pdf, ms, totalMs } = await printToPdf(page, 'print-a4-landscape', { paper: 'A4', orientation: 'landscape', scale: 10000, title, caption: '会议材料 caption-42' });
  console.log(`     A4 landscape at 1:10,000, 300 dpi: map rendered and sheet composed in ${ms} ms, PDF written ${totalMs} ms after the click`);

  // Page size: A4 landscape is 841.89 × 595.28 pt.
  const info = run('pdfinfo', [pdf]);
  const size = info.match(/Page size:\s+([\d.]+) x ([\d.]+) pts/);
  assert(size, `pdfinfo gives no page size:\n${info}`);
  assert(Math.abs(Number(size[1]) - 841.89) < 2 && Math.abs(Number(size[2]) - 595.28) < 2, `page size ${size[1]} × ${size[2]} pt, want A4 landscape`);
  equal(Number(info.match(/Pages:\s+(\d+)/)[1]), 1, 'pages');

  // Text: title, legend heading and entries, scale, coordinate system, caption.
  const text = run('pdftotext', ['-layout', pdf, '-']);
  for (const want of [title, '图例', '比例尺 1:10,000', 'CGCS2000', '制图日期', '会议材料 caption-42', '杭州高新区（滨江）']) {
    assert(text.includes(want), `the PDF's text lacks ${JSON.stringify(want)}:\n${text}`);
  }
  const legendLabels = await page.$$eval('#legend-content .legend-row', (rows) => rows.map((r) => r.textContent.trim()).filter(Boolean));
  assert(legendLabels.length > 5, `the on-screen legend has ${legendLabels.length} rows`);
  for (const label of legendLabels.slice(0, 6)) assert(text.includes(label), `the PDF's legend lacks ${JSON.stringify(label)}`);
  assert(/\d+ (m|km)\b/.test(text), `no scale-bar length in the PDF's text:\n${text}`);
  // Pixels: render the page at 100 dpi (1169 × 827 px) and look where the layout puts things
  // (print.js, A4 landscape: title 10..23 mm, map 10..228 × 23..191 mm, side column 233..287 mm).
  run('pdftoppm', ['-r', '100', '-png', '-singlefile', pdf, join(OUT_DIR, 'print-a4-landscape')]);
  const png = join(OUT_DIR, 'print-a4-landscape.png');
  const mm = (v) => Math.round((v * 100) / 25.4);
  const whole = await pngLook(page, png, [0, 0, 10, 10]);
  assert(Math.abs(whole.width - 1169) <= 2 && Math.abs(whole.height - 827) <= 2, `rendered page ${whole.width} × ${whole.height} px, want 1169 × 827`);
  const titleBand = await pngLook(page, png, [mm(60), mm(11), mm(177), mm(11)]);
  assert(titleBand.dark > 0.03, `the title band has ${titleBand.dark} dark pixels: no title drawn`);
  const mapBox = await pngLook(page, png, [mm(12), mm(25), mm(214), mm(164)]);
  assert(mapBox.colour > 0.1, `the map frame has ${mapBox.colour} coloured pixels: no map drawn`);
  const legendBox = await pngLook(page, png, [mm(233), mm(40), mm(54), mm(100)]);
  assert(legendBox.colour > 0.005, `the legend has ${legendBox.colour} coloured pixels: no swatches`);
  // The scale bar: rows of the side column's foot with two black segments of 4 mm or more.
  const foot = await pngLook(page, png, [mm(233), mm(140), mm(54), mm(51)], mm(4));
  assert(foot.barRows.length >= 2, 'no scale bar (rows with two black segments) at the foot of the side column');
  await page.screenshot({ path: join(OUT_DIR, 'print-after.png') });
  await noErrors(page, 'print');
  await page.context().close();
});

test('print: an A3 landscape PDF is A3, and a 300-dpi PNG is A4 portrait at 2480 × 3508 px', async (ctx) => {
  const page = await openPage(ctx);
  await goTo(page, HTZ, 14);
  const { pdf, ms, totalMs } = await printToPdf(page, 'print-a3-landscape', { paper: 'A3', orientation: 'landscape', scale: 0, title: 'A3 extent', caption: '' });
  console.log(`     A3 landscape at 300 dpi (extent on screen): map rendered and sheet composed in ${ms} ms, PDF written ${totalMs} ms after the click`);
  const size = run('pdfinfo', [pdf]).match(/Page size:\s+([\d.]+) x ([\d.]+) pts/);
  assert(Math.abs(Number(size[1]) - 1190.55) < 2 && Math.abs(Number(size[2]) - 841.89) < 2, `page size ${size[1]} × ${size[2]} pt, want A3 landscape`);
  assert(/比例尺 1:[\d,]+/.test(run('pdftotext', [pdf, '-'])), 'the extent print names its scale');

  await page.click('[data-testid=print-open]');
  await page.selectOption('[data-testid=print-paper]', 'A4');
  await page.selectOption('[data-testid=print-orientation]', 'portrait');
  await page.selectOption('[data-testid=print-scale-choice]', '5000');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 90000 }), page.click('[data-testid=print-png]')]);
  const file = join(OUT_DIR, 'print-a4-portrait.png');
  await download.saveAs(file);
  const bytes = await readFile(file);
  equal(bytes.readUInt32BE(16), 2480, 'PNG width');
  equal(bytes.readUInt32BE(20), 3508, 'PNG height');
  const phys = bytes.indexOf(Buffer.from('pHYs'));
  assert(phys > 0, 'the PNG has no pHYs (resolution) chunk');
  equal(bytes.readUInt32BE(phys + 4), 11811, 'PNG pixels per metre (300 dpi)');
  const map = await pngLook(page, file, [200, 400, 1200, 1200]);
  assert(map.colour > 0.1, `the PNG's map has ${map.colour} coloured pixels`);
  const title = await pngLook(page, file, [400, 130, 1680, 120]);
  assert(title.dark > 0.02, `the PNG's title band has ${title.dark} dark pixels`);
  await noErrors(page, 'png');
  await page.context().close();
});

test('fonts: Chinese labels are drawn with real glyphs, not the boxes of a missing font', async (ctx) => {
  const page = await openPage(ctx);
  // Two tab labels of four characters each: without a CJK font both are four identical boxes.
  const a = page.locator('[data-testid=mode-search]');
  const b = page.locator('[data-testid=mode-eligibility]');
  const [ba, bb] = [await a.boundingBox(), await b.boundingBox()];
  equal(Math.round(ba.width), Math.round(bb.width), 'width of two four-character tabs');
  assert(await differentGlyphs(a, b), '"规划查询" and "合规分析" look the same: no CJK font (apt-get install fonts-noto-cjk)');
  await page.context().close();
});

test('accessibility: axe-core finds no serious or critical violation in any mode, in Chinese and English', async (ctx) => {
  const found = [];
  for (const lang of ['zh', 'en']) {
    const page = await openPage(ctx, { lang });
    await goTo(page, HTZ, 14);
    for (const mode of ['layers', 'search', 'eligibility', 'allocate', 'quota', 'reports']) {
      await openMode(page, mode);
      await page.waitForTimeout(600);
      found.push(...await axeViolations(page, `${lang} ${mode}`));
    }
    await page.click('[data-testid=mode-layers]');
    await page.click('[data-testid=print-open]');
    await page.waitForSelector('[data-testid=print-paper]'); // print.js comes with the first click
    found.push(...await axeViolations(page, `${lang} print dialog`));
    await page.keyboard.press('Escape');
    await page.context().close();
  }
  // Logged in, the allocation forms and the approval buttons show too.
  const page = await openPage(ctx);
  await page.click('[data-testid=login-open]');
  found.push(...await axeViolations(page, 'login dialog'));
  await page.fill('[data-testid=login-username]', 'admin1');
  await page.fill('[data-testid=login-password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=user-role]');
  for (const mode of ['allocate', 'quota', 'stock']) {
    await openMode(page, mode);
    await page.waitForTimeout(800);
    found.push(...await axeViolations(page, `admin ${mode}`));
  }
  await page.context().close();
  assert(found.length === 0, `axe-core violations:\n${found.join('\n')}`);
});

test('keyboard: arrow keys move along the mode tabs, and focus is visible on the top bar and the map', async (ctx) => {
  const page = await openPage(ctx);
  await page.focus('[data-testid=mode-layers]');
  await page.keyboard.press('ArrowRight');
  equal(await page.evaluate(() => document.activeElement.dataset.testid), 'mode-search', 'focus after ArrowRight');
  equal(await page.evaluate(() => document.body.dataset.mode), 'search', 'mode after ArrowRight');
  await page.keyboard.press('End');
  equal(await page.evaluate(() => document.activeElement.dataset.testid), 'mode-reports', 'focus after End');
  await page.keyboard.press('ArrowRight');
  equal(await page.evaluate(() => document.activeElement.dataset.testid), 'mode-layers', 'ArrowRight wraps to the first tab');
  await page.keyboard.press('ArrowLeft');
  equal(await page.evaluate(() => document.activeElement.dataset.testid), 'mode-reports', 'ArrowLeft wraps to the last tab');
  equal(await page.getAttribute('[data-testid=mode-reports]', 'tabindex'), '0', 'the selected tab is the one in the tab order');
  equal(await page.getAttribute('[data-testid=mode-layers]', 'tabindex'), '-1', 'the other tabs are not');
  // A visible ring: the focused tab's outline is drawn and differs from the blue bar.
  const ring = await page.evaluate(() => {
    const cs = getComputedStyle(document.activeElement);
    return { style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), color: cs.outlineColor };
  });
  assert(ring.style !== 'none' && ring.width >= 2, `focused tab outline ${JSON.stringify(ring)}`);
  await page.keyboard.press('Home');
  await page.focus('#map');
  const mapRing = await page.evaluate(() => {
    const cs = getComputedStyle(document.querySelector('#map'));
    return { outline: cs.outlineStyle, width: parseFloat(cs.outlineWidth), shadow: cs.boxShadow };
  });
  assert((mapRing.outline !== 'none' && mapRing.width >= 2) || mapRing.shadow !== 'none', `the focused map shows no ring: ${JSON.stringify(mapRing)}`);
  await shot(page, 'map-keyboard-focus');
  await page.context().close();
});

test('first view: the High-tech Zone and its parks fill the map, with 滨江区, 滨富 and 滨萧 at low zoom', async (ctx) => {
  const page = await openPage(ctx);
  await page.waitForFunction(() => window.__landquota.layers.parks.getSource().getFeatures().length > 0);
  await rendered(page);
  const view = await page.evaluate(() => {
    const { map, layers } = window.__landquota;
    const v = map.getView();
    const ext = v.calculateExtent(map.getSize());
    const parks = layers.parks.getSource().getExtent();
    const districts = layers.districts.getSource().getExtent();
    return { ext, parks, districts, zoom: v.getZoom() };
  });
  const inside = (a, b) => a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3];
  assert(inside(view.parks, view.ext), `the parks ${view.parks} are not all in view ${view.ext}`);
  const w = (e) => e[2] - e[0];
  assert(w(view.ext) < 0.6 * w(view.districts), `the first view is ${w(view.ext)} m wide, the districts ${w(view.districts)}: not on the parks`);
  await page.evaluate(() => window.__landquota.map.getView().setZoom(10.5));
  await rendered(page);
  const labels = await page.evaluate(() => {
    const { map, layers } = window.__landquota;
    const labelLayer = map.getAllLayers().find((l) => l.get('name') === 'park-labels');
    const res = map.getView().getResolution();
    const out = {};
    for (const f of layers.parks.getSource().getFeatures()) {
      const st = labelLayer.getStyle()(f, res);
      out[f.get('code')] = st && st.getText() ? st.getText().getText() : null;
    }
    return out;
  });
  equal(labels.BINFU, '滨富', 'Binfu short label');
  equal(labels.BINXIAO, '滨萧', 'Binxiao short label');
  equal(labels.HTZ, null, 'the core zone leaves its label to 滨江区');
  equal((await page.textContent('[data-testid=zoom-hint]')).trim(), '放大地图即可看到地块', 'zoom hint in plain words');
  await shot(page, 'first-view-low-zoom');
  await noErrors(page, 'first view');
  await page.context().close();
});

test('stock workbench: the summary is the API\'s, the idle list sorts, filters, exports and zooms to a parcel', async (ctx) => {
  const page = await openPage(ctx, { hash: '#stock' });
  await page.waitForSelector('[data-testid=stock-summary] tbody tr');
  await page.waitForSelector('[data-testid=stock-list-idle] tbody tr');
  // The stock layer is on, drawn as counted circles at this zoom (one per group of parcels).
  await rendered(page);
  const drawn = await page.evaluate(() => {
    const { map } = window.__landquota;
    const clusters = map.getAllLayers().find((l) => l.get('name') === 'stock-clusters');
    return { zoom: map.getView().getZoom(), visible: clusters.getVisible(), circles: clusters.getSource().getFeatures().length, parcels: window.__landquota.layers.stock.getSource().getFeatures().length };
  });
  assert(drawn.zoom < 15 && drawn.visible && drawn.circles > 0 && drawn.circles < drawn.parcels, `stock at zoom ${drawn.zoom}: ${JSON.stringify(drawn)}`);
  await shot(page, 'stock-clusters');
  const summary = await (await fetch(`${ctx.world.url}/api/stock/summary`)).json();
  const total = summary.units.find((u) => u.level === 'total');
  const shownRows = await page.$$eval('[data-testid=stock-summary] tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  equal(shownRows.length, summary.units.length, 'summary rows');
  const totalRow = shownRows[summary.units.indexOf(total)];
  const mu = (v) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
  equal(totalRow[2], `${total.idle.count} · ${mu(total.idle.area_mu)}`, 'idle count · area of the total row');
  equal(totalRow[1], `${total.unsupplied.count} · ${mu(total.unsupplied.area_mu)}`, 'unsupplied count · area of the total row');

  // The list holds every idle parcel the API gives (all pages).
  let n = 0;
  for (let next = '/api/stock?kind=idle&limit=1000'; next;) {
    const fc = await (await fetch(new URL(next, ctx.world.url))).json();
    n += fc.features.length;
    next = (fc.links || []).find((l) => l.rel === 'next')?.href;
  }
  assert(n > 0, 'the seeded database has no idle land to list');
  const countText = await page.textContent('[data-testid=stock-count]');
  assert(countText.includes(`${n} / ${n}`), `list count "${countText}", want ${n} of ${n}`);

  // Sorted by years idle, most first; then by area ascending and descending.
  const col = async (i) => page.$$eval('[data-testid=stock-list-idle] tbody tr', (rows, i) => rows.map((r) => Number(r.cells[i].textContent.replace(/,/g, ''))), i);
  const years = await col(5);
  assert(years.every((v, i) => i === 0 || years[i - 1] >= v), `not sorted by years idle: ${years.slice(0, 20)}`);
  await page.click('[data-testid=stock-sort-area_mu]');
  await page.click('[data-testid=stock-sort-area_mu]');
  const areas = await col(2);
  assert(areas.every((v, i) => i === 0 || areas[i - 1] <= v), `not sorted by area ascending: ${areas.slice(0, 20)}`);
  equal(await page.getAttribute('[data-testid=stock-list-idle] th[aria-sort=ascending] button', 'data-testid'), 'stock-sort-area_mu', 'aria-sort on the sorted column');

  // Filter by a code: one row.
  const code = await page.textContent('[data-testid=stock-list-idle] tbody tr:first-child [data-testid=stock-row-zoom]');
  await page.fill('[data-testid=stock-filter-text]', code);
  equal(await page.$$eval('[data-testid=stock-list-idle] tbody tr', (r) => r.length), 1, `rows for code ${code}`);

  // The row zooms the map to its parcel and opens it, with the agreed start, the idle clock and the fee.
  const cells = await page.$$eval('[data-testid=stock-list-idle] tbody tr:first-child td', (tds) => tds.map((td) => td.textContent));
  await page.click('[data-testid=stock-row-zoom]');
  await page.waitForSelector('[data-testid=info-panel][data-loaded=true]');
  equal((await page.textContent('[data-testid=info-code]')).trim(), code, 'parcel opened from the list');
  equal((await page.textContent('[data-testid=info-agreed-start]')).trim(), cells[3], '约定开工日期 in the parcel panel');
  equal((await page.textContent('[data-testid=info-idle-from]')).trim(), cells[4], 'idle start in the parcel panel');
  const fee = (await page.textContent('[data-testid=info-idle-fee]')).trim();
  assert(cells[6] ? fee.includes(cells[6]) : fee === '地价未知，无法计算', `fee "${fee}" against the list's "${cells[6]}"`);
  await page.waitForFunction(() => window.__landquota.map.getView().getZoom() >= 15, null, { timeout: 5000 });

  // Export: CSV with the header and the filtered row.
  await page.fill('[data-testid=stock-filter-text]', '');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=stock-export-csv]')]);
  const csv = (await readFile(await download.path(), 'utf8')).replace(/^\ufeff/, '').trim().split('\r\n');
  equal(csv.length, n + 1, 'CSV lines (header + every idle parcel)');
  assert(csv[0].startsWith('地块编号,') && csv[0].includes('闲置费（万元）'), `CSV header ${csv[0]}`);
  await shot(page, 'stock-workbench');
  await noErrors(page, 'stock workbench');
  await page.context().close();
});

/** A parcel drawn where nothing covers the map: its page coordinates and id. */
async function openParcelSpot(page) {
  return page.evaluate(() => {
    const { map, layers } = window.__landquota;
    const r = map.getTargetElement().getBoundingClientRect();
    for (const f of layers.parcels.getFeaturesInExtent(map.getView().calculateExtent(map.getSize()))) {
      // The tiles carry no areas: the bounding box in Web Mercator metres, which are 1/cos(30°)
      // ground metres here (3/4 of the square metres), is size enough to pick a parcel by.
      const e = f.getExtent();
      if (!((e[2] - e[0]) * (e[3] - e[1]) * 0.75 > 3000)) continue;
      const p = map.getPixelFromCoordinate([(e[0] + e[2]) / 2, (e[1] + e[3]) / 2]);
      const [x, y] = [r.left + p[0], r.top + p[1]];
      if (x < 20 || y < r.top + 60 || x > innerWidth - 70 || y > innerHeight - 60) continue;
      const top = document.elementFromPoint(x, y);
      if (!top || !top.closest('#map') || top.closest('.ol-control')) continue;
      const hit = map.forEachFeatureAtPixel(p, (h) => h, { layerFilter: (l) => l === layers.parcels });
      if (hit && hit.getId() === f.getId()) return { x, y, id: f.getId() };
    }
    return null;
  });
}

for (const [device, viewport] of [['phone', { width: 390, height: 844 }], ['tablet', { width: 820, height: 1180 }]]) {
  test(`${device} ${viewport.width}×${viewport.height}: the modes in a menu, panels that leave the map usable, a parcel and its eligibility by touch`, async (ctx) => {
    const page = await openPage(ctx, { viewport, touch: true });
    await goTo(page, HTZ, 15);
    assert(await page.isVisible('[data-testid=mode-menu]'), 'no menu button');
    assert(!(await page.isVisible('[data-testid=mode-search]')), 'the tabs show without the menu');
    await page.tap('[data-testid=mode-menu]');
    const tab = await page.locator('[data-testid=mode-search]').boundingBox();
    assert(tab && tab.height >= 40, `menu entry ${JSON.stringify(tab)} is not finger-sized`);
    await page.tap('[data-testid=mode-search]');
    assert(!(await page.isVisible('[data-testid=mode-eligibility]')), 'the menu stays open after a choice');
    equal(await page.evaluate(() => document.body.dataset.mode), 'search', 'mode chosen from the menu');
    const panel = await page.locator('#side-panel').boundingBox();
    const mapBox = await page.locator('#map').boundingBox();
    // The map keeps at least 40 % of the screen: a bottom sheet on the phone, a side panel on the tablet.
    const free = device === 'phone' ? panel.y - mapBox.y : viewport.width - (panel.x + panel.width);
    const whole = device === 'phone' ? mapBox.height : viewport.width;
    assert(free / whole >= 0.4, `the panel ${JSON.stringify(panel)} leaves ${free} of ${whole} px of map`);
    if (device === 'phone') assert(panel.y + panel.height >= viewport.height - 2 && panel.width >= viewport.width - 2, `not a bottom sheet: ${JSON.stringify(panel)}`);
    await shot(page, `${device}-search-sheet`);
    // Close the sheet, tap a parcel, check its eligibility.
    await page.tap('[data-testid=panel-toggle]');
    await rendered(page);
    const spot = await openParcelSpot(page);
    assert(spot, 'no parcel to tap');
    await page.touchscreen.tap(spot.x, spot.y);
    await page.waitForSelector('[data-testid=info-panel][data-loaded=true]');
    equal(await page.getAttribute('#info-panel', 'data-parcel-id'), String(spot.id), 'tapped parcel');
    const clipped = await page.$$eval('#info-content dd', (dds) => dds.filter((d) => d.scrollWidth > d.clientWidth + 1).map((d) => d.textContent));
    assert(clipped.length === 0, `clipped values in the parcel panel: ${clipped}`);
    await shot(page, `${device}-parcel`);
    await page.tap('[data-testid=info-eligibility]');
    await page.waitForSelector('[data-testid=elig-verdict]');
    assert(await page.isVisible('[data-testid=elig-verdict]'), 'no eligibility verdict');
    await shot(page, `${device}-eligibility`);
    const found = [];
    for (const mode of ['layers', 'stock', 'reports']) {
      await page.tap('[data-testid=mode-menu]');
      await page.tap(`[data-testid=mode-${mode}]`);
      await panelBuilt(page, mode);
      await page.waitForTimeout(500);
      found.push(...await axeViolations(page, `${device} ${mode}`));
    }
    assert(found.length === 0, `axe-core violations:\n${found.join('\n')}`);
    await noErrors(page, device);
    await page.context().close();
  });
}

test('map tools: measure a distance and an area (m², 亩, 公顷), drag a box to select, identify a park and its district', async (ctx) => {
  const page = await openPage(ctx);
  await page.click('[data-testid=panel-toggle]'); // the whole map for the tools
  await goTo(page, HTZ, 15);
  const box = await page.locator('#map').boundingBox();
  const at = (x, y) => [box.x + x, box.y + y];
  const lonLat = async (px) => page.evaluate((px) => {
    const [x, y] = window.__landquota.map.getCoordinateFromPixel(px);
    return [(x / 20037508.342789244) * 180, (Math.atan(Math.exp((y / 20037508.342789244) * Math.PI)) * 360) / Math.PI - 90];
  }, px);
  const haversine = ([lon1, lat1], [lon2, lat2]) => {
    const R = 6371008.8;
    const r = Math.PI / 180;
    const a = Math.sin(((lat2 - lat1) * r) / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
    return 2 * R * Math.asin(Math.sqrt(a));
  };

  await page.click('[data-testid=measure-distance]');
  const [p1, p2] = [[400, 300], [800, 500]];
  await page.mouse.click(...at(...p1));
  await page.waitForTimeout(300);
  await page.mouse.dblclick(...at(...p2));
  const metres = Number(await page.getAttribute('[data-testid=measure-result]', 'data-metres'));
  const want = haversine(await lonLat(p1), await lonLat(p2));
  assert(Math.abs(metres - want) / want < 0.005, `measured ${metres} m, want ${want} m`);
  const text = await page.textContent('[data-testid=measure-result]');
  assert(/距离: [\d,.]+ (m|km)/.test(text), `distance text ${text}`);
  await page.waitForTimeout(700);
  equal(await page.evaluate(() => window.__landquota.measure.active), false, 'the tool stops after a double-click');

  await page.click('[data-testid=measure-area]');
  const corners = [[400, 250], [700, 250], [700, 550], [400, 550]];
  for (const c of corners) {
    await page.mouse.click(...at(...c));
    await page.waitForTimeout(300);
  }
  await page.mouse.click(...at(...corners[0]));
  await page.waitForTimeout(300);
  const m2 = Number(await page.getAttribute('[data-testid=measure-result]', 'data-m2'));
  const [a, b, c] = [await lonLat(corners[0]), await lonLat(corners[1]), await lonLat(corners[2])];
  const rect = haversine(a, b) * haversine(b, c);
  assert(Math.abs(m2 - rect) / rect < 0.01, `measured ${m2} m², want about ${rect}`);
  const lines = await page.$$eval('[data-testid=measure-result] .measure-line', (ls) => ls.map((l) => l.textContent));
  const n = (s) => Number(s.replace(/[^\d.]/g, ''));
  equal(lines.length, 3, 'area lines');
  assert(lines[0].endsWith('平方米') && lines[1].endsWith('亩') && lines[2].endsWith('公顷'), `area units ${lines}`);
  assert(Math.abs(n(lines[1]) - (m2 * 15) / 10000) <= 0.006 && Math.abs(n(lines[2]) - m2 / 10000) <= 0.006, `亩 / 公顷 ${lines} for ${m2} m²`);
  await shot(page, 'measure-area');
  await page.click('[data-testid=measure-clear]');

  // Identify: a click off the parcels (zoomed out, none drawn) inside Binfu.
  const inside = await page.evaluate(() => {
    const f = window.__landquota.layers.parks.getSource().getFeatures().find((x) => x.get('code') === 'BINFU');
    const g = f.getGeometry();
    const p = (g.getType() === 'MultiPolygon' ? g.getPolygon(0) : g).getInteriorPoint().getCoordinates();
    const v = window.__landquota.map.getView();
    v.setCenter([p[0], p[1]]);
    v.setZoom(11);
    return true;
  });
  assert(inside, 'no Binfu park');
  await rendered(page);
  const size = await page.evaluate(() => window.__landquota.map.getSize());
  await page.waitForTimeout(700); // the click that closed the measurement is over
  await page.mouse.click(...at(size[0] / 2, size[1] / 2));
  await page.waitForSelector('[data-testid=identify-parks]');
  const parkText = await page.textContent('[data-testid=identify-parks]');
  assert(parkText.includes('富阳特别合作区'), `identify shows ${parkText}`);
  const districtText = await page.textContent('[data-testid=identify-districts]');
  assert(districtText.includes('富阳区'), `identify shows district ${districtText}`);
  await shot(page, 'identify');
  // Box selection by dragging: press, move, release.
  await page.click('[data-testid=identify-close]');
  await goTo(page, HTZ, 15);
  await page.click('[data-testid=mode-allocate]');
  await page.click('[data-testid=select-box]');
  await page.click('[data-testid=panel-toggle]');
  await page.mouse.move(...at(700, 250));
  await page.mouse.down();
  await page.mouse.move(...at(850, 350), { steps: 8 });
  await page.mouse.move(...at(1000, 450), { steps: 8 });
  await page.mouse.up();
  // panels: the panels built so far (main.js); allocate was built when its tab was clicked
  await page.waitForFunction(() => window.__landquota.panels.allocate?.selection.size > 0, null, { timeout: 10000 });

  await noErrors(page, 'map tools');
  await page.context().close();
});

test('English at 1280×720: no Chinese left in any mode, the parcel panel and the stock lists, nothing clipped', async (ctx) => {
  const page = await openPage(ctx, { lang: 'en', viewport: { width: 1280, height: 720 } });
  const chineseIn = (sel) => page.evaluate((sel) => [...document.querySelectorAll(sel)]
    .filter((e) => !e.closest('[hidden]'))
    .flatMap((e) => e.innerText.split('\n'))
    // 中文 is the language switch; (三区三线) is the term officials know, kept next to its translation.
    // A project's own name (code · name) is the officials' data, not a label.
    .filter((l) => !/^[A-Z][\w-]* · /.test(l))
    // 三区三线, 批而未供 and 闲置 are the terms officials know, kept next to their translation.
    .filter((l) => /[\u4e00-\u9fff]/.test(l.replace(/中文|三区三线|批而未供|闲置/g, ''))), sel);
  const found = [];
  // (The quota screens are being reworked for issue 12; its plan names are the officials' data.)
  for (const mode of ['layers', 'search', 'eligibility', 'allocate', 'stock', 'reports']) {
    await openMode(page, mode);
    await page.waitForTimeout(mode === 'reports' || mode === 'stock' ? 1500 : 400);
    for (const l of await chineseIn('#side-panel, #topbar, #legend-card')) found.push(`${mode}: ${l}`);
    await shot(page, `en-1280-${mode}`);
  }
  await page.click('[data-testid=mode-layers]');
  await goTo(page, HTZ, 15);
  const spot = await openParcelSpot(page);
  await page.mouse.click(spot.x, spot.y);
  await page.waitForSelector('[data-testid=info-panel][data-loaded=true]');
  for (const l of await chineseIn('#info-panel')) found.push(`parcel panel: ${l}`);
  const clipped = await page.$$eval('#info-content dd, #info-content dt', (els) => els.filter((d) => d.scrollWidth > d.clientWidth + 1).map((d) => d.textContent));
  assert(clipped.length === 0, `clipped in the parcel panel: ${clipped}`);
  await shot(page, 'en-1280-parcel');
  assert(found.length === 0, `Chinese in the English UI:\n${[...new Set(found)].slice(0, 60).join('\n')}`);
  await noErrors(page, 'English');
  await page.context().close();
});

test('print stylesheet: the report prints without the app, its tables across pages with their headers repeated', async (ctx) => {
  const page = await openPage(ctx, { hash: '#reports' });
  await page.waitForSelector('[data-testid=report-table-quota] tbody tr');
  await page.evaluate(() => {
    for (const d of document.querySelectorAll('details.report-section')) d.open = true; // every table, land use too
  });
  const pdf = join(OUT_DIR, 'print-report.pdf');
  await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
  const info = run('pdfinfo', [pdf]);
  const pages = Number(info.match(/Pages:\s+(\d+)/)[1]);
  assert(/Page size:\s+84[12]\.\d+ x 59[45]\.\d+ pts/.test(info), `the report is not on A4 landscape:\n${info}`);
  // Nothing cut at the right edge: in print, every table fits the page.
  await page.emulateMedia({ media: 'print' });
  const overflow = await page.evaluate(() => {
    const wide = [];
    for (const t of document.querySelectorAll('table.report')) if (t.scrollWidth > t.parentElement.clientWidth + 1) wide.push(t.closest('details').dataset.testid);
    return wide;
  });
  assert(overflow.length === 0, `tables wider than the page: ${overflow}`);
  assert(pages >= 2, `the report printed on ${pages} page(s)`);
  const first = run('pdftotext', ['-f', '1', '-l', '1', '-layout', pdf, '-']);
  assert(first.includes('用地指标管理平台 · 统计报表 · 打印时间'), `no title and print time on page 1:\n${first.slice(0, 400)}`);
  assert(!first.includes('规划查询') && !first.includes('出图'), 'the app\'s top bar was printed');
  // Every page that continues a table starts with its header row again.
  let repeated = 0;
  for (let p = 2; p <= pages; p++) {
    const text = run('pdftotext', ['-f', String(p), '-l', String(p), '-layout', pdf, '-']);
    if (text.includes('统计单位')) repeated++;
  }
  assert(repeated >= pages - 1, `the table header shows on ${repeated} of the ${pages - 1} continued pages`);
  await page.context().close();
});

test('static files: hashed names cached a year and gzipped, index.html revalidated, no source map', async (ctx) => {
  const index = await fetch(`${ctx.world.url}/`, { headers: { 'Accept-Encoding': 'gzip' } });
  equal(index.status, 200, 'GET /');
  equal(index.headers.get('cache-control'), 'no-cache', 'index.html Cache-Control');
  const etag = index.headers.get('etag');
  assert(etag, 'index.html has no ETag');
  const html = await index.text();
  const js = html.match(/src="(main-[A-Z0-9]{8}\.js)"/);
  assert(js, `index.html names no hashed script:\n${html.slice(0, 400)}`);
  const again = await fetch(`${ctx.world.url}/`, { headers: { 'If-None-Match': etag, 'Accept-Encoding': 'gzip' } });
  equal(again.status, 304, 'GET / with If-None-Match');
  // fetch() decompresses; ask over a raw request to see the bytes on the wire.
  const raw = run('curl', ['-sS', '-D', '-', '-o', '/dev/null', '-H', 'Accept-Encoding: gzip', `${ctx.world.url}/${js[1]}`]);
  assert(/content-encoding: gzip/i.test(raw), `script not gzipped:\n${raw}`);
  assert(/cache-control: public, max-age=31536000, immutable/i.test(raw), `script not cached for a year:\n${raw}`);
  const length = Number(run('curl', ['-sS', '-o', '/dev/null', '-w', '%{size_download}', '-H', 'Accept-Encoding: gzip', `${ctx.world.url}/${js[1]}`]));
  assert(length < 200000, `gzipped script is ${length} bytes`);
  console.log(`     main script on the wire: ${length} bytes gzipped`);
  const map = await fetch(`${ctx.world.url}/${js[1]}.map`);
  equal(map.status, 404, 'source map');
});

test('page load: the map with parcels drawn at zoom 14', async (ctx) => {
  const page = await openPage(ctx, { hash: '' });
  const t0 = Date.now();
  await goTo(page, HTZ, 14);
  const drawn = await page.evaluate(() => {
    const { map, layers } = window.__landquota;
    return layers.parcels.getFeaturesInExtent(map.getView().calculateExtent(map.getSize())).length;
  });
  assert(drawn > 0, 'no parcels drawn at zoom 14');
  console.log(`     page ready in ${page.loadMs} ms, then ${drawn} parcels drawn at zoom 14 in ${Date.now() - t0} ms`);
  await page.context().close();
});

test('parcels drawn by our renderer: as OpenLayers draws them one by one, but with every surface parcel over its underground twin', async (ctx) => {
  // The seed's underground parcels lie under a surface parcel of the same footprint; find them.
  const { body: fc } = await fetch(`${ctx.world.url}/api/layers/parcels?limit=5000&properties=underground`).then(async (r) => ({ body: await r.json() }));
  const under = fc.features.filter((f) => f.properties.underground && f.geometry);
  assert(under.length > 0, 'the seed has no underground parcel');
  const ring = under[0].geometry.type === 'MultiPolygon' ? under[0].geometry.coordinates[0][0] : under[0].geometry.coordinates[0];
  const lon = ring.reduce((s, c) => s + c[0], 0) / ring.length;
  const lat = ring.reduce((s, c) => s + c[1], 0) / ring.length;
  const page = await openPage(ctx, { hash: `#map=16/${lon.toFixed(6)}/${lat.toFixed(6)}` });
  await page.click('[data-testid=panel-toggle]'); // the whole map in view
  await rendered(page);
  const out = await page.evaluate(async (id) => {
    const lq = window.__landquota;
    const { map } = lq;
    const drawn = () => new Promise((r) => {
      map.once('rendercomplete', () => r());
      map.render();
    });
    // The map's canvases composited, read back (only the parcel layers are visible then).
    const grab = () => {
      const el = map.getTargetElement();
      const box = el.getBoundingClientRect();
      const out = document.createElement('canvas');
      out.width = Math.round(box.width);
      out.height = Math.round(box.height);
      const ctx = out.getContext('2d', { willReadFrequently: true });
      for (const c of el.querySelectorAll('.ol-layer canvas')) {
        if (!c.width || getComputedStyle(c.parentElement).display === 'none') continue;
        const r = c.getBoundingClientRect();
        ctx.drawImage(c, r.left - box.left, r.top - box.top, r.width, r.height);
      }
      return ctx.getImageData(0, 0, out.width, out.height).data;
    };
    const cur = lq.layers.parcels;
    const mid = map.getPixelFromCoordinate(map.getView().getCenter());
    const hits = [];
    map.forEachFeatureAtPixel(mid, (f) => {
      hits.push({ id: f.getId(), underground: f.get('underground') === true });
    }, { layerFilter: (l) => l === cur });
    // Only the parcels (the other layers off), as the app draws them (parcelrender.js, in runs of
    // one style) and as OpenLayers' own vector tile layer draws them one by one in the tile's
    // order: the same tiles and style, overlaps on, the features unsorted.
    for (const l of map.getAllLayers()) if (l !== cur) l.setVisible(false);
    await drawn();
    const now = grab();
    const s0 = cur.getSource();
    const src = new s0.constructor({ format: s0.format_, tileGrid: s0.getTileGrid(), url: '/tiles/parcels/{z}/{x}/{y}.mvt' });
    const OpenLayersVectorTile = Object.getPrototypeOf(cur.constructor);
    const oneByOne = new OpenLayersVectorTile({ source: src, style: cur.getStyleFunction(), renderMode: 'hybrid', zIndex: 31 });
    map.addLayer(oneByOne);
    cur.setVisible(false);
    await drawn();
    const before = grab();
    let coloured = 0;
    let differ = 0;
    for (let i = 0; i < now.length; i += 4) {
      if (now[i + 3] > 0) coloured++;
      const d = Math.max(Math.abs(now[i] - before[i]), Math.abs(now[i + 1] - before[i + 1]), Math.abs(now[i + 2] - before[i + 2]), Math.abs(now[i + 3] - before[i + 3]));
      if (d > 40) differ++;
    }
    return { id, hits, coloured: coloured / (now.length / 4), differ: differ / (now.length / 4) };
  }, under[0].id);
  console.log(`     ${(out.coloured * 100).toFixed(1)} % of the map has parcels; ${(out.differ * 100).toFixed(2)} % of it differs from drawing one by one`);
  assert(out.coloured > 0.2, `parcels cover only ${out.coloured} of the map`);
  // Edges (which neighbour's outline is on top) and the underground twins differ, nothing else.
  assert(out.differ < 0.03, `${out.differ} of the pixels differ from the parcels drawn one by one`);
  assert(out.hits.length >= 2, `under the map's centre: ${JSON.stringify(out.hits)}, want a surface parcel and its underground twin`);
  equal(out.hits[0].underground, false, `the parcel on top at the underground parcel ${out.id} (${JSON.stringify(out.hits)}) is underground`);
  assert(out.hits.some((h) => h.id === out.id), `the underground parcel ${out.id} is not under the centre: ${JSON.stringify(out.hits)}`);
  await finish(page, 'parcels in batches');
});

test('hiDPI: parcel tiles drawn at the screen\'s pixel ratio, the pointer over a parcel, and a click opens it', async (ctx) => {
  const page = await openPage(ctx, { hash: `#map=16/${HTZ[0]}/${HTZ[1]}`, scale: 2 });
  await rendered(page);
  const widths = await page.evaluate(() => [...new Set(window.__landquota.layers.parcels.getRenderer().renderedTiles.map((t) => t.getContext().canvas.width))]);
  assert(widths.length > 0 && widths.every((w) => w === 512), `parcel tile images ${widths} px wide, want 512 (256 px tiles at pixel ratio 2)`);
  const spot = await openParcelSpot(page);
  assert(spot, 'no parcel found under its own centre at pixel ratio 2');
  const viaLayer = await page.evaluate(async ([x, y]) => {
    const { map, layers } = window.__landquota;
    const r = map.getTargetElement().getBoundingClientRect();
    return (await layers.parcels.getFeatures([x - r.left, y - r.top]))[0]?.getId();
  }, [spot.x, spot.y]);
  equal(viaLayer, spot.id, 'the parcel the layer\'s getFeatures finds at that pixel');
  await page.mouse.move(spot.x, spot.y);
  await page.waitForFunction(() => window.__landquota.map.getTargetElement().style.cursor === 'pointer', null, { timeout: 5000 })
    .catch(() => assert(false, 'no pointer cursor over a parcel'));
  await page.mouse.click(spot.x, spot.y);
  await page.waitForSelector('[data-testid=info-panel][data-loaded=true]');
  equal(await page.getAttribute('#info-panel', 'data-parcel-id'), String(spot.id), 'clicked parcel');
  await finish(page, 'hiDPI');
});

test('links: a view in the address opens there, follows the map and the mode, and a bad one is ignored', async (ctx) => {
  const view = (page) => page.evaluate(() => {
    const v = window.__landquota.map.getView();
    const [x, y] = v.getCenter();
    const lon = (x * 180) / 20037508.342789244;
    const lat = (Math.atan(Math.exp((y * Math.PI) / 20037508.342789244)) * 360) / Math.PI - 90;
    return { zoom: v.getZoom(), lon, lat };
  });
  const near = (got, want, where) => {
    assert(Math.abs(got.zoom - want.zoom) < 1e-6 && Math.abs(got.lon - want.lon) < 1e-6 && Math.abs(got.lat - want.lat) < 1e-6,
      `${where}: view ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  // An official opens a planner's link: the map is at that view, parcels drawn, nothing else asked for.
  const page = await openPage(ctx, { hash: '#map=15/120.2/30.19' });
  await rendered(page);
  near(await view(page), { zoom: 15, lon: 120.2, lat: 30.19 }, 'opened from a link');
  const tiles = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((u) => u.includes('/tiles/parcels/')));
  assert(tiles.length > 0 && tiles.every((u) => u.includes('/tiles/parcels/15/')), `tiles asked for besides the link's zoom 15: ${tiles.filter((u) => !u.includes('/15/'))}`);
  const drawn = await page.evaluate(() => {
    const { map, layers } = window.__landquota;
    return layers.parcels.getFeaturesInExtent(map.getView().calculateExtent(map.getSize())).length;
  });
  assert(drawn > 0, 'no parcels drawn at the link\'s view');
  // The address follows the map, and the mode.
  await goTo(page, [120.21, 30.2], 16);
  await page.waitForFunction(() => location.hash === '#map=16/120.21/30.2', null, { timeout: 5000 })
    .catch(async () => assert(false, `hash after a move: ${await page.evaluate(() => location.hash)}`));
  await page.click('[data-testid=mode-quota]');
  equal(await page.evaluate(() => location.hash), '#quota&map=16/120.21/30.2', 'hash in another mode');
  await page.reload();
  await page.waitForFunction(() => window.__landquota && window.__landquota.ready);
  near(await view(page), { zoom: 16, lon: 120.21, lat: 30.2 }, 'reloaded');
  equal(await page.evaluate(() => document.body.dataset.mode), 'quota', 'mode after reload');
  // A link edited in the address bar of the open page.
  await page.evaluate(() => { location.hash = '#map=13/120.2/30.19'; });
  await page.waitForFunction(() => document.body.dataset.mode === 'layers' && Math.abs(window.__landquota.map.getView().getZoom() - 13) < 1e-6, null, { timeout: 5000 })
    .catch(async () => assert(false, `after editing the hash: ${JSON.stringify(await view(page))} in ${await page.evaluate(() => document.body.dataset.mode)}`));
  await noErrors(page, 'links');
  await page.context().close();
  // A link cut short or mistyped: the usual first view on the parks, no error, a good address.
  for (const bad of ['#map=99/abc/30.19', '#map=14/120.2', '#quota&map=14/500/30']) {
    const p = await openPage(ctx, { hash: bad });
    await p.waitForFunction(() => window.__landquota.layers.parks.getSource().getFeatures().length > 0);
    await rendered(p);
    const v = await view(p);
    assert(v.zoom < 14 && Math.abs(v.lon - 120.2) < 0.5, `${bad}: not the first view on the parks: ${JSON.stringify(v)}`);
    const hash = await p.evaluate(() => location.hash);
    assert(/^#(quota&)?map=[\d.]+\/[\d.]+\/[\d.]+$/.test(hash), `${bad}: address not rewritten to the view: ${hash}`);
    equal(await p.evaluate(() => document.body.dataset.mode), bad.startsWith('#quota') ? 'quota' : 'layers', `${bad}: mode`);
    await noErrors(p, bad);
    await p.context().close();
  }
});

// ---------------------------------------------------------------- run
await runSuite({ prefix: 'map-' });
