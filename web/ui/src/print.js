// 出图 (printing a map for a meeting): a sheet of A4 or A3, portrait or landscape, with a
// title, the map at a chosen scale (or the extent on screen), the legend of the visible
// layers, a scale bar, a north arrow, the coordinate system, date, unit and a caption.
// PDF goes through the browser's print (save as PDF) of an HTML sheet, so its text stays
// text; PNG is the same sheet drawn on a 300-dpi canvas.
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import TileLayer from 'ol/layer/Tile.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorTileLayer from 'ol/layer/VectorTile.js';
import { getCenter, getHeight, getWidth } from 'ol/extent.js';
import { getPointResolution } from 'ol/proj.js';
import { $, el } from './dom.js';
import { saveFile } from './export.js';
import { fmt } from './format.js';
import { lang, t } from './i18n.js';
import { FONT_STACK } from './styles.js';

/** Paper sizes in millimetres, landscape (width > height). */
export const PAPERS = { A4: [297, 210], A3: [420, 297] };
/** Map scales offered (the denominator of 1:n). */
export const SCALES = [2000, 5000, 10000, 25000, 50000];
export const DPI = 300;
const CSS_DPI = 96; // a CSS pixel is 1/96 inch: line widths and labels keep their on-screen size
const MM_PER_INCH = 25.4;

/** The sheet's boxes in mm: margins 10, a title band, the map, a side column, a caption band. */
export function sheetLayout(paper, orientation) {
  const [long, short] = PAPERS[paper] || PAPERS.A4;
  const [w, h] = orientation === 'portrait' ? [short, long] : [long, short];
  const m = 10;
  const titleH = paper === 'A3' ? 16 : 13;
  const captionH = 9;
  const side = paper === 'A3' ? 64 : 54;
  const map = { x: m, y: m + titleH, w: w - 2 * m - side - 5, h: h - 2 * m - titleH - captionH };
  return {
    w, h, m, titleH,
    map,
    side: { x: map.x + map.w + 5, y: map.y, w: side, h: map.h },
    caption: { x: m, y: map.y + map.h + 2, w: w - 2 * m, h: captionH - 2 },
    titleSize: paper === 'A3' ? 8 : 6.5, // mm
  };
}

/** A round scale-bar length (1, 2 or 5 × 10^n metres) near target metres. */
export function niceLength(target) {
  const p = 10 ** Math.floor(Math.log10(target));
  for (const f of [5, 2, 1]) if (f * p <= target) return f * p;
  return p;
}

/** Ground metres per map unit at a point (1 for a metric CRS, ~cos(lat) for Web Mercator). */
function groundPerUnit(view, center) {
  return getPointResolution(view.getProjection(), 1, center, 'm');
}

/** The layers of the print map: new layers over the screen map's sources, visible ones only. */
function cloneLayers(map) {
  const out = [];
  for (const l of map.getAllLayers()) {
    if (!l.getVisible() || !l.getSource()) continue;
    const common = {
      source: l.getSource(),
      opacity: l.getOpacity(),
      zIndex: l.getZIndex(),
      minZoom: l.getMinZoom(),
      maxZoom: l.getMaxZoom(),
      properties: { name: l.get('name') },
    };
    // The layer's own class: the parcels are printed by their own renderer too (parcelrender.js).
    if (l instanceof VectorTileLayer) out.push(new l.constructor({ ...common, style: l.getStyle(), declutter: l.getDeclutter(), renderMode: 'hybrid' }));
    else if (l instanceof VectorLayer) out.push(new VectorLayer({ ...common, style: l.getStyle(), declutter: l.getDeclutter() }));
    else if (l instanceof TileLayer) out.push(new TileLayer(common));
  }
  return out;
}

/**
 * Renders the map into a canvas of widthMm × heightMm at DPI. scale: the n of 1:n, or 0 for
 * the extent now on screen (then the scale is what fits). Resolves {canvas, scale}.
 */
