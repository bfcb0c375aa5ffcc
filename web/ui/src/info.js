// Parcel info panel: what the tile knows at once (code, class, area, status), then the
// details fetched from the server (intensity, dates, project and the quota it holds,
// derived flags 批而未供 / 闲置).
import { getJSON } from './api.js';
import { el } from './dom.js';
import { localClassName } from './classes.js';
import { createEventsView } from './events.js';
import { areaText, fmt, m2ToHm2, m2ToMu } from './format.js';
import { lang, pick, t } from './i18n.js';
import { landUseClassName } from './landuse.js';
import { statusName } from './statuses.js';
import { statusColor } from './styles.js';

/**
 * panelEl: #info-panel. ctx: lookups.district(code) / lookups.park(code) → properties or
 * null; data (projects, plans); year() the plan year; loadStock(id, geometry) → promise of
 * {flags, props} (stock.js) or null; actions(id, props) → extra buttons for the footer;
 * canRecord() → may record idle-land steps (admin); onEventRecorded() after one was stored.
 */
export function createInfoPanel(panelEl, ctx) {
  const body = panelEl.querySelector('#info-content');
  const footer = panelEl.querySelector('#info-actions');
  const closeBtn = panelEl.querySelector('#info-close');
  let current = null; // {id, props, details, project, account, flags, loading}
  let onClose = () => {};
  let seq = 0;
  const events = createEventsView(panelEl.querySelector('#info-events'), {
    canRecord: () => Boolean(ctx.canRecord && ctx.canRecord()),
    onRecorded: () => {
      if (ctx.onEventRecorded) ctx.onEventRecorded();
      // The history and the stock flags (suspected vs determined idle) read again.
      if (current) reload(current.id);
    },
  });

  function row(key, field, value, extraNode) {
    const dt = el('dt', {}, t(key));
    const dd = el('dd', { 'data-testid': `info-${field}`, dataset: { field } });
    if (extraNode) dd.append(extraNode);
    dd.append(value === '' || value === null || value === undefined ? t('info.none') : String(value));
    return [dt, dd];
  }

  function placeName(props, codeKey) {
    if (!props) return '';
    const name = pick(props, 'name');
    const code = props[codeKey];
    return name && code && name !== code ? `${name}（${code}）` : name || code || '';
  }

  function num(v, digits) {
    return v === null || v === undefined || v === '' ? '' : fmt(v, digits);
  }

  // What the imported file said beyond the modelled fields: name, owner, remarks, then each
  // other attribute under the file's own field name.
  function attributeRows(d) {
    const out = [];
    if (d.name) out.push(...row('info.name', 'name', d.name));
    if (d.owner) out.push(...row('info.owner', 'owner', d.owner));
    if (d.remarks) out.push(...row('info.remarks', 'remarks', d.remarks));
    const attrs = Object.entries(d.attributes || {});
    if (attrs.length > 0) {
      const list = el('dl', { class: 'info-attributes', 'data-testid': 'info-attributes' });
      for (const [k, v] of attrs) list.append(el('dt', {}, k), el('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v)));
      out.push(el('dt', {}, t('info.attributes')), el('dd', {}, list));
    }
    return out;
  }

  function flagChips(flags) {
    if (!flags || flags.length === 0) return el('span', { class: 'muted' }, t('info.noFlags'));
    return el('span', { class: 'chips' }, ...flags.map((f) => el('span', { class: `chip chip-${f.kind}`, 'data-testid': `flag-${f.kind}` }, f.label)));
  }

  /** 约定开工日期 of every parcel we know it for; the idle clock and the fee of idle land. */
  function stockRows(sp, details) {
    const out = [];
    const agreed = (sp && sp.agreed_start_on) || (details && details.agreed_start_on);
    if (agreed) out.push(...row('info.agreedStart', 'agreed-start', agreed));
    if (sp && sp.idle_from) out.push(...row('info.idleFrom', 'idle-from', sp.idle_from));
    if (sp && (sp.idle || sp.fee_due)) {
      const fee = sp.fee_wan === null || sp.fee_wan === undefined ? t('info.feeUnknown') : t('info.feeWan', { fee: fmt(sp.fee_wan, 2) });
      out.push(...row('info.idleFee', 'idle-fee', fee));
    }
    return out;
  }

  function render() {
    if (!current) return;
    const { id, details } = current;
    const p = { ...current.props, ...(details || {}) };
    const m2 = Number(p.area_m2);
    const hasArea = p.area_m2 !== null && p.area_m2 !== undefined && Number.isFinite(m2);
    // A class in the reader's language: its Chinese name as the API gives it, or the first-level
    // class's English name (the 2023 guide's names are Chinese).
    const className = (code, zh) => {
      if (localClassName(code)) return `${code} ${localClassName(code)}`;
      return (lang() === 'en' && landUseClassName(code) ? [code, landUseClassName(code)] : [code, zh]).filter(Boolean).join(' ');
    };
    const landUse = className(p.land_use, p.land_use_zh);
    const district = p.district ? placeName(ctx.lookups.district(p.district), 'adcode') || p.district : '';
    const park = p.park ? placeName(ctx.lookups.park(p.park), 'code') || p.park : '';
    const dot = el('span', { class: 'status-dot', style: `background:${statusColor(p.status)}` });
    const status = p.status ? statusName(p.status) : p.status_zh || '';
    const rows = [
      ...row('info.code', 'code', p.code ?? ''), // tiles carry no code: it comes with the details
      ...row('info.landUse', 'land-use', landUse),
      ...row('info.currentUse', 'current-use', className(p.current_use, p.current_use_zh)),
      ...row('info.areaM2', 'area-m2', hasArea ? fmt(m2, 2) : ''),
      ...row('info.areaMu', 'area-mu', hasArea ? fmt(m2ToMu(m2), 2) : ''),
      ...row('info.areaHm2', 'area-hm2', hasArea ? fmt(m2ToHm2(m2), 2) : ''),
      ...row('info.status', 'status', status, p.status ? dot : null),
    ];
    if (current.stock !== undefined) {
      const dt = el('dt', {}, t('info.flags'));
      const dd = el('dd', { 'data-testid': 'info-flags' }, current.stock === null ? t('info.flagsUnavailable') : flagChips(current.stock.flags));
      rows.push(dt, dd);
      rows.push(...stockRows(current.stock && current.stock.props, details));
    }
    rows.push(...row('info.park', 'park', park), ...row('info.district', 'district', district));
    if (details) {
      rows.push(
        ...row('info.constructionLand', 'construction-land', details.construction_land === true ? t('info.stockLand') : t('info.newLand')),
        ...row('info.constructionWhy', 'construction-why', details.construction_override_reason || ''),
        ...row('info.plotRatio', 'plot-ratio', num(details.plot_ratio, 2)),
        ...row('info.density', 'density', num(details.building_density, 2)),
        ...row('info.greenRatio', 'green-ratio', num(details.green_ratio, 2)),
        ...row('info.supplyMethod', 'supply-method', details.supply_method ? t(`supply.${details.supply_method}`) : ''),
        ...row('info.approvedOn', 'approved-on', details.approved_on || ''),
        ...row('info.suppliedOn', 'supplied-on', details.supplied_on || ''),
        ...row('info.handedOverOn', 'handed-over-on', details.handed_over_on || ''),
        ...row('info.compatibleUse', 'compatible-use', details.compatible_use
          ? `${details.compatible_use} · ${fmt(Number(details.compatible_share) * 100, 0)}%` : ''),
        ...row('info.lineException', 'line-exception', details.line_exception
          ? `${t(`exception.${details.line_exception}`)} · ${details.line_exception_document || ''}` : ''),
      );
    }
    rows.push(...row('info.underground', 'underground', p.underground === true ? t('yes') : t('no')));
    if (details) rows.push(...attributeRows(details));
    const proj = current.project;
    if (proj === undefined) {
      rows.push(...row('info.project', 'project', t('loading')));
    } else if (proj === null) {
      rows.push(...row('info.project', 'project', t('info.noProject')));
    } else {
      rows.push(...row('info.project', 'project', `${proj.code} · ${proj.name}`));
      rows.push(...row('info.projectNeed', 'project-need', areaText(proj.need?.new_m2 ?? 0, lang())));
      const held = current.account ? current.account.held_m2 : 0;
      rows.push(...row('info.quotaHeld', 'quota-held', current.accountError ? current.accountError : areaText(held, lang())));
    }
    body.replaceChildren(...rows);
    const sp = current.stock && current.stock.props;
    events.show(id, current.events ?? null, Boolean(sp && (sp.idle || sp.idle_exempt)), current.events === false);
    panelEl.dataset.parcelId = String(id ?? '');
    footer.replaceChildren(...(ctx.actions ? ctx.actions(id, p) : []));
    footer.hidden = footer.childElementCount === 0;
  }

  async function load(id, mine) {
    const details = getJSON(`/ogc/collections/parcels/items/${encodeURIComponent(id)}`).then((f) => {
      if (mine !== seq) return null;
      current.details = f.properties || {};
      current.geometry = f.geometry;
      if (ctx.onDetails) ctx.onDetails(f);
      return f;
    });
    const tasks = [
      details,
      getJSON(`/api/parcels/${encodeURIComponent(id)}/events`).then((r) => {
        if (mine === seq) current.events = r.events || [];
      }, (err) => {
        if (mine === seq) current.events = false;
        throw err;
      }),
      ctx.data.projectOfParcel(id).then(async (project) => {
        if (mine !== seq) return;
        current.project = project || null;
        if (project) {
          try {
            current.account = await ctx.data.projectAccount(ctx.year(), project.id);
          } catch (err) {
            current.accountError = err.status === 404 ? t('info.noPlan', { year: ctx.year() }) : err.message;
          }
        }
      }),
    ];
    if (ctx.loadStock) {
      tasks.push(
        details.catch(() => null).then((f) => (f ? ctx.loadStock(id, f.geometry) : undefined)).then((stock) => {
          if (mine !== seq) return;
          current.stock = stock;
        }),
      );
    }
    const results = await Promise.allSettled(tasks);
    if (mine !== seq) return;
    render();
    for (const r of results) if (r.status === 'rejected') ctx.onError(r.reason);
  }

  function close() {
    if (!current) return;
    current = null;
    seq++;
    events.clear();
    panelEl.hidden = true;
    delete panelEl.dataset.parcelId;
    delete panelEl.dataset.loaded;
    onClose();
  }

  closeBtn.addEventListener('click', close);

  /** Reads the parcel again, keeping what is on screen until the answers arrive. */
  async function reload(id) {
    const mine = ++seq;
    delete panelEl.dataset.loaded;
    await load(id, mine);
    if (mine === seq) panelEl.dataset.loaded = 'true';
  }

  return {
    /** Shows a parcel by id with the properties known so far (e.g. from its vector tile). */
    async show(id, props = {}) {
      const mine = ++seq;
      current = { id, props, details: null, project: undefined, account: undefined, stock: undefined };
      delete panelEl.dataset.loaded;
      render();
      panelEl.hidden = false;
      await load(id, mine);
      if (mine === seq) panelEl.dataset.loaded = 'true';
    },
    close,
    render,
    get id() {
      return current ? current.id : null;
    },
    set onClose(fn) {
      onClose = fn;
    },
  };
}
