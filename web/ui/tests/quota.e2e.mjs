// Browser tests of a planning year in the map UI (issue 12): the dashboard's figures are the
// API's, a scenario is approved only through the confirmation (Enter alone cancels), a ledger
// entry is reversed with a reason, the ledger downloads as xlsx with its title row, a plan is
// opened with its document and issued more, and a year is closed after its preview.
//
//   LANDQUOTA_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:55432/landquota_test node tests/quota.e2e.mjs
//
// Screenshots go to web/ui/test-output/quota-*.png.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { assert, equal, OUT_DIR, PASSWORD, test, runSuite, api, apiLogin, apiPost, login, openApp, finish } from './harness.mjs';

const VIEWPORT = { width: 1440, height: 900 };
const NEXT = 2027; // the plan the tests open and close (the seed holds 2026)

// ---------------------------------------------------------------- helpers



/** The app at `hash`, logged in as `user` if one is given. */
async function openPage(ctx, { hash = '', user = '' } = {}) {
  const page = await openApp(ctx, { viewport: VIEWPORT, locale: 'zh-CN', acceptDownloads: true }, { hash });
  if (user) await login(page, user);
  return page;
}


async function shot(page, name) {
  await page.screenshot({ path: join(OUT_DIR, `quota-${name}.png`) });
}


const dialogOpen = (page) => page.evaluate(() => Boolean(document.querySelector('[data-testid=confirm-dialog]')?.open));
const focused = (page) => page.evaluate(() => document.activeElement?.dataset?.testid || document.activeElement?.tagName);

