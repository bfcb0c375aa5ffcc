// A small sequential test runner with a real server, database and browser behind it.
// Every check throws on failure; run() prints "N passed, N failed" and sets the exit code.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = resolve(UI_DIR, '..', '..');
export const OUT_DIR = join(UI_DIR, 'test-output');
export const PASSWORD = 'ui-test-password-2026';

const tests = [];
export function test(name, fn) {
  tests.push({ name, fn });
}

export class AssertionError extends Error {}
export function assert(cond, message) {
  if (!cond) throw new AssertionError(message);
}
export function equal(actual, expected, message) {
  if (actual !== expected) throw new AssertionError(`${message}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`);
}

function log(...args) {
  console.log(...args);
}

/** Runs a command, failing loudly with its output. */
export function run(cmd, args, { env = {}, cwd = REPO, input } = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', input, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** The test server's URL with another database name. */
export function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Starts everything: a fresh database lq_ui_<random> next to LANDQUOTA_TEST_DATABASE_URL,
 * migrated and seeded, users of each role, and `landquota serve` on a free port.
 */
export async function startWorld() {
  const base = process.env.LANDQUOTA_TEST_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('LANDQUOTA_TEST_DATABASE_URL is not set (scripts/ui-test.sh sets it)');
  const bin = process.env.LANDQUOTA_UI_BIN || join(REPO, 'bin', 'landquota');
  if (!process.env.LANDQUOTA_UI_BIN) {
    log('building bin/landquota');
    run('go', ['build', '-o', 'bin/landquota', './cmd/landquota']);
  }
  if (!existsSync(bin)) throw new Error(`${bin} is missing`);
  const name = `lq_ui_${randomBytes(5).toString('hex')}`;
  const admin = withDatabase(base, 'postgres');
  const dbURL = withDatabase(base, name);
  const world = { bin, name, admin, dbURL, server: null, port: 0, url: '' };
  run('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', `CREATE DATABASE ${name}`]);
  world.dropDatabase = () => {
    try {
      run('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
      log(`dropped database ${name}`);
    } catch (err) {
      console.error(`could not drop database ${name}: ${err.message}`);
    }
  };
  try {
    const env = { DATABASE_URL: dbURL };
    run(bin, ['migrate'], { env });
    run(bin, ['seed', '--parcels', '3000', '--seed', '7'], { env });
    for (const [u, role] of [['viewer1', 'viewer'], ['alloc1', 'allocator'], ['admin1', 'admin']]) {
      run(bin, ['user', 'add', '--username', u, '--role', role], { env: { ...env, LANDQUOTA_PASSWORD: PASSWORD } });
    }
    world.port = await freePort();
    world.url = `http://127.0.0.1:${world.port}`;
    const server = spawn(bin, ['serve', '--addr', `127.0.0.1:${world.port}`], {
      cwd: REPO,
      env: { ...process.env, DATABASE_URL: dbURL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    world.server = server;
    world.serverLog = [];
    const keep = (b) => {
      world.serverLog.push(b.toString());
      if (world.serverLog.length > 400) world.serverLog.splice(0, 100);
    };
    server.stdout.on('data', keep);
    server.stderr.on('data', keep);
    const deadline = Date.now() + 20000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`landquota serve exited ${server.exitCode}:\n${world.serverLog.join('')}`);
      try {
        const res = await fetch(`${world.url}/readyz`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`landquota serve did not get ready:\n${world.serverLog.join('')}`);
      await new Promise((r) => setTimeout(r, 150));
    }
    log(`server on ${world.url}, database ${name}`);
  } catch (err) {
    await stopWorld(world);
    throw err;
  }
  return world;
}

export async function stopWorld(world) {
  if (world.server && world.server.exitCode === null) {
    const exited = new Promise((r) => world.server.once('exit', r));
    world.server.kill('SIGTERM');
    const timer = setTimeout(() => world.server.kill('SIGKILL'), 8000);
    await exited;
    clearTimeout(timer);
  }
  if (world.dropDatabase) world.dropDatabase();
}

/** Runs the registered tests in order; returns the number of failures. */
export async function runTests(ctx) {
  mkdirSync(OUT_DIR, { recursive: true });
  let passed = 0;
  let failed = 0;
  for (const { name, fn } of tests) {
    const t0 = Date.now();
    try {
      await fn(ctx);
      passed++;
      log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (err) {
      failed++;
      log(`FAIL ${name} (${Date.now() - t0} ms)\n     ${String(err && err.stack ? err.stack : err).split('\n').join('\n     ')}`);
      if (ctx.onFailure) await ctx.onFailure(name).catch(() => {});
    }
  }
  log(`\n${passed} passed, ${failed} failed`);
  return failed;
}

/** The median of numbers (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A Chromium trace's thread names by "pid:tid". */
export function traceThreadNames(events) {
  const names = new Map();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  return names;
}

/**
 * A trace's top-level complete events among those keep(e) accepts, in time order: each not nested
 * in an earlier one of its thread, so that their thread times (tdur) add up to the thread's CPU.
 */
export function topLevelEvents(events, keep) {
  const ends = new Map();
  const out = [];
  for (const e of events.filter((x) => x.ph === 'X' && keep(x)).sort((a, b) => a.ts - b.ts || b.dur - a.dur)) {
    const k = `${e.pid}:${e.tid}`;
    if ((ends.get(k) || 0) > e.ts) continue; // nested
    ends.set(k, e.ts + e.dur);
    out.push(e);
  }
  return out;
}

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** Headless Chromium's flags that work on these machines (software rendering, nothing phoning home). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** The value of a switch (prefix '--name=') on the command line of a Chromium this process started, or null. */
function launchedSwitch(prefix) {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      if (!basename(readlinkSync(`/proc/${pid}/exe`)).startsWith('chrom')) continue;
      const arg = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').findLast((a) => a.startsWith(prefix));
      if (arg) return arg;
    } catch {
      // gone, or not ours to read
    }
  }
  return null;
}

/**
 * Headless Chromium as the browser tests, the bench and the trace run it: CHROMIUM_ARGS, and
 * without the address bar's suggestion popups. Every new window (each browser context a test or
 * a bench visit opens is one) loads two WebUI pages for them, chrome://omnibox-popup.top-chrome/
 * and its AI-mode twin, each in a renderer of its own: about a second and a half of CPU on the
 * same two cores, while the page under test loads. A user's window loaded them when it opened,
 * not when a page is visited in it, so they are the harness's cost, not the page's. Chromium
 * keeps only the last --disable-features, so the two are added to Playwright's own list (read
 * back from the command line of a first launch) rather than replacing it; if that list cannot be
 * read, Chromium runs with the popups and a note says so. LANDQUOTA_BENCH_POPUPS=1 keeps them
 * (as benches before session 11 ran).
 */
export async function launchChromium() {
  if (process.env.LANDQUOTA_BENCH_POPUPS === '1') return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const probe = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  let defaults = null;
  try {
    defaults = launchedSwitch('--disable-features=');
  } finally {
    await probe.close();
  }
  if (!defaults) {
    console.error('note: Playwright\'s --disable-features not found on the command line; Chromium keeps its omnibox popups');
    return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: [defaults],
    args: [...CHROMIUM_ARGS, `${defaults},WebUIOmniboxPopup,WebUIOmniboxAimPopup`],
  });
}

/**
 * Runs a suite file's registered tests and exits: a fresh world (database, server), setup(ctx) for
 * what the suite adds to it, headless Chromium (launchChromium), a
 * screenshot of the last page of a failed test (FAILED-<prefix>...), and cleanup(ctx) however it ends.
 */
export async function runSuite({ prefix = '', setup, cleanup } = {}) {
  const ctx = { pages: [] };
  let failures = 1;
  try {
    ctx.world = await startWorld();
    if (setup) await setup(ctx);
    ctx.browser = await launchChromium();
    ctx.onFailure = async (name) => {
      const page = ctx.pages[ctx.pages.length - 1];
      if (page && !page.isClosed()) await page.screenshot({ path: join(OUT_DIR, `FAILED-${prefix}${name.slice(0, 40).replace(/[^\w]+/g, '-')}.png`) });
      for (const p of ctx.pages) if (!p.isClosed()) await p.context().close();
    };
    failures = await runTests(ctx);
  } catch (err) {
    console.error(`ui tests could not run: ${err.stack || err}`);
    console.log('\n0 passed, 1 failed');
    failures = Math.max(failures, 1);
  } finally {
    if (ctx.browser) await ctx.browser.close().catch(() => {});
    if (ctx.world) await stopWorld(ctx.world);
    if (cleanup) cleanup(ctx);
  }
  process.exit(failures ? 1 : 0);
}

// ---- helpers every suite uses ------------------------------------------------------------------

/** GET (or opts.method) an API path of the test server; throws on an error unless opts.allowError. */
export async function api(world, path, opts = {}) {
  const res = await fetch(world.url + path, opts);
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok && !opts.allowError) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return { status: res.status, body };
}

