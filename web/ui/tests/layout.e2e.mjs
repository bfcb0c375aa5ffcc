// Browser tests of what an official sees first, at 1280×720, 1440×900 and on a phone (390×844):
// the first view's parks clear of the panels and the legend, one label a park, the go-to box
// uncovered on a phone, side-panel tables that fit, and English notes without bare Chinese terms.
//
//   LANDQUOTA_TEST_DATABASE_URL=... CHROMIUM=/usr/bin/chromium node tests/layout.e2e.mjs [name filter]
import { join } from 'node:path';
import { assert, equal, finish, openApp, openMode, OUT_DIR, rendered, runSuite, test as register } from './harness.mjs';

const SMALL = { width: 1280, height: 720 };
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const only = process.argv[2] ? new RegExp(process.argv[2], 'i') : null;
const test = (name, fn) => (!only || only.test(name)) && register(name, fn);

/**
 * Opens the app; every fillText of the page is counted by its text (window.__drawn), so that a
 * test can count the labels one frame draws (OpenLayers draws each label with fillText).
 */
function open(ctx, viewport, { lang = 'zh', hash = '' } = {}) {
  const phone = viewport === PHONE;
  return openApp(ctx, { viewport, locale: lang === 'en' ? 'en-US' : 'zh-CN', hasTouch: phone, isMobile: phone }, {
    hash,
    beforeLoad: (page) => page.addInitScript((lang) => {
      localStorage.setItem('landquota.lang', lang);
      window.__drawn = {};
      const fillText = CanvasRenderingContext2D.prototype.fillText;
      CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        window.__drawn[text] = (window.__drawn[text] || 0) + 1;
        return fillText.call(this, text, ...rest);
      };
    }, lang),
  });
}

/** The labels one frame draws: text → times drawn. */
function labelsDrawn(page) {
  return page.evaluate(() => {
    window.__drawn = {};
    window.__landquota.map.renderSync();
    return window.__drawn;
  });
}

/** Each park's extent in page pixels, and the boxes floating over the map. */
function firstViewLayout(page) {
  return page.evaluate(() => {
    const { map, layers } = window.__landquota;
    const m = map.getTargetElement().getBoundingClientRect();
    const parks = layers.parks.getSource().getFeatures().map((f) => {
      const [x0, y0, x1, y1] = f.getGeometry().getExtent();
      const [l, t] = map.getPixelFromCoordinate([x0, y1]);
      const [r, b] = map.getPixelFromCoordinate([x1, y0]);
      return { code: f.get('code'), left: m.left + l, top: m.top + t, right: m.left + r, bottom: m.top + b };
    });
    const box = (sel) => {
      const el = document.querySelector(sel);
      if (!el || el.hidden || getComputedStyle(el).display === 'none') return null;
      const r = el.getBoundingClientRect();
      return r.width && r.height ? { sel, left: r.left, top: r.top, right: r.right, bottom: r.bottom } : null;
    };
    return {
      map: { left: m.left, top: m.top, right: m.right, bottom: m.bottom },
      parks,
      boxes: ['#side-panel', '#legend-card', '#gis-tools', '.measure-control', '#topbar'].map(box).filter(Boolean),
      legendOpen: document.querySelector('#legend-card details').open,
    };
  });
}

const meets = (a, b) => a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;

for (const [name, viewport, legendOpen] of [['1280×720', SMALL, false], ['1440×900', DESKTOP, true], ['phone 390×844', PHONE, false]]) {
  test(`first view at ${name}: every park lies inside the map, clear of the panel, legend, go-to box and measuring tool`, async (ctx) => {
    const page = await open(ctx, viewport);
    await page.waitForFunction(() => window.__landquota.layers.parks.getSource().getFeatures().length === 3);
    await rendered(page);
    const v = await firstViewLayout(page);
    equal(v.legendOpen, legendOpen, 'the legend opens expanded');
    for (const p of v.parks) {
      assert(p.left >= v.map.left && p.right <= v.map.right && p.top >= v.map.top && p.bottom <= v.map.bottom, `${p.code} ${JSON.stringify(p)} is not inside the map ${JSON.stringify(v.map)}`);
      for (const b of v.boxes) assert(!meets(p, b), `${p.code} ${JSON.stringify(p)} lies under ${b.sel} ${JSON.stringify(b)}`);
    }
    await page.screenshot({ path: join(OUT_DIR, `layout-first-view-${viewport.width}.png`) });
    await finish(page, `first view ${name}`);
  });
}