export async function renderMap(map, { widthMm, heightMm, scale, timeoutMs = 60000 }) {
  const view = map.getView();
  const cssSize = [Math.round((widthMm / MM_PER_INCH) * CSS_DPI), Math.round((heightMm / MM_PER_INCH) * CSS_DPI)];
  const screenExtent = view.calculateExtent(map.getSize());
  const center = getCenter(screenExtent);
  const perUnit = groundPerUnit(view, center);
  let resolution; // map units per CSS pixel
  if (scale > 0) {
    resolution = (scale * MM_PER_INCH) / 1000 / CSS_DPI / perUnit;
  } else {
    resolution = Math.max(getWidth(screenExtent) / cssSize[0], getHeight(screenExtent) / cssSize[1]);
    scale = Math.round((resolution * perUnit * CSS_DPI * 1000) / MM_PER_INCH);
  }
  const target = el('div', { 'aria-hidden': 'true', style: `position:fixed;left:-30000px;top:0;width:${cssSize[0]}px;height:${cssSize[1]}px` });
  document.body.append(target);
  const printMap = new Map({
    target,
    pixelRatio: DPI / CSS_DPI,
    controls: [],
    interactions: [],
    layers: cloneLayers(map),
    view: new View({ projection: view.getProjection(), center, resolution }),
  });
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(t('print.timeout'))), timeoutMs);
      printMap.once('rendercomplete', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const size = printMap.getSize();
    const ratio = DPI / CSS_DPI;
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(size[0] * ratio);
    canvas.height = Math.round(size[1] * ratio);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    // The layers' canvases, in DOM (drawing) order, with their opacity and transform.
    for (const c of target.querySelectorAll('.ol-layer canvas, canvas.ol-layer')) {
      if (!c.width) continue;
      const opacity = c.parentNode.style.opacity || c.style.opacity;
      ctx.globalAlpha = opacity === '' ? 1 : Number(opacity);
      // The transform maps the layer canvas onto CSS pixels; ours are CSS pixels × ratio.
      const m = c.style.transform.match(/^matrix\(([^)]*)\)$/);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      if (m) {
        ctx.scale(ratio, ratio);
        ctx.transform(...m[1].split(',').map(Number));
      }
      ctx.drawImage(c, 0, 0);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    return { canvas, scale };
  } finally {
    printMap.setTarget(null);
    printMap.dispose();
    target.remove();
  }
}

/** The on-screen legend (it lists the visible layers only) as [{heading} | {label, swatch}]. */
export function legendEntries(legendEl) {
  const out = [];
  for (const node of legendEl.querySelectorAll('h3, .legend-row')) {
    if (node.tagName === 'H3') {
      out.push({ heading: node.textContent });
      continue;
    }
    const button = node.matches('button') ? node : node.querySelector('button');
    if (button && button.getAttribute('aria-pressed') === 'false') continue; // a hidden status is not on the map
    const sw = node.querySelector('.swatch');
    if (!sw) continue;
    const cs = getComputedStyle(sw);
    out.push({
      label: node.textContent.trim(),
      line: sw.classList.contains('swatch-line'),
      style: sw.getAttribute('style') || '',
      stroke: cs.borderTopColor,
      strokeWidth: parseFloat(cs.borderTopWidth) || 1,
      dash: cs.borderTopStyle === 'dashed' ? [4, 3] : cs.borderTopStyle === 'dotted' ? [1.5, 2] : [],
      fill: cs.backgroundColor,
    });
  }
  return out;
}

function scaleBarSpec(scale, maxMm) {
  const metres = niceLength((maxMm * scale) / 1000);
  const mm = (metres * 1000) / scale;
  const label = metres >= 1000 ? `${fmt(metres / 1000, metres % 1000 ? 1 : 0)} km` : `${fmt(metres, 0)} m`;
  return { metres, mm, label };
}

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The lines under the legend: scale, coordinate system, unit, date. */
function notes(opts, scale) {
  return [
    `${t('print.scale')} 1:${fmt(scale, 0)}`,
    t('print.crs'),
    opts.unit ? `${t('print.unit')}${opts.unit}` : '',
    `${t('print.date')}${today()}`,
  ].filter(Boolean);
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  n.append(...children);
  return n;
}

function northArrowSvg() {
  return svg('svg', { viewBox: '0 0 20 30', class: 'ps-north', 'data-testid': 'print-north', role: 'img', 'aria-label': t('print.north') },
    svg('path', { d: 'M10 8 L16 26 L10 21 Z', fill: '#111' }),
    svg('path', { d: 'M10 8 L4 26 L10 21 Z', fill: '#fff', stroke: '#111', 'stroke-width': '0.8' }),
    svg('text', { x: '10', y: '6.5', 'text-anchor': 'middle', 'font-size': '7', 'font-weight': '700', fill: '#111' }, 'N'));
}

