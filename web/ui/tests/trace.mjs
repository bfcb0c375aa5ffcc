// Where a page load goes (issue 16): one visit of headless Chromium (as tests/bench.mjs drives it)
// to a running server, the view set to zoom 14 as soon as the page is ready (bench.mjs's "page
// load to parcels drawn at zoom 14"), traced with CDP: the request waterfall (Resource Timing),
// the renderer main thread's time by kind of work (trace events: script compile/run, style and
// layout, paint, GC, ...), and the JavaScript self time by function (CPU profile). Not a test.
//
//   node tests/trace.mjs http://127.0.0.1:PORT [out.json]
//
// The full Chromium trace goes to test-output/trace-<time>.json (open it in chrome://tracing or
// the DevTools performance panel).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, OUT_DIR, topLevelEvents, traceThreadNames } from './harness.mjs';

const url = process.argv[2];
if (!url) throw new Error('usage: node tests/trace.mjs http://127.0.0.1:PORT');
const lonLat = [Number(process.env.TRACE_LON || 120.19), Number(process.env.TRACE_LAT || 30.19)];

const browser = await launchChromium();
const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
const events = [];
cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
const traced = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
// TRACE_PROFILE=0: no CPU profile (its sampling slows the page a little).
const profiling = process.env.TRACE_PROFILE !== '0';
if (profiling) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
}
await cdp.send('Tracing.start', {
  transferMode: 'ReportEvents',
  traceConfig: {
    // TRACE_CATEGORIES=a,b adds categories (e.g. disabled-by-default-v8.compile for V8's compile jobs on the thread pool).
    includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink', 'blink.user_timing', 'loading', 'toplevel', 'disabled-by-default-v8.gc',
      ...(process.env.TRACE_CATEGORIES ? process.env.TRACE_CATEGORIES.split(',') : [])],
  },
});
if (profiling) await cdp.send('Profiler.start');
await page.goto(url);
await page.waitForFunction(() => window.__landquota && window.__landquota.ready, null, { timeout: 120000, polling: 20 });
const z14 = await page.evaluate(([lon, lat]) => new Promise((resolve) => {
  const { map } = window.__landquota;
  const x = (lon * 20037508.342789244) / 180;
  const y = (Math.log(Math.tan(((90 + lat) * Math.PI) / 360)) / Math.PI) * 20037508.342789244;
  const target = map.getView().getResolutionForZoom(14);
  const t0 = performance.now();
  const done = (evt) => {
    const { center, resolution } = evt.frameState.viewState;
    if (Math.abs(resolution - target) > target * 1e-6 || Math.hypot(center[0] - x, center[1] - y) > target) return;
    map.un('rendercomplete', done);
    performance.mark('trace:drawn');
    resolve({ set: t0, drawn: performance.now() });
  };
  map.on('rendercomplete', done);
  performance.mark('trace:set');
  map.getView().setCenter([x, y]);
  map.getView().setZoom(14);
}), lonLat);
const { profile } = profiling ? await cdp.send('Profiler.stop') : { profile: { nodes: [], samples: [], timeDeltas: [] } };
await cdp.send('Tracing.end');
await traced;
const timing = await page.evaluate(() => ({
  nav: performance.getEntriesByType('navigation').map((e) => ({ name: 'document', start: 0, reqStart: e.requestStart, respStart: e.responseStart, end: e.responseEnd, size: e.transferSize, dcl: e.domContentLoadedEventEnd, load: e.loadEventEnd }))[0],
  resources: performance.getEntriesByType('resource').map((e) => ({ name: e.name.replace(location.origin, ''), type: e.initiatorType, start: e.startTime, reqStart: e.requestStart, respStart: e.responseStart, end: e.responseEnd, size: e.transferSize, body: e.decodedBodySize })),
  marks: performance.getEntriesByType('mark').map((m) => ({ name: m.name, t: m.startTime })),
  paints: performance.getEntriesByType('paint').map((m) => ({ name: m.name, t: m.startTime })),
}));
await browser.close();