test('phone 390×844: the legend opens collapsed, and open or folded it covers neither the go-to box nor the QGIS link', async (ctx) => {
  const page = await open(ctx, PHONE);
  await rendered(page);
  const boxes = await page.evaluate(() => Object.fromEntries(['#legend-card', '[data-testid=goto-input]', '[data-testid=qgis-link]', '[data-testid=panel-toggle]']
    .map((sel) => [sel, document.querySelector(sel)?.getBoundingClientRect().toJSON()])));
  equal(await page.evaluate(() => document.querySelector('#legend-card details').open), false, 'legend open on a phone');
  const legend = boxes['#legend-card'];
  assert(legend.height < 60, `the legend is ${legend.height} px tall`);
  for (const sel of ['[data-testid=goto-input]', '[data-testid=qgis-link]', '[data-testid=panel-toggle]']) {
    assert(boxes[sel], `${sel} is missing`);
    assert(!meets(legend, boxes[sel]), `the legend ${JSON.stringify(legend)} covers ${sel} ${JSON.stringify(boxes[sel])}`);
  }
  // Opened by the user: the legend is read whole, and what it would cover steps aside until it is folded.
  const shown = () => page.evaluate(() => Object.fromEntries(['#legend-card', '[data-testid=goto-input]', '[data-testid=qgis-link]', '[data-testid=panel-toggle]'].map((sel) => {
    const el = document.querySelector(sel);
    const r = el.getBoundingClientRect();
    return [sel, r.width > 0 && r.height > 0 ? r.toJSON() : null];
  })));
  await page.click('#legend-card summary');
  const opened = await shown();
  assert(opened['#legend-card'].height > 200, `the open legend is ${opened['#legend-card'].height} px tall`);
  assert(opened['[data-testid=panel-toggle]'], 'the panel toggle is hidden by the open legend');
  for (const sel of ['[data-testid=goto-input]', '[data-testid=qgis-link]', '[data-testid=panel-toggle]']) {
    if (opened[sel]) assert(!meets(opened['#legend-card'], opened[sel]), `the open legend ${JSON.stringify(opened['#legend-card'])} covers ${sel} ${JSON.stringify(opened[sel])}`);
  }
  await page.screenshot({ path: join(OUT_DIR, 'layout-phone-legend-open.png') });
  await page.click('#legend-card summary');
  const folded = await shown();
  assert(folded['[data-testid=goto-input]'] && folded['[data-testid=qgis-link]'], 'the go-to box and the QGIS link do not come back when the legend is folded');
  await finish(page, 'phone legend');
});