function scaleBarSvg(bar) {
  const segs = 4;
  const w = bar.mm;
  const children = [];
  for (let i = 0; i < segs; i++) {
    children.push(svg('rect', { x: String((i * w) / segs), y: '4', width: String(w / segs), height: '1.6', fill: i % 2 ? '#fff' : '#111', stroke: '#111', 'stroke-width': '0.2' }));
  }
  children.push(
    svg('text', { x: '0', y: '3', 'font-size': '2.6', fill: '#111' }, '0'),
    svg('text', { x: String(w), y: '3', 'font-size': '2.6', 'text-anchor': 'end', fill: '#111' }, bar.label),
  );
  return svg('svg', { viewBox: `-1 0 ${w + 2} 6.4`, style: `width:${w + 2}mm;height:6.4mm`, class: 'ps-scalebar', 'data-testid': 'print-scalebar' }, ...children);
}

/** The HTML sheet printed to PDF; every box placed in millimetres. */
export function buildSheet(opts, layout, mapCanvas, scale, legend) {
  const box = (b) => `left:${b.x}mm;top:${b.y}mm;width:${b.w}mm;height:${b.h}mm`;
  const bar = scaleBarSpec(scale, layout.side.w - 12);
  const legendList = el('ul', { class: 'ps-legend', 'data-testid': 'print-legend' },
    ...legend.map((e) => (e.heading
      ? el('li', { class: 'ps-legend-heading' }, e.heading)
      : el('li', {}, el('span', { class: `swatch${e.line ? ' swatch-line' : ''}`, style: e.style }), el('span', {}, e.label)))));
  return el('div', { id: 'print-sheet', class: 'print-sheet', 'data-testid': 'print-sheet', lang: lang() === 'zh' ? 'zh-CN' : 'en', style: `width:${layout.w}mm;height:${layout.h}mm` },
    el('h1', { class: 'ps-title', style: `left:${layout.m}mm;top:${layout.m}mm;width:${layout.w - 2 * layout.m}mm;height:${layout.titleH}mm;font-size:${layout.titleSize}mm` }, opts.title),
    el('img', { class: 'ps-map', alt: opts.title, src: mapCanvas.toDataURL('image/png'), style: box(layout.map) }),
    el('div', { class: 'ps-side', style: box(layout.side) },
      el('div', { class: 'ps-north-row' }, northArrowSvg()),
      el('h2', {}, t('panel.legend')),
      legendList,
      el('div', { class: 'ps-notes' },
        el('div', { class: 'ps-scale-text', 'data-testid': 'print-scale' }, `${t('print.scale')} 1:${fmt(scale, 0)}`),
        scaleBarSvg(bar),
        ...notes(opts, scale).slice(1).map((line) => el('div', {}, line)))),
    el('p', { class: 'ps-caption', style: box(layout.caption) }, opts.caption || ''));
}

