// Browser tests of the admin forms of issue 14: a parcel's idle-land procedure (认定书, extension,
// fee) recorded in the parcel panel and shown to everyone, with the server's refusals on screen and
// nothing stored; and a local land-use class (标准厂房用地 100105 beside the seed's 创新型产业用地
// 100104, M0) added as data and then offered in the legend and the search filter. axe-core on both forms; a phone (390×844) records
// a step too.
//
//   LANDQUOTA_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:55432/landquota_test node tests/forms.e2e.mjs
//
// Screenshots go to web/ui/test-output/forms-*.png.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { api, assert, equal, login, OUT_DIR, runSuite, test, openApp, openMode } from './harness.mjs';

const require = createRequire(import.meta.url);
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

async function openPage(ctx, { viewport = DESKTOP, user = '' } = {}) {
  const page = await openApp(ctx, { viewport, locale: 'zh-CN', hasTouch: viewport === PHONE, isMobile: viewport === PHONE }, {
    // The anonymous GET /api/me, and the refusals these tests provoke on purpose.
    ignore: /status of (401|400|409)/,
    // Generous waits: these machines run many suites at once.
    beforeLoad: (p) => p.setDefaultTimeout(90000),
  });
  if (user) await login(page, user);
  return page;
}

const shot = (page, name) => page.screenshot({ path: join(OUT_DIR, `forms-${name}.png`) });