test('park labels: each park named once; short names where the full name does not fit, the full name where it does', async (ctx) => {
  for (const viewport of [SMALL, DESKTOP]) {
    const page = await open(ctx, viewport);
    await page.waitForFunction(() => window.__landquota.layers.parks.getSource().getFeatures().length === 3);
    await rendered(page);
    const names = await page.evaluate(() => Object.fromEntries(window.__landquota.layers.parks.getSource().getFeatures().map((f) => [f.get('code'), f.get('name_zh')])));
    const drawn = await labelsDrawn(page);
    for (const text of ['滨富', '滨萧', names.BINFU, names.BINXIAO, names.HTZ]) assert((drawn[text] || 0) <= 1, `${text} drawn ${drawn[text]} times at ${viewport.width}: ${JSON.stringify(drawn)}`);
    equal((drawn['滨萧'] || 0) + (drawn[names.BINXIAO] || 0), 1, `Binxiao labels at ${viewport.width} ${JSON.stringify(drawn)}`);
    equal((drawn['滨富'] || 0) + (drawn[names.BINFU] || 0), 1, `Binfu labels at ${viewport.width} ${JSON.stringify(drawn)}`);
    // Zoom 15 on Binxiao's largest block: wide enough for its full name, drawn once.
    await page.evaluate(() => {
      const { map, layers } = window.__landquota;
      const g = layers.parks.getSource().getFeatures().find((f) => f.get('code') === 'BINXIAO').getGeometry();
      const part = g.getPolygons().reduce((a, b) => (b.getArea() > a.getArea() ? b : a));
      map.getView().setCenter(part.getInteriorPoint().getCoordinates().slice(0, 2));
      map.getView().setZoom(15);
    });
    await rendered(page);
    const near = await labelsDrawn(page);
    equal(near[names.BINXIAO], 1, `Binxiao's full name at zoom 15 ${JSON.stringify(near)}`);
    await page.context().close();
  }
});