/** Logs in over the API: the session cookie and CSRF token for apiPost. */
export async function apiLogin(world, username) {
  const res = await fetch(`${world.url}/api/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`login ${username}: ${JSON.stringify(body)}`);
  return { cookie: res.headers.get('set-cookie').split(';')[0], csrf: body.csrf_token };
}

/** POSTs JSON as the logged-in `who` (apiLogin). */
export async function apiPost(world, who, path, body) {
  return api(world, path, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: who.cookie, 'X-CSRF-Token': who.csrf }, body: JSON.stringify(body),
  });
}

/** Logs in through the page's login dialog. */
export async function login(page, username) {
  await page.click('[data-testid=login-open]');
  await page.fill('[data-testid=login-username]', username);
  await page.fill('[data-testid=login-password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=user-role]');
}

/** Waits for OpenLayers' rendercomplete (all tiles loaded, frame drawn). */
export async function rendered(page, seconds = 20) {
  await page.evaluate((ms) => new Promise((resolve, reject) => {
    const { map } = window.__landquota;
    const timer = setTimeout(() => reject(new Error(`no rendercomplete within ${ms / 1000} s`)), ms);
    map.once('rendercomplete', () => {
      clearTimeout(timer);
      resolve();
    });
    map.render();
  }), seconds * 1000);
}

/**
 * Clicks a mode's tab and waits until its panel is built: the panels' code is loaded on first
 * use (main.js), so a check right after the click could find the panel still empty.
 */
export async function openMode(page, mode) {
  await page.click(`[data-testid=mode-${mode}]`);
  await panelBuilt(page, mode);
}

/** Waits until the panel of a mode entered (by a click, a tap or a link) is built. */
export async function panelBuilt(page, mode) {
  if (mode !== 'layers') await page.evaluate((m) => window.__landquota.panel(m).then(() => {}), mode);
}

/** Centres the map on lon/lat at a zoom and waits for it to be drawn. */
export async function goTo(page, [lon, lat], zoom) {
  await page.evaluate(([lon, lat, zoom]) => {
    const view = window.__landquota.map.getView();
    const x = (lon * 20037508.342789244) / 180;
    const y = (Math.log(Math.tan(((90 + lat) * Math.PI) / 360)) / Math.PI) * 20037508.342789244;
    view.setCenter([x, y]);
    view.setZoom(zoom);
  }, [lon, lat, zoom]);
  await rendered(page);
}

/**
 * Opens the app in a new browser context (contextOptions: viewport, locale, …) at `hash` and waits
 * until it is ready. page.consoleErrors collects the page's errors and the console's, but those
 * `ignore` matches (by default the anonymous GET /api/me's 401, which is by design). `beforeLoad`
 * runs on the page before it loads.
 */
export async function openApp(ctx, contextOptions, { hash = '', ignore = /status of 401/, beforeLoad } = {}) {
  const page = await (await ctx.browser.newContext(contextOptions)).newPage();
  if (beforeLoad) await beforeLoad(page);
  page.consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !ignore.test(m.text())) page.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => page.consoleErrors.push(`pageerror: ${e.message}`));
  await page.goto(`${ctx.world.url}/${hash}`);
  await page.waitForFunction(() => window.__landquota && window.__landquota.ready, null, { timeout: 20000 });
  ctx.pages.push(page);
  return page;
}

/** No message in the error bar, no console error (but the refusals a test provoked on purpose). */
export async function noErrors(page, where, allow = null) {
  const shown = await page.$$eval('[data-testid=error-message]', (els) => els.map((e) => e.textContent));
  assert(shown.length === 0, `${where}: the error bar shows ${JSON.stringify(shown)}`);
  const logged = page.consoleErrors.filter((e) => !(allow && allow.test(e)));
  assert(logged.length === 0, `${where}: console errors ${JSON.stringify(logged)}`);
}

/** The end of a test: noErrors, then the page's browser context is closed. */
export async function finish(page, where, allow = null) {
  await noErrors(page, where, allow);
  await page.context().close();
}

/** The composited colours of the map's canvases at map pixels, [[r, g, b, a], ...]. */
export async function mapPixels(page, points) {
  return page.evaluate((points) => {
    const mapEl = window.__landquota.map.getTargetElement();
    const mr = mapEl.getBoundingClientRect();
    return points.map(([x, y]) => {
      const out = document.createElement('canvas');
      out.width = 1;
      out.height = 1;
      const ctx = out.getContext('2d', { willReadFrequently: true });
      for (const c of mapEl.querySelectorAll('.ol-layer canvas')) {
        if (!c.width || getComputedStyle(c.parentElement).display === 'none') continue;
        const r = c.getBoundingClientRect();
        const s = c.width / r.width;
        ctx.globalAlpha = Number(c.parentElement.style.opacity || 1);
        ctx.drawImage(c, (x + mr.left - r.left) * s, (y + mr.top - r.top) * s, s, s, 0, 0, 1, 1);
      }
      return [...ctx.getImageData(0, 0, 1, 1).data];
    });
  }, points);
}
