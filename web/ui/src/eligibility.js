// Eligibility: draw a shape (or name a parcel) and see the protected-line verdict
// (三区三线), the overlaps drawn on the map, and whether it would consume new quota.
import { postJSON } from './api.js';
import { el } from './dom.js';
import { areaText, fmt } from './format.js';
import { lang, t } from './i18n.js';
import { readFeatures } from './layers.js';

/** Text of an area figure {area_m2, area_mu, area_hm2} with m² as well. */
function areaFull(a) {
  const m2 = a ? Number(a.area_m2) || 0 : 0;
  return el('span', {}, areaText(m2, lang()),
    m2 > 0 ? el('span', { class: 'muted small block' }, `${fmt(m2, 2)} m²`) : null);
}

export function createEligibilityPanel(root, app) {
  let result = null;
  let lastRequest = null;
  let busy = false;
  const overlaps = app.overlays.overlaps.getSource();
  const codeInput = el('input', { type: 'text', 'data-testid': 'elig-code' });

  async function check(body) {
    if (busy) return;
    busy = true;
    root.dataset.state = 'checking';
    render();
    try {
      lastRequest = body;
      result = await postJSON('/api/eligibility', body);
      overlaps.clear();
      if (result.overlaps && Array.isArray(result.overlaps.features)) overlaps.addFeatures(readFeatures(result.overlaps.features));
      root.dataset.state = 'done';
      // A parcel checked by id or code: show it, with its details, on the map.
      if (result.subject && result.subject.kind === 'parcel' && result.subject.parcel_id) {
        app.showParcel(result.subject.parcel_id, {}, { zoom: true });
      }
    } catch (err) {
      result = null;
      root.dataset.state = 'failed';
      app.errors.report(t('elig.failed'), err);
    } finally {
      busy = false;
      render();
    }
  }

  async function drawShape() {
    try {
      const f = await app.draw.draw('polygon');
      await check({ geometry: app.toGeoJSONGeometry(f.getGeometry()) });
    } catch {
      // cancelled
    }
  }

  function clear() {
    result = null;
    overlaps.clear();
    app.draw.clear();
    delete root.dataset.state;
    render();
  }

  function row(key, value, cls = '', testid = undefined) {
    return [el('dt', {}, t(key)), el('dd', { class: cls, 'data-testid': testid }, value)];
  }

  function resultView() {
    if (!result) return el('p', { class: 'muted' }, busy ? t('loading') : t('elig.none'));
    const r = result;
    const nq = r.new_quota || {};
    const tol = r.tolerance_m2 || 0;
    // The server judges each overlap by the policy (area and sliver width).
    const bad = (kind) => (r.conflicts?.[kind] ? 'warn-text' : 'ok-text');
    const verdict = lang() === 'en' ? r.verdict?.en : r.verdict?.zh;
    const kinds = (r.overlaps?.features || []).map((f) => f.properties || {});
    return el('div', {},
      el('div', { class: `verdict ${r.eligible ? 'ok' : 'bad'}`, 'data-testid': 'elig-verdict', dataset: { eligible: String(r.eligible) } },
        el('div', { class: 'verdict-title' }, r.eligible ? t('elig.yes') : t('elig.no')),
        el('div', { class: 'verdict-text' }, verdict || '')),
      el('dl', { class: 'kv' },
        ...row('elig.subject', r.subject?.kind === 'parcel' ? `${t('elig.parcel')} ${r.subject.parcel_code || r.subject.parcel_id}` : t('elig.drawn')),
        ...row('elig.area', areaFull(r.subject)),
        ...row('elig.inside', r.inside_boundary ? t('yes') : t('no'), r.inside_boundary ? 'ok-text' : 'warn-text'),
        ...row('elig.outsideBoundary', areaFull(r.outside_boundary), bad('outside_boundary'), 'elig-outside'),
        ...row('zone.permanent_basic_farmland', areaFull(r.farmland_overlap), bad('farmland'), 'elig-farmland'),
        ...row('zone.ecological_red_line', areaFull(r.red_line_overlap), bad('red_line'), 'elig-redline'),
        ...row('elig.consumes', nq.consumes ? t('elig.consumesYes') : t('elig.consumesNo'), nq.consumes ? 'warn-text' : 'ok-text', 'elig-consumes'),
        ...row('elig.new', areaFull(nq.new)),
        ...row('elig.stock', areaFull(nq.stock)),
        nq.unknown && nq.unknown.area_m2 > 0 ? row('elig.unknown', areaFull(nq.unknown)) : null),
      kinds.length
        ? el('div', {}, el('h3', {}, t('elig.overlapsTitle')),
          el('ul', { class: 'legend-list', 'data-testid': 'elig-overlaps' }, ...kinds.map((k) => el('li', { class: 'legend-row' },
            el('span', { class: `swatch overlap-${k.kind}`, 'aria-hidden': 'true' }),
            el('span', {}, `${t(`overlap.${k.kind}`)}${k.zone_name ? `（${k.zone_name}）` : ''}：${areaText(k.area_m2, lang())}`)))))
        : null,
      el('p', { class: 'hint' }, t('elig.tolerance', { tol, width: r.sliver_width_m ?? 0 })));
  }

  function render() {
    codeInput.placeholder = t('elig.codePlaceholder');
    root.replaceChildren(
      el('section', { class: 'panel-section' },
        el('h2', {}, t('elig.title')),
        el('p', { class: 'hint' }, t('elig.intro')),
        el('div', { class: 'btn-row' },
          el('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'elig-draw', disabled: busy, onclick: drawShape }, t('elig.draw')),
          el('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'elig-clear', onclick: clear }, t('elig.clear'))),
        el('div', { class: 'form-grid' },
          el('label', { class: 'field span-all' }, el('span', {}, t('elig.byCode')),
            el('div', { class: 'input-unit' }, codeInput,
              el('button', { type: 'button', class: 'btn', 'data-testid': 'elig-code-submit', disabled: busy,
                onclick: () => codeInput.value.trim() && check({ parcel_code: codeInput.value.trim() }) }, t('elig.check')))))),
      el('section', { class: 'panel-section' }, el('h2', {}, t('elig.result')), resultView()),
    );
  }

  render();
  return {
    render,
    /** Checks a stored parcel (from the parcel panel). */
    checkParcel: (id) => check({ parcel_id: Number(id) }),
    get lastRequest() {
      return lastRequest;
    },
    get result() {
      return result;
    },
  };
}
