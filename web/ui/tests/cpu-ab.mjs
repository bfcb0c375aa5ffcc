// Two builds of the page compared by CPU time rather than wall time (issue 16): on the shared
// 2-core machine the bench's wall times moved by ±40 % between rounds (its *ready*, a path no
// build changed, came out 1.53× new/old at a load average of 8), while the renderer's thread
// times of the same visits spread by about ±10 %. Each visit is bench.mjs's "page load to
// parcels drawn at zoom 14" (an empty cache, the view set at zoom 14 just after ready), traced;
// the two servers take turns at going first, at the same places. Not a test.
//
//   node tests/cpu-ab.mjs http://127.0.0.1:PORT_A http://127.0.0.1:PORT_B [pairs=6]
//
// Serve each build on the same database (`landquota serve --addr 127.0.0.1:PORT` with
// DATABASE_URL=the 1M bench database), started together and warmed, at places neither has served
// (CPU_AB_SHIFT=0.01 moves the places east by 0.01°). Per visit and as medians, B/A:
//   ms        navigation start to the zoom-14 view drawn (wall time, as the bench)
//   main      the page's main thread, CPU to drawn (top-level trace events' thread time)
//   afterSet  the same, from the view set at zoom 14
//   pool      the renderer's thread pool (V8's Maglev and TurboFan compiles, background GC)
// The view is set 30 ms after the page's ready flag, from inside the page: about when bench.mjs's
// 20 ms poll and round trip set it, so that the first view's tiles are asked for before, as there.
import { launchChromium, median, topLevelEvents, traceThreadNames } from './harness.mjs';

const [urlA, urlB] = process.argv.slice(2, 4);
if (!urlA || !urlB) throw new Error('usage: node tests/cpu-ab.mjs http://127.0.0.1:PORT_A http://127.0.0.1:PORT_B [pairs]');
const pairs = Number(process.argv[4] || 6);
const shift = Number(process.env.CPU_AB_SHIFT || 0);

/** In the page, before any script: sets zoom 14 at lonLat 30 ms after ready, marks set and drawn. */
function setViewAtReady([lon, lat]) {
  let app;
  window.__drawnAt = null;
  const setView = () => {
    const { map } = app;
    const x = (lon * 20037508.342789244) / 180;
    const y = (Math.log(Math.tan(((90 + lat) * Math.PI) / 360)) / Math.PI) * 20037508.342789244;
    const target = map.getView().getResolutionForZoom(14);
    const done = (evt) => {
      const { center, resolution } = evt.frameState.viewState;
      if (Math.abs(resolution - target) > target * 1e-6 || Math.hypot(center[0] - x, center[1] - y) > target) return;
      map.un('rendercomplete', done);
      window.__drawnAt = performance.now();
      performance.mark('cpu-ab:drawn');
    };
    map.on('rendercomplete', done);
    performance.mark('cpu-ab:set');
    map.getView().setCenter([x, y]);
    map.getView().setZoom(14);
  };
  Object.defineProperty(window, '__landquota', {
    configurable: true,
    get: () => app,
    set: (v) => {
      app = v;
      let ready = false;
      Object.defineProperty(v, 'ready', {
        configurable: true,
        get: () => ready,
        set: (r) => {
          ready = r;
          if (r) setTimeout(setView, 30);
        },
      });
    },
  });
}

/** The page's main thread (the one that marked drawn) and its renderer's pool threads: CPU in ms. */
function threadTimes(events) {
  const names = traceThreadNames(events);
  const drawn = events.find((e) => e.name === 'cpu-ab:drawn');
  const main = `${drawn.pid}:${drawn.tid}`;
  const setTs = events.find((e) => e.name === 'cpu-ab:set' && `${e.pid}:${e.tid}` === main).ts;
  const out = { main: 0, afterSet: 0, pool: 0 };
  for (const e of topLevelEvents(events, (x) => x.ts <= drawn.ts)) {
    const k = `${e.pid}:${e.tid}`;
    const pool = e.pid === drawn.pid && names.get(k) === 'ThreadPoolForegroundWorker';
    if (k !== main && !pool) continue; // another thread
    const ms = (e.tdur ?? 0) / 1000;
    if (pool) out.pool += ms;
    else {
      out.main += ms;
      if (e.ts >= setTs) out.afterSet += ms;
    }
  }
  return out;
}

async function visit(browser, url, lonLat) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  try {
    await context.addInitScript(setViewAtReady, lonLat);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const events = [];
    cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
    const traced = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'blink.user_timing', 'v8'] } });
    await page.goto(url);
    await page.waitForFunction(() => window.__drawnAt !== null, null, { timeout: 120000, polling: 50 });
    const ms = await page.evaluate(() => window.__drawnAt);
    await cdp.send('Tracing.end');
    await traced;
    const cpu = threadTimes(events);
    return { ms: Math.round(ms), main: Math.round(cpu.main), afterSet: Math.round(cpu.afterSet), pool: Math.round(cpu.pool) };
  } finally {
    await context.close();
  }
}

const browser = await launchChromium();
try {
  const runs = { A: [], B: [] };
  for (let i = 0; i < pairs; i++) {
    // Places about the High-tech Zone's densest blocks (as the bench's), a different one each pair.
    const place = [120.185 + 0.006 * ((i * 7) % 5) + shift, 30.188 + 0.004 * ((i * 3) % 4)];
    for (const w of i % 2 ? ['B', 'A'] : ['A', 'B']) runs[w].push(await visit(browser, w === 'A' ? urlA : urlB, place));
    console.log(`pair ${i + 1}/${pairs}: A ${JSON.stringify(runs.A[i])} B ${JSON.stringify(runs.B[i])}`);
  }
  for (const k of ['ms', 'main', 'afterSet', 'pool']) {
    const a = median(runs.A.map((r) => r[k]));
    const b = median(runs.B.map((r) => r[k]));
    console.log(`${k.padEnd(9)} A ${String(a).padStart(6)}  B ${String(b).padStart(6)}  B/A ${(b / a).toFixed(2)}`);
  }
} finally {
  await browser.close();
}