mkdirSync(OUT_DIR, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
writeFileSync(join(OUT_DIR, `trace-${stamp}.json`), JSON.stringify({ traceEvents: events }));

// ---- the renderer main thread's time, by event (self time: less the events nested in it) ----
const threadNames = traceThreadNames(events);
const mains = [...threadNames].filter(([, n]) => n === 'CrRendererMain').map(([k]) => k);
const count = new Map();
for (const e of events) {
  const k = `${e.pid}:${e.tid}`;
  if (mains.includes(k)) count.set(k, (count.get(k) || 0) + 1);
}
// The page's renderer: the main thread that marked the app's start, else the one with the most
// events (another renderer, of a blank page or a worklet, can have more).
const marked = events.find((e) => e.name === 'landquota:start' && mains.includes(`${e.pid}:${e.tid}`));
const main = marked ? `${marked.pid}:${marked.tid}` : [...count].sort((a, b) => b[1] - a[1])[0][0];
const navStart = events.find((e) => e.name === 'navigationStart' && `${e.pid}:${e.tid}` === main)?.ts
  ?? Math.min(...events.filter((e) => `${e.pid}:${e.tid}` === main && e.ts > 0).map((e) => e.ts));
// The page's marks as trace events (blink.user_timing), on the trace's clock.
function traceMark(name) {
  const m = events.filter((e) => e.name === name && `${e.pid}:${e.tid}` === main);
  return m.length ? m[m.length - 1].ts : Infinity;
}
const spans = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.dur > 0).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
const self = new Map();
const stack = [];
let busy = 0;
// The main thread's CPU time (trace tdur: robust to a loaded machine, unlike wall time) in the
// phases of the visit: to ready, ready to the view set at zoom 14, and from there to drawn.
const phaseEnds = [traceMark('landquota:ready'), traceMark('trace:set'), traceMark('trace:drawn')];
const cpu = [0, 0, 0];
for (const e of spans) {
  while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
  const parent = stack[stack.length - 1];
  if (parent) self.set(parent.name, (self.get(parent.name) || 0) - Math.min(e.dur, parent.ts + parent.dur - e.ts));
  else {
    busy += e.dur;
    const phase = phaseEnds.findIndex((t) => e.ts < t);
    if (phase >= 0) cpu[phase] += e.tdur ?? e.dur;
  }
  self.set(e.name, (self.get(e.name) || 0) + e.dur);
  stack.push(e);
}
// Up to ready: the main thread's top-level tasks of 10 ms or more, each with its largest nested
// events, so that a gap between them reads as waiting (for the network, another thread).
const readyTs = traceMark('landquota:ready');
const GENERIC = /^(RunTask|ThreadControllerImpl::RunTask|ThreadPool_RunTask|Receive mojo message|SimpleWatcher::OnHandleReady|BlinkScheduler_PerformMicrotaskCheckpoint)$/;
const tasksToReady = [];
{
  let end = 0;
  for (const e of spans) {
    if (e.ts >= readyTs) break;
    if (e.ts < end) continue; // nested in the task before
    end = e.ts + e.dur;
    if (e.dur < 10000) continue;
    const inner = spans.filter((c) => c !== e && c.ts >= e.ts && c.ts + c.dur <= end && c.dur >= 3000 && !GENERIC.test(c.name));
    const top = [...new Map(inner.sort((a, b) => b.dur - a.dur).map((c) => [c.name, Math.round(c.dur / 1000)]))].slice(0, 4);
    tasksToReady.push({ at: Math.round((e.ts - navStart) / 1000), ms: Math.round(e.dur / 1000), top: top.map(([n, ms]) => `${n} ${ms}`).join(', ') });
  }
}
// From the view set at zoom 14 to drawn: the frames the page made, and every thread's CPU (top-level
// events' thread time); on two cores without a GPU the compositor, raster and GPU-process threads
// cost about as much as the page's main thread, and mostly per frame.
const setTs = traceMark('trace:set');
const drawnTs = traceMark('trace:drawn');
const z14Frames = events.filter((e) => `${e.pid}:${e.tid}` === main && e.name === 'FireAnimationFrame' && e.ts >= setTs && e.ts < drawnTs).length;
const processNames = new Map(events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => [e.pid, e.args.name]));
/** Every thread's CPU from..to (top-level events' thread time), by process/thread name. */
function threadCPU(from, to) {
  const out = new Map();
  for (const e of topLevelEvents(events, (x) => x.ts >= from && x.ts < to)) {
    const name = `${processNames.get(e.pid) || e.pid}/${threadNames.get(`${e.pid}:${e.tid}`) || e.tid}`;
    out.set(name, (out.get(name) || 0) + (e.tdur ?? 0) / 1000);
  }
  return out;
}
const z14ThreadCPU = threadCPU(setTs, drawnTs);
// From navigation to ready, likewise: the page's own start competes on two cores with every other
// thread of the browser (another renderer, the browser's main thread).
const readyThreadCPU = threadCPU(navStart, traceMark('landquota:ready'));
const topThreads = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([n, ms]) => `${n} ${Math.round(ms)}`).join(', ');
const sumCPU = (m) => Math.round([...m.values()].reduce((a, b) => a + b, 0));
const byEvent = [...self].filter(([, us]) => us > 5000).sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: Math.round(us / 1000) }));