/** Tables wider than their scrolling box (clipped on screen), by test id or class. */
function clippedTables(page) {
  return page.evaluate(() => [...document.querySelectorAll('#side-panel table')]
    .filter((t) => !t.closest('[hidden]') && t.offsetParent)
    .map((t) => {
      let box = t.parentElement;
      while (box && box !== document.body && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
      return { table: t.dataset.testid || t.className, width: t.scrollWidth, room: box.clientWidth };
    })
    .filter((x) => x.width > x.room + 1));
}

test('side-panel tables at 1280×720 in Chinese and English: nothing cut off, names on one line with the full name as tooltip', async (ctx) => {
  for (const lang of ['zh', 'en']) {
    const page = await open(ctx, SMALL, { lang });
    await page.waitForSelector('[data-testid=class-list] tr[data-code="100104"]');
    const cls = await page.evaluate(() => {
      const td = document.querySelector('[data-testid=class-list] tr[data-code="100104"] td.cls-name');
      return { height: td.getBoundingClientRect().height, lineHeight: parseFloat(getComputedStyle(td).lineHeight) || 18, text: td.textContent };
    });
    const lines = lang === 'zh' ? 1 : 2; // English wraps between words
    assert(cls.height < (lines + 1) * cls.lineHeight, `${lang}: the class name ${cls.text} takes ${cls.height} px (more than ${lines} lines)`);
    equal(await clippedTables(page).then((x) => x.length), 0, `${lang} layers: clipped tables`);

    await openMode(page, 'stock');
    await page.waitForSelector('[data-testid=stock-summary] tbody tr');
    const units = await page.$$eval('[data-testid=stock-summary] td.unit', (tds) => tds.map((td) => ({
      text: td.textContent, title: td.querySelector('abbr')?.title || '', height: td.getBoundingClientRect().height,
    })));
    const htz = units.find((u) => u.title.includes(lang === 'zh' ? '杭州国家高新区' : 'Hangzhou National High-tech Zone'));
    assert(htz && htz.text.length < htz.title.length, `${lang}: the High-tech Zone row has no short name with a tooltip: ${JSON.stringify(units)}`);
    for (const u of units.filter((x) => x.title)) assert(u.height < 40, `${lang}: unit ${u.text} wraps (${u.height} px)`);
    const stockClipped = await clippedTables(page);
    assert(stockClipped.length === 0, `${lang} stock: clipped tables ${JSON.stringify(stockClipped)}`);

    await openMode(page, 'quota');
    await page.waitForSelector('[data-testid=account-tree] tbody tr');
    const quotaClipped = await clippedTables(page);
    assert(quotaClipped.length === 0, `${lang} quota: clipped tables ${JSON.stringify(quotaClipped)}`);
    // The download beside the plan's name keeps the panel's padding: its right edge is the account table's.
    const edges = await page.evaluate(() => ({
      link: document.querySelector('[data-testid=xlsx-accounts]').getBoundingClientRect().right,
      table: document.querySelector('[data-testid=account-tree]').getBoundingClientRect().right,
    }));
    assert(Math.abs(edges.link - edges.table) <= 1, `${lang} quota: the xlsx link ends at ${edges.link} px, the account table at ${edges.table}`);
    await page.screenshot({ path: join(OUT_DIR, `layout-quota-1280-${lang}.png`) });
    await finish(page, `tables ${lang}`);
  }
});

test('phone 390×844: the quota figures stay on screen, the account tree scrolls sideways by keyboard', async (ctx) => {
  const page = await open(ctx, PHONE, { lang: 'en', hash: '#quota' });
  await page.waitForSelector('[data-testid=account-tree] tbody tr');
  const cards = await page.$$eval('.stats .stat', (els) => els.map((e) => {
    const fits = (x) => x.scrollWidth <= x.clientWidth + 1;
    return { id: e.dataset.testid, ...e.getBoundingClientRect().toJSON(), label: fits(e.querySelector('.stat-label')), value: e.querySelector('.stat-value').getBoundingClientRect().right <= e.getBoundingClientRect().right };
  }));
  equal(cards.length, 4, 'stat cards');
  for (const c of cards) assert(c.left >= 0 && c.right <= PHONE.width && c.label && c.value, `${c.id} is cut off: ${JSON.stringify(c)}`);
  const region = await page.evaluate(() => {
    const box = document.querySelector('[data-testid=account-tree]').parentElement;
    return { tabindex: box.getAttribute('tabindex'), scrolls: box.scrollWidth > box.clientWidth, overflow: getComputedStyle(box).overflowX };
  });
  assert(region.tabindex === '0' && region.overflow === 'auto', `the account tree's box is not a focusable scroll region: ${JSON.stringify(region)}`);
  await page.screenshot({ path: join(OUT_DIR, 'layout-phone-quota.png') });
  await finish(page, 'phone quota');
});

test('reports at 1280×720 in English: the quota table fits, and a wider table scrolls in a box no taller than the window', async (ctx) => {
  const page = await open(ctx, SMALL, { lang: 'en', hash: '#reports' });
  await page.waitForSelector('[data-testid=report-table-quota] tbody tr');
  const tables = await page.$$eval('details.report-section', (ds) => ds.map((d) => {
    const wrap = d.querySelector('.table-wrap');
    const table = wrap.querySelector('table');
    return { id: d.dataset.testid, width: table.scrollWidth, room: wrap.clientWidth, height: wrap.getBoundingClientRect().height, tabindex: wrap.getAttribute('tabindex') };
  }));
  const quota = tables.find((x) => x.id === 'report-table-quota');
  assert(quota.width <= quota.room + 1, `the quota table is ${quota.width} px wide in ${quota.room}`);
  for (const x of tables) {
    assert(x.tabindex === '0', `${x.id}: its scrolling box is not in the tab order`);
    if (x.width > x.room + 1) assert(x.height <= SMALL.height - 52, `${x.id} scrolls sideways in a box ${x.height} px tall: its scroll bar is off screen`);
  }
  await page.screenshot({ path: join(OUT_DIR, 'layout-reports-1280-en.png') });
  await finish(page, 'reports at 1280');
});

test('English reports: the notes give 批而未供 and 闲置 in English, the Chinese term beside it', async (ctx) => {
  const page = await open(ctx, SMALL, { lang: 'en', hash: '#reports' });
  await page.waitForSelector('[data-testid=report-notes] li');
  const notes = await page.textContent('[data-testid=report-notes]');
  assert(notes.includes('Approved but not supplied (批而未供)') && notes.includes('idle land (闲置)'), `notes: ${notes}`);
  const bare = notes.replace(/\((批而未供|闲置)\)/g, '');
  assert(!/[\u4e00-\u9fff]/.test(bare), `Chinese without English in the notes: ${notes}`);
  await finish(page, 'English reports');
});

runSuite({ prefix: 'layout-' });