/** The texts of a sheet's first rows (shared or inline strings) from an xlsx file's bytes. */
function sheetRows(bytes, n) {
  const book = unzipSync(new Uint8Array(bytes));
  const shared = book['xl/sharedStrings.xml']
    ? [...strFromU8(book['xl/sharedStrings.xml']).matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => [...m[1].matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((x) => x[1]).join(''))
    : [];
  const name = Object.keys(book).filter((k) => /^xl\/worksheets\/sheet\d+\.xml$/.test(k)).sort()[0];
  assert(name, `no worksheet in ${Object.keys(book)}`);
  const rows = [...strFromU8(book[name]).matchAll(/<row[^>]*>([\s\S]*?)<\/row>/g)].map((r) =>
    [...r[1].matchAll(/<c([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)].map(([, attrs, inner = '']) => {
      if (/t="s"/.test(attrs)) return shared[Number((inner.match(/<v>(\d+)<\/v>/) || [])[1])] || '';
      const t = inner.match(/<t[^>]*>([^<]*)<\/t>/) || inner.match(/<v>([^<]*)<\/v>/);
      return t ? t[1] : '';
    }).filter(Boolean));
  return { rows: rows.slice(0, n), count: rows.length };
}

/** Clicks a download link and returns the file's first rows; it must be an xlsx (a zip) with a title row. */
async function downloadXlsx(page, testid, titleHas) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
  const bytes = await readFile(await download.path());
  equal(bytes.toString('latin1', 0, 2), 'PK', `${testid} is a zip`);
  const sheet = sheetRows(bytes, 3);
  assert(sheet.rows[0].join('').includes(titleHas), `${testid} title row: ${JSON.stringify(sheet.rows[0])}`);
  return { bytes, ...sheet };
}

// ---------------------------------------------------------------- tests
test('the dashboard shows the API figures: remaining is the subtree remaining of the city account', async (ctx) => {
  const page = await openPage(ctx, { hash: '#quota', user: 'alloc1' });
  await page.waitForSelector('[data-testid=account-tree]');
  const { body } = await api(ctx.world, '/api/plans/2026');
  const city = body.accounts.find((a) => a.kind === 'city');
  equal(Number(await page.getAttribute('[data-testid=stat-remaining]', 'data-m2')), city.subtree.remaining_m2, 'remaining card');
  equal(Number(await page.getAttribute('[data-testid=stat-issued]', 'data-m2')), city.subtree.issued_m2, 'issued card');
  for (const a of body.accounts.filter((x) => x.kind !== 'project')) {
    equal(Number(await page.getAttribute(`[data-testid="account-remaining-${a.code}"]`, 'data-m2')), a.subtree.remaining_m2, `remaining of ${a.code}`);
  }
  await downloadXlsx(page, 'xlsx-accounts', '2026');
  await shot(page, '01-dashboard');
  await finish(page, 'dashboard');
});

test('a scenario is approved only through the confirmation; Enter alone cancels', async (ctx) => {
  const page = await openPage(ctx, { hash: '#quota', user: 'alloc1' });
  await page.click('[data-testid=quota-tab-scenarios]');
  await page.selectOption('[data-testid=run-method]', 'priority');
  await page.fill('[data-testid=run-name]', '确认测试方案');
  await page.click('[data-testid=run-submit]');
  await page.waitForSelector('[data-testid=scenario-detail]', { timeout: 30000 });
  const id = Number(await page.getAttribute('[data-testid=scenario-detail]', 'data-scenario-id'));
  // A second run, before this one is approved: it goes stale when the approval moves the ledger.
  const { body: other } = await apiPost(ctx.world, await apiLogin(ctx.world, 'alloc1'), '/api/plans/2026/scenarios', { method: 'priority', name: '将过期的方案' });
  const { body: sc } = await api(ctx.world, `/api/scenarios/${id}`);
  // The earmark part of the grants is shown as the API gives it.
  const earmark = await page.textContent('[data-testid=sc-earmark]');
  assert(earmark.includes((Math.round(sc.result.park_earmark / 100) / 100).toFixed(2)), `park earmark shown "${earmark}" vs ${sc.result.park_earmark} m²`);
  if (sc.result.exact === false) await page.waitForSelector('[data-testid=scenario-gap]');

  await page.click('[data-testid=approve]');
  await page.waitForSelector('[data-testid=confirm-dialog][open] [data-testid=confirm-moves]');
  equal(await focused(page), 'confirm-cancel', 'focus in the approval dialog');
  const rows = await page.$$('[data-testid=confirm-moves] tbody tr');
  equal(rows.length, sc.result.accounts.length, 'one line per pool in the confirmation');
  const i = sc.result.accounts.findIndex((a) => a.kind === 'district');
  const first = sc.result.accounts[i];
  equal(Number(await page.getAttribute(`[data-testid=confirm-move-${i}] td:nth-child(2)`, 'data-m2')), first.granted, 'amount');
  equal(Number(await page.getAttribute(`[data-testid=confirm-move-${i}] td:nth-child(3)`, 'data-m2')), first.pool, 'balance before');
  equal(Number(await page.getAttribute(`[data-testid=confirm-move-${i}] td:nth-child(4)`, 'data-m2')), first.left, 'balance after');
  const text = await page.textContent('[data-testid=confirm-moves]');
  assert(text.includes('公顷') && text.includes('亩'), `amounts in 公顷 and 亩: ${text.slice(0, 200)}`);
  // Tab stays in the dialog.
  for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
  assert(await page.evaluate(() => Boolean(document.activeElement.closest('[data-testid=confirm-dialog]'))), 'focus left the dialog');
  await shot(page, '02-approve-confirm');
  await page.focus('[data-testid=confirm-cancel]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('[data-testid=confirm-dialog]').open);
  equal((await api(ctx.world, `/api/scenarios/${id}`)).body.status, 'draft', 'status after Enter');

  await page.click('[data-testid=approve]');
  await page.waitForSelector('[data-testid=confirm-dialog][open]');
  await page.click('[data-testid=confirm-ok]');
  await page.waitForSelector('[data-testid=scenario-detail][data-status=approved]', { timeout: 15000 });
  equal((await api(ctx.world, `/api/scenarios/${id}`)).body.status, 'approved', 'status after confirming');
  await downloadXlsx(page, 'xlsx-scenario', '2026');
  ctx.approved = id;
  // The run made before the approval is stale: its approve button is disabled and says why.
  await page.waitForSelector(`[data-testid=scenario-open-${other.id}]`);
  await page.click(`[data-testid=scenario-open-${other.id}]`);
  await page.waitForSelector(`[data-testid=scenario-detail][data-scenario-id="${other.id}"] [data-testid=stale-reason]`);
  equal(await page.isDisabled('[data-testid=approve]'), true, 'a stale scenario cannot be approved');
  await finish(page, 'approval');
});

test('a ledger entry is reversed with a reason, and the ledger downloads as xlsx with its title row', async (ctx) => {
  const page = await openPage(ctx, { hash: '#quota', user: 'alloc1' });
  await page.waitForSelector('[data-testid=account-tree]');
  await page.click('[data-testid=quota-tab-ledger]');
  await page.waitForSelector('[data-testid=ledger-row]');
  const { body } = await api(ctx.world, '/api/plans/2026/ledger?limit=5000');
  const entry = body.entries.filter((e) => e.kind === 'allocate' && !e.reversed_by).pop();
  assert(entry, 'no allocate entry to reverse');
  await page.click(`[data-testid=reverse-${entry.id}]`);
  await page.waitForSelector('[data-testid=confirm-dialog][open] [data-testid=confirm-reason]');
  // No reason, no reversal.
  await page.click('[data-testid=confirm-ok]');
  await page.waitForSelector('[data-testid=confirm-error]:not([hidden])');
  assert(await dialogOpen(page), 'the dialog closed without a reason');
  // Enter in the reason field does not confirm either.
  await page.fill('[data-testid=confirm-reason]', '录入错误，冲正');
  await page.keyboard.press('Enter');
  assert(await dialogOpen(page), 'Enter in the reason field closed the dialog');
  await shot(page, '03-reverse-confirm');
  await page.click('[data-testid=confirm-ok]');
  await page.waitForSelector(`[data-testid=reversed-${entry.id}]`, { timeout: 10000 });
  const after = (await api(ctx.world, '/api/plans/2026/ledger?limit=5000')).body.entries;
  const reversed = after.find((e) => e.id === entry.id);
  assert(reversed.reversed_by, 'the entry is not marked reversed');
  const reversal = after.find((e) => e.id === reversed.reversed_by);
  equal(reversal.reason, '录入错误，冲正', 'reversal reason');
  equal(reversal.amount_m2, entry.amount_m2, 'reversal amount');

  // An allocator may not reverse the province's issue: the server says so, and the page shows its
  // words in the page's language only (the same refusal asked for in Chinese).
  const issue = after.find((e) => e.kind === 'issue' && !e.reversed_by);
  assert(issue, 'no issue entry');
  await page.click(`[data-testid=reverse-${issue.id}]`);
  await page.fill('[data-testid=confirm-reason]', '试图冲正下达');
  await page.click('[data-testid=confirm-ok]');
  await page.waitForSelector('[data-testid=error-message]');
  const alloc = await apiLogin(ctx.world, 'alloc1');
  const refusal = await api(ctx.world, `/api/plans/2026/ledger/${issue.id}/reverse`, {
    method: 'POST', allowError: true,
    headers: { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN', Cookie: alloc.cookie, 'X-CSRF-Token': alloc.csrf },
    body: JSON.stringify({ reason: 'x', idempotency_key: `ui-refuse-${Date.now()}` }),
  });
  assert(refusal.status === 403 && refusal.body.error.lang === 'zh', `the server let an allocator reverse an issue: ${refusal.status} ${JSON.stringify(refusal.body)}`);
  const shown = await page.textContent('[data-testid=error-message]');
  assert(shown.includes(refusal.body.error.message), `error bar "${shown}" vs the server's "${refusal.body.error.message}"`);
  assert(!/[A-Za-z]{3,} [A-Za-z]{3,}/.test(shown), `the error bar shows English in the Chinese page: "${shown}"`);
  assert(!(await api(ctx.world, '/api/plans/2026/ledger?limit=5000')).body.entries.find((e) => e.id === issue.id).reversed_by, 'the issue was reversed');
  await page.click('[data-testid=error-dismiss]');

  const { rows, count } = await downloadXlsx(page, 'xlsx-ledger', '2026');
  assert(rows.flat().some((c) => /\d{4}-\d{2}-\d{2}/.test(c)), `no as-of time in the first rows: ${JSON.stringify(rows)}`);
  assert(count >= after.length + 2, `${count} rows for ${after.length} entries`);
  await shot(page, '04-ledger');
  await finish(page, 'reversal', /status of 403/);
});

test('an administrator opens a plan with its document and issues more (追加下达)', async (ctx) => {
  const page = await openPage(ctx, { hash: '#plans', user: 'admin1' });
  await page.waitForSelector('[data-testid=plans-table]');
  await page.click('[data-testid=plan-open-toggle]');
  await page.fill('[data-testid=plan-year]', String(NEXT));
  await page.selectOption('[data-testid=plan-kind]', 'new_construction');
  await page.fill('[data-testid=plan-name]', `${NEXT} 年度新增建设用地计划`);
  await page.fill('[data-testid=plan-doc-number]', '浙自然资〔2027〕8号');
  await page.fill('[data-testid=plan-doc-date]', `${NEXT}-02-15`);
  await page.fill('[data-testid=plan-doc-issuer]', '浙江省自然资源厅');
  await page.fill('[data-testid=plan-amount]', '120');
  await page.click('[data-testid=plan-open-submit]');
  await page.waitForSelector('[data-testid=confirm-dialog][open]');
  await shot(page, '05-open-confirm');
  await page.click('[data-testid=confirm-ok]');
  await page.waitForSelector(`[data-testid=plan-detail][data-year="${NEXT}"]`, { timeout: 15000 });
  let listed = (await api(ctx.world, '/api/plans')).body.plans.find((p) => p.year === NEXT && p.kind === 'new_construction');
  assert(listed, `${NEXT} is not listed`);
  equal(listed.state, 'open', 'state');
  equal(listed.document.number, '浙自然资〔2027〕8号', 'document number');
  equal(listed.issued_m2, 1200000, 'issued');
  equal(Number(await page.getAttribute('[data-testid=plan-issued]', 'data-m2')), listed.issued_m2, 'issued shown');

  await page.click('[data-testid=plan-issue-toggle]');
  await page.fill('[data-testid=issue-amount]', '30');
  await page.fill('[data-testid=issue-doc-number]', '浙自然资〔2027〕31号');
  await page.fill('[data-testid=issue-doc-date]', `${NEXT}-06-30`);
  await page.fill('[data-testid=issue-doc-issuer]', '浙江省自然资源厅');
  await page.click('[data-testid=issue-submit]');
  await page.waitForSelector('[data-testid=confirm-dialog][open] [data-testid=confirm-moves]');
  const { body: before } = await api(ctx.world, `/api/plans/${NEXT}`);
  const city = before.accounts.find((a) => a.kind === 'city');
  equal(Number(await page.getAttribute('[data-testid=confirm-move-0] td:nth-child(3)', 'data-m2')), city.held_m2, 'city balance before');
  equal(Number(await page.getAttribute('[data-testid=confirm-move-0] td:nth-child(4)', 'data-m2')), city.held_m2 + 300000, 'city balance after');
  await page.click('[data-testid=confirm-ok]');
  await page.waitForFunction((want) => Number(document.querySelector('[data-testid=plan-issued]')?.dataset.m2) === want, 1500000, { timeout: 15000 });
  listed = (await api(ctx.world, '/api/plans')).body.plans.find((p) => p.year === NEXT && p.kind === 'new_construction');
  equal(listed.issued_m2, 1500000, 'issued after the further issue');
  const issue = (await api(ctx.world, `/api/plans/${NEXT}/ledger`)).body.entries.find((e) => e.kind === 'issue' && e.document && e.document.number === '浙自然资〔2027〕31号');
  assert(issue, 'the further issue carries its document');
  await shot(page, '06-plan-opened');
  await finish(page, 'open plan');
});

test('a year is closed after its preview; the closed year refuses bookings', async (ctx) => {
  const page = await openPage(ctx, { hash: '#plans', user: 'admin1' });
  await page.waitForSelector('[data-testid=plans-select]');
  await page.selectOption('[data-testid=plans-select]', `${NEXT}/new_construction`);
  await page.waitForSelector(`[data-testid=plan-detail][data-year="${NEXT}"]`);
  await page.click('[data-testid=plan-close-preview]');
  await page.waitForSelector('[data-testid=close-preview]');
  const { body: pv } = await api(ctx.world, `/api/plans/${NEXT}/close`);
  equal(Number(await page.getAttribute('[data-testid=close-total-carry]', 'data-m2')), pv.totals.carry_m2, 'carry-over shown');
  equal(Number(await page.getAttribute('[data-testid=close-total-lapse]', 'data-m2')), pv.totals.lapse_m2, 'lapse shown');
  equal((await page.$$('[data-testid=close-accounts] tbody tr')).length, pv.accounts.length, 'one row per account');
  await shot(page, '07-close-preview');
  await page.click('[data-testid=plan-close-submit]');
  await page.waitForSelector('[data-testid=confirm-dialog][open]');
  equal(await focused(page), 'confirm-cancel', 'focus in the close dialog');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('[data-testid=confirm-dialog]').open);
  equal((await api(ctx.world, '/api/plans')).body.plans.find((p) => p.year === NEXT).state, 'open', 'state after Enter');
  await page.click('[data-testid=plan-close-submit]');
  await page.click('[data-testid=confirm-ok]');
  await page.waitForSelector('[data-testid=close-preview][data-closed=true]', { timeout: 30000 });
  const plans = (await api(ctx.world, '/api/plans')).body.plans;
  equal(plans.find((p) => p.year === NEXT && p.kind === 'new_construction').state, 'closed', 'state after closing');
  const next = plans.find((p) => p.year === NEXT + 1 && p.kind === 'new_construction');
  assert(next, `${NEXT + 1} was not opened by the carry-over`);
  const carried = (await api(ctx.world, `/api/plans/${NEXT + 1}/ledger`)).body.entries.filter((e) => e.kind === 'carry_in').reduce((s, e) => s + e.amount_m2, 0);
  assert(Math.abs(carried - pv.totals.carry_m2) < 0.01, `carried ${carried}, preview ${pv.totals.carry_m2}`);
  await shot(page, '08-closed');
  // The dashboard of the closed year offers no booking and no reversal.
  await page.click('[data-testid=plan-to-dashboard]');
  await page.waitForSelector('[data-testid=plan-closed-note]');
  await finish(page, 'close');
});

test('a parcel approved in the parcel panel books its consumption; without quota it is refused with the shortfall', async (ctx) => {
  const { world } = ctx;
  const projects = (await api(world, '/api/projects')).body.projects;
  const accounts = (await api(world, '/api/plans/2026')).body.accounts;
  const held = (p) => accounts.find((a) => a.kind === 'project' && Number(a.project_id) === Number(p.id))?.held_m2 || 0;
  // Parcels of projects still before approval, on land that needs new quota.
  const candidates = [];
  for (const p of projects) {
    for (const id of (p.parcel_ids || []).slice(0, 3)) {
      const f = (await api(world, `/ogc/collections/parcels/items/${id}`)).body;
      const pr = f.properties || {};
      if (['reserve', 'filed'].includes(pr.status) && pr.construction_land !== true && pr.underground !== true) candidates.push({ id: Number(id), code: pr.code, area: pr.area_m2, status: pr.status, project: p, held: held(p) });
    }
    if (candidates.some((c) => c.held >= c.area + 1) && candidates.some((c) => c.held < c.area - 1)) break;
  }
  const short = candidates.find((c) => c.held < c.area - 1);
  const enough = candidates.find((c) => c.held >= c.area + 1);
  assert(short && enough, `no parcels to approve (${candidates.length} candidates)`);

  const page = await openPage(ctx);
  await login(page, 'alloc1');
  const approve = async (c) => {
    await page.evaluate((id) => window.__landquota.app.showParcel(id), c.id);
    await page.click('[data-testid=info-change-status]');
    // The form of this parcel (not the one shown before it).
    await page.waitForFunction((code) => document.querySelector('[data-testid=parcel-status]:not([hidden]) [data-testid=pstatus-code]')?.textContent === code, c.code);
    await page.selectOption('[data-testid=pstatus-status]', 'approved');
    await page.fill('[data-testid=pstatus-reason]', '农转用批复');
    await page.click('[data-testid=pstatus-submit]');
    await page.waitForSelector('[data-testid=confirm-dialog][open]');
    equal(await focused(page), 'confirm-cancel', 'focus in the approval dialog');
    equal(Number(await page.getAttribute('[data-testid=confirm-move-0] td:nth-child(3)', 'data-m2')), c.held, 'project balance before');
  };

  await approve(short);
  await shot(page, '09-parcel-approve-confirm');
  await page.click('[data-testid=confirm-ok]');
  await page.waitForSelector('[data-testid=pstatus-result].bad');
  const refused = await apiPost(world, await apiLogin(world, 'alloc1'), `/api/parcels/${short.id}/status`, { status: 'approved', reason: '农转用批复' }).catch((e) => e);
  assert(refused instanceof Error && /409/.test(refused.message), `the server's answer: ${refused.message || JSON.stringify(refused.body)}`);
  const details = JSON.parse(refused.message.slice(refused.message.indexOf('{'))).error.details;
  const text = await page.textContent('[data-testid=pstatus-result]');
  for (const part of [`${details.shortfall_hm2.toFixed(2)} 公顷`, '亩', '平方米']) assert(text.includes(part), `shortfall message "${text}" lacks ${part}`);
  equal((await api(world, `/ogc/collections/parcels/items/${short.id}`)).body.properties.status, short.status, 'status after the refusal');
  // The refusal is in the error bar too; dismissed, so that the rest is checked for errors.
  assert((await page.textContent('[data-testid=error-bar]')).includes(details.shortfall_hm2.toFixed(2)), 'the error bar names the shortfall');
  await page.click('[data-testid=error-dismiss]');
  await shot(page, '10-parcel-approve-refused');

  await approve(enough);
  await page.click('[data-testid=confirm-ok]');
  await page.waitForSelector('[data-testid=pstatus-result].ok');
  equal((await api(world, `/ogc/collections/parcels/items/${enough.id}`)).body.properties.status, 'approved', 'status after approval');
  const consumed = (await api(world, '/api/plans/2026/ledger?limit=5000')).body.entries.filter((e) => e.kind === 'consume' && Number(e.parcel_id) === enough.id);
  equal(consumed.length, 1, 'one consume entry for the parcel');
  await finish(page, 'parcel approval', /status of 409/);
});

test('the plans page and the confirmation read in English, with no label left untranslated', async (ctx) => {
  const page = await openPage(ctx, { hash: '#plans' });
  await page.click('[data-testid=lang-switch]');
  await login(page, 'admin1');
  await page.waitForSelector('[data-testid=plans-table]');
  equal((await page.textContent('[data-testid=mode-plans]')).trim(), 'Plans', 'mode tab');
  await page.selectOption('[data-testid=plans-select]', '2026/new_construction');
  await page.waitForSelector('[data-testid=plan-detail][data-year="2026"]');
  await page.click('[data-testid=plan-close-preview]');
  await page.waitForSelector('[data-testid=close-preview]');
  await page.click('[data-testid=plan-close-submit]');
  await page.waitForSelector('[data-testid=confirm-dialog][open]');
  const labels = await page.evaluate(() => {
    const bad = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('[hidden]') || el.closest('script') || !el.closest('[data-panel=plans], #confirm-dialog')) continue;
      const text = n.textContent.trim();
      if (/(^|\s)[a-z]+(\.[a-zA-Z_${}]+){1,3}($|\s)/.test(text) && !/\d\.\d/.test(text)) bad.push(text);
    }
    return bad;
  });
  assert(labels.length === 0, `untranslated: ${labels}`);
  await shot(page, '11-plans-en-confirm');
  await page.click('[data-testid=confirm-cancel]');
  equal((await api(ctx.world, '/api/plans')).body.plans.find((p) => p.year === 2026).state, 'open', '2026 after cancelling');
  await finish(page, 'plans in English');
});

// ---------------------------------------------------------------- main
await runSuite({ prefix: 'quota-' });