/** The sheet drawn on a canvas at DPI (the PNG). */
export function drawSheet(opts, layout, mapCanvas, scale, legend) {
  const px = (mm) => (mm * DPI) / MM_PER_INCH;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(px(layout.w));
  canvas.height = Math.round(px(layout.h));
  const ctx = canvas.getContext('2d');
  const font = (mm, weight = 400) => `${weight} ${px(mm)}px ${FONT_STACK}`;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#111';
  ctx.textBaseline = 'middle';
  ctx.font = font(layout.titleSize, 700);
  ctx.textAlign = 'center';
  ctx.fillText(opts.title, px(layout.w / 2), px(layout.m + layout.titleH / 2), px(layout.w - 2 * layout.m));
  ctx.textAlign = 'left';

  const { map, side, caption } = layout;
  ctx.drawImage(mapCanvas, px(map.x), px(map.y), px(map.w), px(map.h));
  ctx.lineWidth = px(0.3);
  ctx.strokeStyle = '#111';
  ctx.strokeRect(px(map.x), px(map.y), px(map.w), px(map.h));

  // north arrow
  const nx = side.x + side.w / 2;
  const ny = side.y + 2;
  const mm = (x, y) => [px(nx + (x - 10) * 0.45), px(ny + y * 0.45)];
  ctx.beginPath();
  ctx.moveTo(...mm(10, 8)); ctx.lineTo(...mm(16, 26)); ctx.lineTo(...mm(10, 21)); ctx.closePath();
  ctx.fill();
  ctx.beginPath();
  ctx.moveTo(...mm(10, 8)); ctx.lineTo(...mm(4, 26)); ctx.lineTo(...mm(10, 21)); ctx.closePath();
  ctx.lineWidth = px(0.3);
  ctx.stroke();
  ctx.font = font(3.2, 700);
  ctx.textAlign = 'center';
  ctx.fillText('N', ...mm(10, 3));
  ctx.textAlign = 'left';

  // legend
  let y = side.y + 18;
  ctx.font = font(3.6, 700);
  ctx.fillText(t('panel.legend'), px(side.x), px(y));
  y += 6;
  const bottom = side.y + side.h - 30;
  for (const e of legend) {
    if (y > bottom) break;
    if (e.heading) {
      ctx.font = font(2.8, 700);
      ctx.fillText(e.heading, px(side.x), px(y), px(side.w));
      y += 4.6;
      continue;
    }
    ctx.save();
    ctx.setLineDash(e.dash.map(px));
    ctx.strokeStyle = e.stroke;
    ctx.lineWidth = px(Math.max(0.2, e.strokeWidth * 0.26));
    if (e.line) {
      ctx.beginPath();
      ctx.moveTo(px(side.x), px(y));
      ctx.lineTo(px(side.x + 6), px(y));
      ctx.stroke();
    } else {
      ctx.fillStyle = e.fill;
      ctx.fillRect(px(side.x), px(y - 1.6), px(6), px(3.2));
      if (e.strokeWidth > 0) ctx.strokeRect(px(side.x), px(y - 1.6), px(6), px(3.2));
    }
    ctx.restore();
    ctx.font = font(2.6);
    ctx.fillText(e.label, px(side.x + 8), px(y), px(side.w - 8));
    y += 4.2;
  }

  // notes and scale bar at the foot of the side column
  const lines = notes(opts, scale);
  let ny2 = side.y + side.h - 26;
  ctx.font = font(2.8, 700);
  ctx.fillText(lines[0], px(side.x), px(ny2));
  const bar = scaleBarSpec(scale, side.w - 12);
  ny2 += 3.5;
  for (let i = 0; i < 4; i++) {
    ctx.fillStyle = i % 2 ? '#fff' : '#111';
    ctx.fillRect(px(side.x + (i * bar.mm) / 4), px(ny2 + 2), px(bar.mm / 4), px(1.6));
    ctx.strokeRect(px(side.x + (i * bar.mm) / 4), px(ny2 + 2), px(bar.mm / 4), px(1.6));
  }
  ctx.fillStyle = '#111';
  ctx.font = font(2.4);
  ctx.fillText('0', px(side.x), px(ny2));
  ctx.textAlign = 'right';
  ctx.fillText(bar.label, px(side.x + bar.mm), px(ny2));
  ctx.textAlign = 'left';
  ny2 += 7;
  ctx.font = font(2.6);
  for (const line of lines.slice(1)) {
    ctx.fillText(line, px(side.x), px(ny2), px(side.w));
    ny2 += 4;
  }
  ctx.font = font(3);
  ctx.fillText(opts.caption || '', px(caption.x), px(caption.y + caption.h / 2), px(caption.w));
  return canvas;
}

// ---- PNG with its resolution: a pHYs chunk (pixels per metre) after IHDR ----
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The PNG bytes with a pHYs chunk saying dpi. */
export function withDpi(png, dpi) {
  const ppm = Math.round(dpi / 0.0254);
  const chunk = new Uint8Array(21);
  const dv = new DataView(chunk.buffer);
  dv.setUint32(0, 9);
  chunk.set([0x70, 0x48, 0x59, 0x73], 4); // "pHYs"
  dv.setUint32(8, ppm);
  dv.setUint32(12, ppm);
  chunk[16] = 1; // unit: metre
  dv.setUint32(17, crc32(chunk.subarray(4, 17)));
  const at = 8 + 25; // signature, then IHDR (length 4 + type 4 + data 13 + crc 4)
  const out = new Uint8Array(png.length + chunk.length);
  out.set(png.subarray(0, at));
  out.set(chunk, at);
  out.set(png.subarray(at), at + chunk.length);
  return out;
}

/**
 * The print dialog and its two outputs. app: map, errors. Returns {open(), compose(opts),
 * clear()}; compose builds the sheet (and its @page size) and leaves it for window.print().
 */