async function axeViolations(page, where) {
  const source = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** Opens a parcel in the panel and waits until its history and stock facts are in. */
async function showParcel(page, id) {
  await page.evaluate((pid) => window.__landquota.app.showParcel(pid), id);
  await page.waitForSelector(`[data-testid=info-panel][data-loaded=true][data-parcel-id="${id}"]`);
}

/** After a submit: the panel read the parcel again. */
async function reloaded(page, id) {
  await page.waitForSelector(`[data-testid=info-panel][data-loaded=true][data-parcel-id="${id}"]`);
}

const events = async (ctx, id) => (await api(ctx.world, `/api/parcels/${id}/events`)).body.events;
const totalDetermined = async (ctx) => (await api(ctx.world, '/api/stock/summary')).body.units.find((u) => u.level === 'total').idle_determined.count;

/** The refusal shown after a submit: waits until it differs from the one before (if any). */
async function errorText(page, before = '') {
  await page.waitForFunction((prev) => {
    const r = document.querySelector('[data-testid=event-result].bad:not([hidden])');
    return r && r.textContent.trim() !== prev;
  }, before);
  return (await page.textContent('[data-testid=event-result]')).trim();
}

// ---------------------------------------------------------------- parcel events

test('an admin records a determination and an extension; the history and the idle figures follow', async (ctx) => {
  // An idle parcel with no history yet: the rules say suspected.
  const idle = (await api(ctx.world, '/api/stock?kind=idle&limit=200')).body.features;
  let parcel = null;
  for (const f of idle) {
    if (f.properties.idle && (await events(ctx, f.id)).length === 0) {
      parcel = f;
      break;
    }
  }
  assert(parcel, `no idle parcel without events among ${idle.length}`);
  ctx.parcel = Number(parcel.id);
  const before = await totalDetermined(ctx);

  const page = await openPage(ctx, { user: 'admin1' });
  await showParcel(page, ctx.parcel);
  equal(await page.getAttribute('[data-testid=idle-state]', 'data-state'), 'suspected', 'idle state before any step');
  assert(await page.isVisible('[data-testid=event-none]'), 'an empty history says so');
  assert(await page.isVisible('[data-testid=event-form]'), 'the admin sees the form');

  // A determination without its cause is stopped in the page, nothing sent.
  await page.selectOption('[data-testid=event-kind]', 'idle_determination');
  await page.fill('[data-testid=event-date]', '2026-03-02');
  await page.fill('[data-testid=event-document]', '杭高新认〔2026〕7号');
  await page.click('[data-testid=event-submit]');
  const needCause = await errorText(page);
  assert(/原因/.test(needCause), `the form asks for the cause: ${needCause}`);
  equal(await page.getAttribute('[data-testid=event-cause]', 'aria-invalid'), 'true', 'the cause is marked');
  equal((await events(ctx, ctx.parcel)).length, 0, 'nothing stored after a refusal in the page');

  await page.selectOption('[data-testid=event-cause]', 'enterprise');
  await page.click('[data-testid=event-submit]');
  await page.waitForSelector('[data-testid=idle-state][data-state=determined]');
  await reloaded(page, ctx.parcel);
  assert((await page.textContent('[data-testid=idle-state]')).includes('杭高新认〔2026〕7号'), 'the determined state names its document');

  // The extension: its field appears for its kind only.
  await page.selectOption('[data-testid=event-kind]', 'extension_granted');
  assert(await page.isVisible('[data-testid=event-extended-to]'), 'an extension asks for the new start');
  assert(!(await page.isVisible('[data-testid=event-amount]')), 'an extension has no fee amount');
  assert(!(await page.isVisible('[data-testid=event-cause]')), 'an extension names no cause');
  await page.fill('[data-testid=event-date]', '2026-04-01');
  await page.fill('[data-testid=event-document]', '杭高新延〔2026〕2号');
  await page.fill('[data-testid=event-extended-to]', '2027-06-30');
  await page.click('[data-testid=event-submit]');
  await page.waitForSelector('[data-testid=event-extension_granted]');
  await reloaded(page, ctx.parcel);
  const line = await page.textContent('[data-testid=event-extension_granted]');
  assert(line.includes('2026-04-01') && line.includes('2027-06-30') && line.includes('杭高新延〔2026〕2号'), `the extension in the history: ${line}`);
  equal(await page.$$eval('[data-testid=event-list] li', (li) => li.length), 2, 'two steps in the history');

  const stored = await events(ctx, ctx.parcel);
  equal(stored.length, 2, 'two events stored');
  equal(stored[1].extended_to, '2027-06-30', 'the stored new start');
  equal(stored[0].cause, 'enterprise', 'the stored cause');
  equal(stored[0].recorded_by, 'admin1', 'recorded by the admin');

  // The stock workbench counts it as determined.
  equal(await totalDetermined(ctx), before + 1, 'determined idle parcels in the summary (API)');
  await page.click('[data-testid=mode-stock]');
  await page.waitForSelector('[data-testid=stock-summary]');
  const cell = await page.textContent('[data-testid=stock-summary] tr.total-row td[data-col=determined]');
  assert(cell.trim().startsWith(String(before + 1)), `the workbench's determined column: ${cell}`);
  await shot(page, 'events-admin');
  assert(page.consoleErrors.length === 0, `console errors ${JSON.stringify(page.consoleErrors)}`);
});

test("a bad date and an unknown kind show the server's message and store nothing", async (ctx) => {
  assert(ctx.parcel, 'needs the parcel of the first test');
  const page = await openPage(ctx, { user: 'admin1' });
  await showParcel(page, ctx.parcel);
  const n = (await events(ctx, ctx.parcel)).length;

  // A day the page accepts but the rules do not (before 1990): the server says which field.
  await page.selectOption('[data-testid=event-kind]', 'disposal_decision');
  await page.fill('[data-testid=event-date]', '1980-01-01');
  await page.fill('[data-testid=event-document]', '杭高新处〔1980〕1号');
  await page.click('[data-testid=event-submit]');
  const badDate = await errorText(page);
  assert(badDate.includes('1980-01-01') && badDate.includes('1990'), `the server's message on a bad date: ${badDate}`);
  equal(await page.getAttribute('[data-testid=event-date]', 'aria-invalid'), 'true', 'the date is marked');
  // What was typed stays for the correction.
  equal(await page.inputValue('[data-testid=event-document]'), '杭高新处〔1980〕1号', 'the draft is kept');

  // A kind the server does not know (a stale page, a hand-edited form).
  await page.evaluate(() => {
    const sel = document.querySelector('[data-testid=event-kind]');
    sel.append(new Option('idle_rumour', 'idle_rumour'));
    sel.value = 'idle_rumour';
    sel.dispatchEvent(new Event('change'));
  });
  await page.fill('[data-testid=event-date]', '2026-05-01');
  await page.fill('[data-testid=event-document]', '杭高新〔2026〕9号');
  await page.click('[data-testid=event-submit]');
  const badKind = await errorText(page, badDate);
  assert(badKind.includes('idle_rumour') && /kind/.test(badKind), `the server's message on an unknown kind: ${badKind}`);

  // The procedure's order only the server knows: a fee before any determination (1995).
  await page.selectOption('[data-testid=event-kind]', 'fee_levied');
  await page.fill('[data-testid=event-date]', '1995-01-01');
  await page.fill('[data-testid=event-document]', '杭高新费〔1995〕1号');
  await page.fill('[data-testid=event-amount]', '10');
  await page.click('[data-testid=event-submit]');
  const early = await errorText(page, badKind);
  assert(early.includes('认定书'), `the server refuses a fee before the determination: ${early}`);

  equal((await events(ctx, ctx.parcel)).length, n, 'nothing stored after the refusals');
  await shot(page, 'events-refused');
  const found = await axeViolations(page, 'parcel panel with the event form');
  assert(found.length === 0, found.join('\n'));
});

test('a viewer and a visitor see the history but no form', async (ctx) => {
  assert(ctx.parcel, 'needs the parcel of the first test');
  for (const user of ['viewer1', 'alloc1', '']) {
    const page = await openPage(ctx, { user });
    await showParcel(page, ctx.parcel);
    equal(await page.$$eval('[data-testid=event-list] li', (li) => li.length), 2, `${user || 'visitor'}: the history`);
    equal(await page.$$('[data-testid=event-form]').then((x) => x.length), 0, `${user || 'visitor'}: no form`);
    equal(await page.getAttribute('[data-testid=idle-state]', 'data-state'), 'determined', `${user || 'visitor'}: determined`);
    equal(await page.$$('[data-testid=class-add-open]').then((x) => x.length), 0, `${user || 'visitor'}: no class form`);
    if (user === 'viewer1') {
      await shot(page, 'events-viewer');
      const found = await axeViolations(page, 'viewer parcel panel');
      assert(found.length === 0, found.join('\n'));
    }
    await page.context().close();
  }
});

test('on a phone (390×844) an admin records a fee by touch', async (ctx) => {
  assert(ctx.parcel, 'needs the parcel of the first test');
  const page = await openPage(ctx, { viewport: PHONE, user: 'admin1' });
  await showParcel(page, ctx.parcel);
  await page.selectOption('[data-testid=event-kind]', 'fee_levied');
  await page.fill('[data-testid=event-date]', '2026-06-15');
  await page.fill('[data-testid=event-document]', '杭高新费〔2026〕4号');
  await page.fill('[data-testid=event-amount]', '12.5');
  const submit = page.locator('[data-testid=event-submit]');
  await submit.scrollIntoViewIfNeeded();
  const box = await submit.boundingBox();
  assert(box && box.x >= 0 && box.x + box.width <= PHONE.width && box.y + box.height <= PHONE.height, `the submit button is on screen: ${JSON.stringify(box)}`);
  const form = await page.locator('[data-testid=event-form]').boundingBox();
  assert(form.width <= PHONE.width, `the form fits the phone: ${form.width}`);
  await submit.tap();
  await page.waitForSelector('[data-testid=event-fee_levied]');
  assert((await page.textContent('[data-testid=event-fee_levied]')).includes('12.50'), 'the fee in the history');
  const fee = (await events(ctx, ctx.parcel)).find((e) => e.kind === 'fee_levied');
  equal(fee && fee.amount_wan, 12.5, 'the stored fee');
  await shot(page, 'events-phone');
});

// ---------------------------------------------------------------- local land-use classes

test('an admin adds 标准厂房用地 (100105); it appears in the list, the legend and the search filter', async (ctx) => {
  const page = await openPage(ctx, { user: 'admin1' });
  const count = async () => (await api(ctx.world, '/api/land-use-classes/local')).body.classes.length;
  const n = await count();
  // The seed's 创新型产业用地 (M0) is listed for everyone.
  await page.waitForSelector('[data-testid=class-list] tr[data-code="100104"]');
  await page.click('[data-testid=class-add-open]');
  await page.waitForSelector('[data-testid=class-form]');

  // Filled in the page: the parent follows the code.
  await page.fill('[data-testid=class-code]', '100105');
  equal(await page.inputValue('[data-testid=class-parent]'), '1001', 'the parent from the code');
  await page.fill('[data-testid=class-name-zh]', '标准厂房用地');
  await page.fill('[data-testid=class-name-en]', 'Standard factory buildings');
  await page.fill('[data-testid=class-aliases]', 'M1S');
  await page.fill('[data-testid=class-source]', '杭州市 杭规划资源〔2026〕3号');
  // The construction flag must be said: the page asks.
  await page.click('[data-testid=class-submit]');
  await page.waitForSelector('[data-testid=class-result].bad:not([hidden])');
  assert((await page.textContent('[data-testid=class-result]')).includes('建设用地'), 'the page asks for the construction flag');
  equal(await count(), n, 'nothing sent without the flag');
  const found = await axeViolations(page, 'local class dialog');
  assert(found.length === 0, found.join('\n'));

  await page.selectOption('[data-testid=class-construction]', 'true');
  await page.click('[data-testid=class-submit]');
  await page.waitForSelector('[data-testid=class-result].ok:not([hidden])');
  await page.waitForSelector('[data-testid=class-dialog-list] tr[data-code="100105"]');
  equal(await count(), n + 1, 'one class stored');
  const stored = (await api(ctx.world, '/api/land-use-classes/local')).body.classes.find((c) => c.code === '100105');
  equal(stored.construction, true, 'stored as construction land');
  equal(stored.aliases.join(), 'M1S', 'stored alias');

  // The server's refusals: a code that exists (the seed's M0), a parent that does not exist.
  await page.fill('[data-testid=class-code]', '100104');
  await page.fill('[data-testid=class-name-zh]', '重复');
  await page.selectOption('[data-testid=class-construction]', 'true');
  await page.fill('[data-testid=class-source]', '杭州市');
  await page.click('[data-testid=class-submit]');
  await page.waitForSelector('[data-testid=class-result].bad:not([hidden])');
  const dup = await page.textContent('[data-testid=class-result]');
  // The page is in Chinese, so the server answers in Chinese (Accept-Language).
  assert(dup.includes('100104') && dup.includes('已存在') && !/exist/.test(dup), `the server refuses a class that exists, in Chinese: ${dup}`);
  await page.fill('[data-testid=class-code]', '9901');
  await page.fill('[data-testid=class-parent]', '99');
  await page.click('[data-testid=class-submit]');
  await page.waitForFunction(() => document.querySelector('[data-testid=class-result]').textContent.includes('99 '));
  const orphan = await page.textContent('[data-testid=class-result]');
  assert(orphan.includes('上级分类') && orphan.includes('99'), `the server refuses an unknown parent, in Chinese: ${orphan}`);
  equal(await count(), n + 1, 'nothing stored after the refusals');
  await shot(page, 'class-dialog');
  await page.click('[data-testid=class-close]');

  // Where classes are shown and chosen.
  await page.waitForSelector('[data-testid=class-list] tr[data-code="100105"]');
  await page.click('[data-testid=color-by-landuse]');
  const legend = await page.textContent('[data-testid=legend-local-100105]');
  assert(legend.includes('标准厂房用地') && legend.includes('M1S'), `legend: ${legend}`);
  await openMode(page, 'search');
  const opt = await page.$eval('[data-testid=search-landuse] option[value="100105"]', (o) => o.textContent);
  assert(opt.includes('标准厂房用地'), `search filter: ${opt}`);
  // Chosen in the search, the server knows the class (no "unknown land-use class").
  await page.selectOption('[data-testid=search-landuse]', '100105');
  await page.click('[data-testid=search-submit]');
  await page.waitForSelector('[data-panel=search][data-count]');
  const shown = await page.$$eval('[data-testid=error-message]', (els) => els.map((e) => e.textContent));
  equal(shown.length, 0, `no error after searching the local class: ${JSON.stringify(shown)}`);
  // In English the English name.
  await page.click('[data-testid=lang-switch]');
  const en = await page.$eval('[data-testid=search-landuse] option[value="100105"]', (o) => o.textContent);
  assert(en.includes('Standard factory buildings'), `English name in the filter: ${en}`);
  await shot(page, 'class-search');
  assert(page.consoleErrors.length === 0, `console errors ${JSON.stringify(page.consoleErrors)}`);
});

runSuite({ prefix: 'forms-' });