// ---- JavaScript self time by function (CPU profile) ----
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const hits = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const n = nodes.get(profile.samples[i]);
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const f = n.callFrame;
  const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`;
  hits.set(key, (hits.get(key) || 0) + dt);
}
const byFunction = [...hits].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([fn, us]) => ({ fn, ms: Math.round(us / 1000) }));

const fmt = (x) => (x === undefined ? '' : Math.round(x));
// A worker thread's CPU time, if the page runs one (a thread of the page's renderer other than its main one).
let workerCPU = 0;
let workerEnd = 0;
for (const e of events.filter((x) => x.ph === 'X' && x.dur > 0 && threadNames.get(`${x.pid}:${x.tid}`) === 'DedicatedWorker thread').sort((a, b) => a.ts - b.ts || b.dur - a.dur)) {
  if (e.ts < workerEnd) continue; // nested in the task before
  workerEnd = e.ts + e.dur;
  workerCPU += e.tdur ?? e.dur;
}
const cpuMs = { toReady: Math.round(cpu[0] / 1000), readyToSet: Math.round(cpu[1] / 1000), setToDrawn: Math.round(cpu[2] / 1000), worker: Math.round(workerCPU / 1000) };
const report = { url, tasksToReady, z14Frames, z14ThreadCPU: Object.fromEntries(z14ThreadCPU), readyThreadCPU: Object.fromEntries(readyThreadCPU), z14: { set: fmt(z14.set), drawn: fmt(z14.drawn), ms: fmt(z14.drawn - z14.set) }, busyMs: Math.round(busy / 1000), cpuMs, timing, byEvent, byFunction, navStart };
writeFileSync(process.argv[3] || join(OUT_DIR, `trace-${stamp}-summary.json`), JSON.stringify(report, null, 2));
console.log(`${url}: ready→z14 set at ${fmt(z14.set)} ms, drawn at ${fmt(z14.drawn)} ms (${fmt(z14.drawn - z14.set)} ms); main thread busy ${report.busyMs} ms`);
console.log('main thread CPU (ms): to ready', cpuMs.toReady, '| ready to view set', cpuMs.readyToSet, '| set to drawn', cpuMs.setToDrawn, '| tile worker (top-level tasks)', cpuMs.worker);
console.log(`navigation → ready: every thread's CPU ${sumCPU(readyThreadCPU)} ms; by thread (ms):`, topThreads(readyThreadCPU));
console.log(`view set → drawn: ${z14Frames} frames; every thread's CPU ${sumCPU(z14ThreadCPU)} ms; by thread (ms):`, topThreads(z14ThreadCPU));
console.log('marks:', timing.marks.map((m) => `${m.name}@${fmt(m.t)}`).join(' '), '| paints:', timing.paints.map((m) => `${m.name}@${fmt(m.t)}`).join(' '));
console.log('waterfall (ms: start, response start, end, KB):');
console.log(`  document ${fmt(timing.nav.reqStart)} ${fmt(timing.nav.respStart)} ${fmt(timing.nav.end)} dcl ${fmt(timing.nav.dcl)} load ${fmt(timing.nav.load)}`);
const tiles = timing.resources.filter((r) => r.name.startsWith('/tiles/'));
for (const r of timing.resources.filter((x) => !x.name.startsWith('/tiles/'))) console.log(`  ${r.name.slice(0, 60).padEnd(60)} ${fmt(r.start)} ${fmt(r.respStart)} ${fmt(r.end)} ${(r.size / 1024).toFixed(0)}`);
if (tiles.length) {
  const z = (r) => r.name.split('/')[3];
  for (const zz of [...new Set(tiles.map(z))]) {
    const ts = tiles.filter((r) => z(r) === zz);
    console.log(`  tiles z${zz}: ${ts.length}, first start ${fmt(Math.min(...ts.map((r) => r.start)))}, last end ${fmt(Math.max(...ts.map((r) => r.end)))}, ${(ts.reduce((s, r) => s + r.size, 0) / 1024).toFixed(0)} KB`);
  }
}
console.log('main-thread tasks of 10 ms or more before ready (ms from navigation: duration, largest events inside):');
for (const t of tasksToReady) console.log(`  @${t.at} ${t.ms}: ${t.top}`);
console.log('main thread self time by event (ms):', byEvent.slice(0, 25).map((e) => `${e.name} ${e.ms}`).join(', '));
console.log('JS self time by function (ms):');
for (const f of byFunction.slice(0, 20)) console.log(`  ${String(f.ms).padStart(5)} ${f.fn}`);