export function createPrint(app, dialogEl) {
  const defaults = () => ({ paper: 'A4', orientation: 'landscape', scale: 0, title: t('print.defaultTitle'), unit: t('print.defaultUnit'), caption: '' });

  function field(key, control) {
    return el('label', { class: 'field' }, el('span', {}, t(key)), control);
  }

  function render() {
    const d = defaults();
    const form = el('form', { method: 'dialog', class: 'print-form' },
      el('h2', { id: 'print-dialog-title' }, t('print.heading')),
      el('div', { class: 'field-row' },
        field('print.paper', el('select', { name: 'paper', 'data-testid': 'print-paper' }, ...Object.keys(PAPERS).map((p) => el('option', { value: p }, p)))),
        field('print.orientation', el('select', { name: 'orientation', 'data-testid': 'print-orientation' },
          el('option', { value: 'landscape' }, t('print.landscape')), el('option', { value: 'portrait' }, t('print.portrait'))))),
      field('print.scaleChoice', el('select', { name: 'scale', 'data-testid': 'print-scale-choice' },
        el('option', { value: '0' }, t('print.extent')),
        ...SCALES.map((s) => el('option', { value: String(s) }, `1:${fmt(s, 0)}`)))),
      field('print.title', el('input', { name: 'title', 'data-testid': 'print-title', value: d.title, required: true, maxlength: '80' })),
      field('print.unitLabel', el('input', { name: 'unit', 'data-testid': 'print-unit', value: d.unit, maxlength: '60' })),
      field('print.caption', el('textarea', { name: 'caption', 'data-testid': 'print-caption', rows: '2', maxlength: '200' })),
      el('p', { class: 'result-msg', 'data-testid': 'print-status', role: 'status' }),
      el('div', { class: 'btn-row end' },
        el('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'print-cancel', onclick: () => dialogEl.close() }, t('cancel')),
        el('button', { type: 'button', class: 'btn', 'data-testid': 'print-png', onclick: () => run('png') }, t('print.png')),
        el('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'print-pdf', onclick: () => run('pdf') }, t('print.pdf'))));
    dialogEl.replaceChildren(form);
    return form;
  }

  function read(form) {
    const f = new FormData(form);
    return {
      paper: f.get('paper'),
      orientation: f.get('orientation'),
      scale: Number(f.get('scale')) || 0,
      title: String(f.get('title') || '').trim() || t('print.defaultTitle'),
      unit: String(f.get('unit') || '').trim(),
      caption: String(f.get('caption') || '').trim(),
    };
  }

  let busy = false;
  async function run(kind) {
    if (busy) return;
    const form = dialogEl.querySelector('form');
    const status = dialogEl.querySelector('[data-testid=print-status]');
    const opts = read(form);
    busy = true;
    status.className = 'result-msg';
    status.textContent = t('print.working');
    for (const b of dialogEl.querySelectorAll('button')) b.disabled = true;
    try {
      const started = performance.now();
      const made = await compose(opts, { sheet: kind === 'pdf' });
      window.__landquota.lastPrintMs = Math.round(performance.now() - started);
      if (kind === 'png') {
        const canvas = drawSheet(opts, made.layout, made.mapCanvas, made.scale, made.legend);
        const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
        const bytes = withDpi(new Uint8Array(await blob.arrayBuffer()), DPI);
        saveFile(`landquota-map-${today()}.png`, 'image/png', bytes);
        dialogEl.close();
      } else {
        dialogEl.close();
        window.print();
      }
    } catch (err) {
      status.className = 'result-msg bad';
      status.textContent = `${t('print.failed')}: ${err.message}`;
      app.errors.report(t('print.failed'), err);
    } finally {
      busy = false;
      for (const b of dialogEl.querySelectorAll('button')) b.disabled = false;
    }
  }

  /** Renders the map and (sheet: true) puts the printable sheet into the page. */
  async function compose(opts, { sheet = true } = {}) {
    const layout = sheetLayout(opts.paper, opts.orientation);
    const { canvas: mapCanvas, scale } = await renderMap(app.map, { widthMm: layout.map.w, heightMm: layout.map.h, scale: opts.scale });
    const legend = legendEntries($('#legend-content'));
    if (sheet) {
      clear();
      document.body.append(buildSheet(opts, layout, mapCanvas, scale, legend));
      document.head.append(el('style', { id: 'print-page-size' }, `@page { size: ${layout.w}mm ${layout.h}mm; margin: 0; }`));
      document.body.classList.add('printing-map');
    }
    return { layout, mapCanvas, scale, legend };
  }

  function clear() {
    $('#print-sheet')?.remove();
    $('#print-page-size')?.remove();
    document.body.classList.remove('printing-map');
  }
  window.addEventListener('afterprint', clear);

  return {
    open() {
      const form = render();
      dialogEl.showModal();
      form.querySelector('select').focus();
    },
    compose,
    clear,
    render() {
      if (dialogEl.open) render();
    },
  };
}
