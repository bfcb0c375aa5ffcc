// Allocate on the map: select parcels (click, box, polygon), attach them to a new or an
// existing project, see what quota they need (new construction land vs stock that needs
// none, protected-line conflicts), then grant quota from the account above the project
// with a reason, or release it. A short balance is refused by the server with the missing
// amount, which is shown in words. Every grant or release is confirmed first with the accounts'
// balances before and after; a parcel's status (e.g. approval for conversion, which books the
// consumption) is changed here too, and a refusal for lack of quota names the shortfall.
import { getAllFeatures, getJSON, layerURL, postJSON, putJSON } from './api.js';
import { accountLabel, confirmMove, hmMu } from './confirm.js';
import { $, el, newKey, option } from './dom.js';
import { areaText, fmt, fromM2, m2ToMu, toM2 } from './format.js';
import { bboxOf, geometriesIntersect } from './geom.js';
import { lang, pick, t } from './i18n.js';
import { readFeatures } from './layers.js';
import { getStatuses, statusName } from './statuses.js';

export const CATEGORIES = ['major_industrial', 'important_manufacturing', 'livelihood_infrastructure', 'affordable_housing', 'general'];
const MAX_SELECT = 2000;

/** Client-side preview of a selection's need from parcel properties (the server's Need is authoritative). */
export function previewNeed(parcels) {
  const n = { total: 0, stock: 0, underground: 0, fresh: 0 };
  for (const p of parcels) {
    const a = Number(p.props.area_m2) || 0;
    n.total += a;
    if (p.props.construction_land === true) n.stock += a;
    else if (p.props.underground === true) n.underground += a;
    else n.fresh += a;
  }
  return n;
}

export function createAllocatePanel(root, app) {
  const selection = new Map(); // id → {id, props, geometry}
  let tool = 'click';
  let project = null; // the project being worked on
  let attachMode = 'new';
  let busy = false;
  let accountNames = new Map(); // account code → name, for messages
  let moveAccounts = { account: null, source: null }; // the project's account and the one above, as last read

  const selLayer = app.overlays.selection;

  // ---------------------------------------------------------------- DOM
  const toolButtons = ['click', 'box', 'polygon'].map((k) =>
    el('button', { type: 'button', class: 'seg', 'data-testid': `select-${k}`, dataset: { tool: k }, onclick: () => setTool(k) }, ''));
  const clearBtn = el('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'select-clear', onclick: () => clearSelection() }, '');
  const selSummary = el('div', { class: 'summary', 'data-testid': 'selection-summary' });
  const selList = el('ul', { class: 'result-list compact', 'data-testid': 'selection-list' });
  const needBox = el('div', { class: 'need-box', 'data-testid': 'selection-need' });

  // attach
  const attachNewRadio = el('input', { type: 'radio', name: 'attach-mode', value: 'new', checked: true, 'data-testid': 'attach-new' });
  const attachExistingRadio = el('input', { type: 'radio', name: 'attach-mode', value: 'existing', 'data-testid': 'attach-existing' });
  const newCode = el('input', { type: 'text', 'data-testid': 'project-code', maxlength: '64' });
  const newName = el('input', { type: 'text', 'data-testid': 'project-name' });
  const newCategory = el('select', { 'data-testid': 'project-category' });
  const newInvestment = el('input', { type: 'number', min: '0', step: '1', value: '10000', 'data-testid': 'project-investment' });
  const newTax = el('input', { type: 'number', min: '0', step: '0.1', value: '50', 'data-testid': 'project-tax' });
  const newReadiness = el('input', { type: 'number', min: '0', max: '1', step: '0.05', value: '0.6', 'data-testid': 'project-readiness' });
  const existingSelect = el('select', { 'data-testid': 'project-existing' });
  const attachBtn = el('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'attach-submit', onclick: () => attach() }, '');
  const detachBtn = el('button', { type: 'button', class: 'btn', 'data-testid': 'detach-submit', onclick: () => detach() }, '');
  const newFields = el('div', { class: 'form-grid' });
  const existingFields = el('div', { class: 'form-grid', hidden: true });

  // project picker (work on an existing project without selecting parcels)
  const pickSelect = el('select', { 'data-testid': 'project-pick', onchange: () => pickProject(pickSelect.value) });

  // project card + grant
  const projectCard = el('div', { class: 'project-card', 'data-testid': 'project-card', hidden: true });
  const grantAmount = el('input', { type: 'number', min: '0', step: '0.01', 'data-testid': 'grant-amount' });
  const grantUnit = el('select', { 'data-testid': 'grant-unit' });
  const grantReason = el('input', { type: 'text', 'data-testid': 'grant-reason' });
  const overrideReason = el('input', { type: 'text', 'data-testid': 'grant-override' });
  const grantBtn = el('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'grant-submit', onclick: () => grant('grant') }, '');
  const releaseBtn = el('button', { type: 'button', class: 'btn', 'data-testid': 'release-submit', onclick: () => grant('release') }, '');
  const grantResult = el('div', { class: 'result-msg', 'data-testid': 'grant-result', hidden: true });
  const grantBox = el('div', { class: 'grant-box', hidden: true, dataset: { minRole: 'allocator' } });

  const attachSection = el('section', { class: 'panel-section', dataset: { minRole: 'allocator' } });
  // parcel status (approval for conversion books the consumption)
  const statusSection = el('section', { class: 'panel-section', dataset: { minRole: 'allocator' }, 'data-testid': 'parcel-status', hidden: true });
  let statusParcel = null; // {id, props, project, account}
  const roleNote = el('p', { class: 'note', 'data-testid': 'allocate-role-note' });

  function build() {
    root.replaceChildren(
      el('section', { class: 'panel-section' },
        el('h2', {}, t('alloc.select')),
        el('div', { class: 'seg-group' }, ...toolButtons),
        el('p', { class: 'hint', 'data-testid': 'select-hint' }, t(`alloc.hint.${tool}`)),
        el('div', { class: 'row-between' }, selSummary, clearBtn),
        selList,
        needBox),
      attachSection,
      el('section', { class: 'panel-section' },
        el('h2', {}, t('alloc.project')),
        el('label', { class: 'field' }, el('span', {}, t('alloc.pickProject')), pickSelect),
        projectCard,
        grantBox,
        roleNote),
      statusSection,
    );
    for (const b of toolButtons) {
      b.textContent = t(`alloc.tool.${b.dataset.tool}`);
      b.classList.toggle('active', b.dataset.tool === tool);
    }
    clearBtn.textContent = t('alloc.clear');
    newCategory.replaceChildren(...CATEGORIES.map((c) => option(c, t(`category.${c}`))));
    if (!newCode.value) newCode.value = `UI-${new Date().getFullYear()}-${String(Date.now()).slice(-6)}`;
    newName.placeholder = t('alloc.namePlaceholder');
    newFields.replaceChildren(
      field('alloc.code', newCode), field('alloc.name', newName), field('alloc.category', newCategory),
      field('alloc.investment', newInvestment), field('alloc.tax', newTax), field('alloc.readiness', newReadiness));
    existingFields.replaceChildren(field('alloc.existing', existingSelect));
    attachBtn.textContent = t('alloc.attach');
    detachBtn.textContent = t('alloc.detach');
    attachHint.textContent = t('alloc.attachHint');
    attachBody.replaceChildren(
      el('div', { class: 'radio-row' },
        el('label', {}, attachNewRadio, ' ', t('alloc.newProject')),
        el('label', {}, attachExistingRadio, ' ', t('alloc.existingProject'))),
      newFields, existingFields,
      el('div', { class: 'btn-row' }, attachBtn, detachBtn));
    attachSection.replaceChildren(el('h2', {}, t('alloc.attachTitle')), attachHint, attachBody);
    grantUnit.replaceChildren(option('hm2', t('unit.hm2')), option('mu', t('unit.mu')), option('m2', t('unit.m2')));
    grantReason.placeholder = t('alloc.reasonPlaceholder');
    grantBtn.textContent = t('alloc.grant');
    releaseBtn.textContent = t('alloc.release');
    grantBox.replaceChildren(
      el('h3', {}, t('alloc.grantTitle')),
      el('div', { class: 'form-grid' },
        el('label', { class: 'field' }, el('span', {}, t('alloc.amount')), el('div', { class: 'input-unit' }, grantAmount, grantUnit)),
        field('alloc.reason', grantReason),
        el('label', { class: 'field', dataset: { minRole: 'admin' } }, el('span', {}, t('alloc.override')), overrideReason)),
      el('p', { class: 'hint' }, t('alloc.amountHint')),
      el('div', { class: 'btn-row' }, grantBtn, releaseBtn),
      grantResult);
    roleNote.textContent = t('alloc.roleNote');
    roleNote.hidden = app.auth.can('allocator');
    app.auth.applyRoleVisibility(root);
    updateAttachMode();
    renderSelection();
    renderProjectCard();
    fillProjectSelects();
    renderStatus();
  }

  // ---------------------------------------------------------------- parcel status
  const STATUS_ORDER = ['reserve', 'filed', 'approved', 'expropriated', 'supplied', 'under_construction', 'completed', 'in_production', 'low_efficiency', 'redevelopment'];
  const approvedOrLater = (s) => STATUS_ORDER.indexOf(s) >= STATUS_ORDER.indexOf('approved');

  /** Shows a parcel's status form (from the parcel panel). */
  let statusSeq = 0; // only the parcel asked for last is shown
  async function parcelStatus(id) {
    const mine = ++statusSeq;
    try {
      const f = await getJSON(`/ogc/collections/parcels/items/${encodeURIComponent(id)}`);
      const proj = await app.data.projectOfParcel(id);
      let account = null;
      if (proj) account = await app.data.projectAccount(app.year(), proj.id).catch(() => null);
      if (mine !== statusSeq) return;
      const props = f.properties || {};
      const next = STATUS_ORDER[STATUS_ORDER.indexOf(props.status) + 1] || props.status;
      // The form's values live here so that a refusal (which re-renders) keeps what was typed.
      const draft = { status: next, approvedOn: new Date().toISOString().slice(0, 10), suppliedOn: '', reason: '' };
      statusParcel = { id: Number(id), props, project: proj || null, account, draft };
      statusResult = null;
      renderStatus();
      statusSection.scrollIntoView({ block: 'nearest' });
    } catch (err) {
      app.errors.report(t('alloc.selectFailed'), err);
    }
  }

  let statusResult = null; // {ok, text}
  function renderStatus() {
    const sp = statusParcel;
    statusSection.hidden = !sp || !app.auth.can('allocator');
    if (!sp) return;
    const p = sp.props;
    const d = sp.draft;
    const keep = (key) => (e) => { d[key] = e.target.value; };
    const sel = el('select', { id: 'pstatus-status', 'data-testid': 'pstatus-status', onchange: keep('status') },
      ...getStatuses().map((s) => option(s.code, statusName(s.code), s.code === d.status)));
    const approvedOn = el('input', { type: 'date', id: 'pstatus-approved', 'data-testid': 'pstatus-approved-on', value: d.approvedOn, oninput: keep('approvedOn') });
    const suppliedOn = el('input', { type: 'date', id: 'pstatus-supplied', 'data-testid': 'pstatus-supplied-on', value: d.suppliedOn, oninput: keep('suppliedOn') });
    const reason = el('input', { type: 'text', id: 'pstatus-reason', 'data-testid': 'pstatus-reason', placeholder: t('alloc.reasonPlaceholder'), value: d.reason, oninput: keep('reason') });
    const submit = el('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'pstatus-submit' }, t('pstatus.submit'));
    submit.addEventListener('click', () => changeStatus(sel.value, approvedOn.value, suppliedOn.value, reason.value.trim(), submit));
    const lbl = (id, key, input) => el('label', { class: 'field', for: id }, el('span', {}, t(key)), input);
    statusSection.replaceChildren(
      el('h2', {}, t('pstatus.title')),
      el('dl', { class: 'kv' },
        el('dt', {}, t('info.code')), el('dd', { 'data-testid': 'pstatus-code' }, p.code || String(sp.id)),
        el('dt', {}, t('info.status')), el('dd', { 'data-testid': 'pstatus-current' }, statusName(p.status)),
        el('dt', {}, t('info.project')), el('dd', {}, sp.project ? `${sp.project.code} · ${sp.project.name}` : t('info.noProject')),
        el('dt', {}, t('alloc.held')), el('dd', { 'data-testid': 'pstatus-held' }, sp.project ? hmMu(sp.account ? sp.account.held_m2 : 0) : t('info.none'))),
      el('div', { class: 'form-grid' },
        lbl('pstatus-status', 'pstatus.new', sel), lbl('pstatus-approved', 'info.approvedOn', approvedOn),
        lbl('pstatus-supplied', 'info.suppliedOn', suppliedOn), lbl('pstatus-reason', 'alloc.reason', reason)),
      el('p', { class: 'hint' }, t('pstatus.hint')),
      el('div', { class: 'btn-row' }, submit),
      el('div', { class: `result-msg ${statusResult ? (statusResult.ok ? 'ok' : 'bad') : ''}`, role: 'status', 'data-testid': 'pstatus-result', hidden: !statusResult }, statusResult?.text || ''));
  }

  async function changeStatus(status, approvedOn, suppliedOn, reason, submit) {
    const sp = statusParcel;
    if (!reason) {
      statusResult = { ok: false, text: t('alloc.needReason') };
      renderStatus();
      return;
    }
    // What the server will book: new quota for land that is not construction land, when the
    // parcel reaches approval (a reversal when it goes back). The entries it answers are shown after.
    const area = Number(sp.props.area_m2) || 0;
    const crosses = approvedOrLater(status) !== approvedOrLater(sp.props.status);
    const consume = sp.project && crosses && sp.props.construction_land !== true ? (approvedOrLater(status) ? area : -area) : 0;
    const a = sp.account;
    const held = a ? a.held_m2 : 0; // a project without an account in the plan holds nothing
    const ok = await confirmMove({
      title: t('pstatus.confirm'),
      text: t('pstatus.confirmText', { code: sp.props.code || sp.id, from: statusName(sp.props.status), to: statusName(status) }),
      moves: consume !== 0 ? [{ account: a ? accountLabel(a) : sp.project.code, amount_m2: Math.abs(consume), before_m2: held, after_m2: held - consume }] : [],
      rows: [[t(consume > 0 ? 'pstatus.consumes' : consume < 0 ? 'pstatus.restores' : 'pstatus.noConsume'), consume !== 0 ? hmMu(Math.abs(consume)) : t('info.none')]],
      focusCancel: approvedOrLater(status),
      okLabel: t('pstatus.submit'),
    });
    if (!ok) return;
    submit.disabled = true;
    const body = { status, reason };
    if (approvedOn) body.approved_on = approvedOn;
    if (suppliedOn) body.supplied_on = suppliedOn;
    try {
      const res = await postJSON(`/api/parcels/${sp.id}/status`, body);
      const booked = (res.entries || []).map((e) => `${t(`entry.${e.kind}`)} #${e.id} ${hmMu(e.amount_m2)}`).join('；');
      statusResult = { ok: true, text: t('pstatus.done', { status: statusName(res.parcel?.status || status), entries: booked || t('info.none') }) };
      app.data.refresh(['plans', 'projects']);
      app.restyleParcels();
      sp.props = { ...sp.props, status: res.parcel?.status || status };
      app.showParcel(sp.id); // the parcel panel shows the new status
      if (sp.project) sp.account = await app.data.projectAccount(app.year(), sp.project.id).catch(() => sp.account);
    } catch (err) {
      const d = err.details || {};
      let account = d.account || '';
      const named = await app.data.plan(app.year()).then((pl) => (pl.accounts || []).find((x) => x.code === d.account)).catch(() => null);
      if (named) account = accountLabel(named);
      const text = err.status === 409 && d.shortfall_m2 !== undefined
        ? t('pstatus.short', { m2: fmt(d.shortfall_m2), mu: fmt(d.shortfall_mu), hm2: fmt(d.shortfall_hm2), account })
        : err.message;
      statusResult = { ok: false, text };
      app.errors.show(`${t('pstatus.failed')}: ${text}`);
    } finally {
      submit.disabled = false;
    }
    renderStatus();
  }

  function field(key, input) {
    return el('label', { class: 'field' }, el('span', {}, t(key)), input);
  }

  attachNewRadio.addEventListener('change', () => { attachMode = 'new'; updateAttachMode(); });
  attachExistingRadio.addEventListener('change', () => { attachMode = 'existing'; updateAttachMode(); });
  const attachHint = el('p', { class: 'hint', 'data-testid': 'attach-hint' });
  const attachBody = el('div', {});
  function updateAttachMode() {
    // Attaching needs a selection: until then a hint takes the form's place.
    attachBody.hidden = selection.size === 0;
    attachHint.hidden = selection.size > 0;
    newFields.hidden = attachMode !== 'new';
    existingFields.hidden = attachMode !== 'existing';
    detachBtn.hidden = attachMode !== 'existing';
    attachBtn.disabled = selection.size === 0 || busy;
    detachBtn.disabled = selection.size === 0 || busy;
  }

  // ---------------------------------------------------------------- selection
  function setTool(k) {
    tool = k;
    for (const b of toolButtons) b.classList.toggle('active', b.dataset.tool === k);
    const hint = $('[data-testid="select-hint"]', root);
    if (hint) hint.textContent = t(`alloc.hint.${k}`);
    if (k === 'click') {
      app.draw.cancel();
      return;
    }
    drawLoop(k);
  }

  async function drawLoop(kind) {
    while (tool === kind && app.mode() === 'allocate') {
      let feature;
      try {
        feature = await app.draw.draw(kind, { keep: false });
      } catch {
        return; // cancelled
      }
      const geom = app.toGeoJSONGeometry(feature.getGeometry());
      await selectInShape(geom, kind === 'polygon');
    }
  }

  async function selectInShape(geom, exact) {
    const bbox = bboxOf(geom);
    try {
      const { features, truncated } = await getAllFeatures(layerURL('parcels', bbox, 1000), { maxFeatures: MAX_SELECT });
      const picked = exact ? features.filter((f) => geometriesIntersect(f.geometry, geom)) : features;
      for (const f of picked) add(f);
      if (truncated) app.errors.show(t('alloc.tooMany', { n: MAX_SELECT }));
      renderSelection();
    } catch (err) {
      app.errors.report(t('alloc.selectFailed'), err);
    }
  }

  function add(f) {
    const id = Number(f.id);
    if (selection.has(id)) return;
    selection.set(id, { id, props: f.properties || {}, geometry: f.geometry });
    const [of] = readFeatures([f]);
    of.setId(id);
    selLayer.getSource().addFeature(of);
  }

  function remove(id) {
    selection.delete(id);
    const f = selLayer.getSource().getFeatureById(id);
    if (f) selLayer.getSource().removeFeature(f);
  }

  /** Toggles a parcel (by id) in the selection; called on map clicks in this mode. */
  async function toggle(id) {
    id = Number(id);
    if (selection.has(id)) {
      remove(id);
      renderSelection();
      return;
    }
    try {
      const f = await getJSON(`/ogc/collections/parcels/items/${id}`);
      add(f);
      renderSelection();
    } catch (err) {
      app.errors.report(t('alloc.selectFailed'), err);
    }
  }

  function clearSelection() {
    selection.clear();
    selLayer.getSource().clear();
    renderSelection();
  }

  async function renderSelection() {
    const parcels = [...selection.values()];
    const n = previewNeed(parcels);
    selSummary.textContent = t('alloc.selected', { n: parcels.length, area: areaText(n.total, lang()) });
    selSummary.parentElement.hidden = parcels.length === 0;
    root.dataset.selected = String(parcels.length);
    let owners = new Map();
    try {
      await app.data.projects();
      owners = new Map(await Promise.all(parcels.map(async (p) => [p.id, await app.data.projectOfParcel(p.id)])));
    } catch (err) {
      app.errors.report(t('error.projects'), err);
    }
    selList.replaceChildren(
      ...parcels.slice(0, 200).map((p) => {
        const owner = owners.get(p.id);
        return el('li', { class: 'result-row', 'data-testid': 'selection-row', dataset: { id: p.id } },
          el('button', { type: 'button', class: 'link', onclick: () => app.showParcel(p.id, p.props, { zoom: true }) }, p.props.code || p.id),
          el('span', { class: 'muted' }, `${p.props.land_use || ''} · ${fmt(m2ToMu(p.props.area_m2))} ${t('unit.muShort')}`),
          el('span', { class: `tag ${p.props.construction_land ? 'tag-stock' : 'tag-new'}` }, p.props.construction_land ? t('alloc.stock') : t('alloc.new')),
          owner ? el('span', { class: 'tag tag-owner', title: owner.name }, owner.code) : null,
          el('button', { type: 'button', class: 'icon-btn', title: t('alloc.remove'), 'aria-label': t('alloc.remove'), onclick: () => { remove(p.id); renderSelection(); } }, '×'));
      }),
      ...(parcels.length > 200 ? [el('li', { class: 'muted' }, t('alloc.more', { n: parcels.length - 200 }))] : []),
    );
    const owned = parcels.filter((p) => owners.get(p.id));
    needBox.replaceChildren(
      parcels.length === 0
        ? el('p', { class: 'muted' }, t('alloc.empty'))
        : el('dl', { class: 'kv' },
          el('dt', {}, t('alloc.needNew')), el('dd', { 'data-testid': 'preview-new' }, areaText(n.fresh, lang())),
          el('dt', {}, t('alloc.needStock')), el('dd', { 'data-testid': 'preview-stock' }, areaText(n.stock, lang())),
          n.underground > 0 ? [el('dt', {}, t('alloc.needUnderground')), el('dd', {}, areaText(n.underground, lang()))] : null,
          owned.length ? [el('dt', {}, t('alloc.owned')), el('dd', { class: 'warn-text' }, t('alloc.ownedText', { n: owned.length }))] : null),
    );
    if (parcels.length && app.checkEligibility) {
      app.checkEligibility(parcels.map((p) => p.id)).then((v) => {
        if (!v) return;
        needBox.append(el('div', { class: `verdict ${v.eligible ? 'ok' : 'bad'}`, 'data-testid': 'selection-verdict' }, v.text));
      }).catch((err) => app.errors.report(t('elig.failed'), err));
    }
    updateAttachMode();
  }

  // ---------------------------------------------------------------- projects
  async function fillProjectSelects() {
    let list = [];
    try {
      list = await app.data.projects();
    } catch (err) {
      app.errors.report(t('error.projects'), err);
      return;
    }
    const opts = list.map((p) => [String(p.id), `${p.code} · ${p.name}`]);
    const keepPick = pickSelect.value;
    pickSelect.replaceChildren(option('', t('alloc.pickNone')), ...opts.map(([v, l]) => option(v, l)));
    pickSelect.value = project ? String(project.id) : keepPick;
    const keepExisting = existingSelect.value;
    existingSelect.replaceChildren(...opts.map(([v, l]) => option(v, l)));
    if (keepExisting) existingSelect.value = keepExisting;
    if (project) existingSelect.value = String(project.id);
  }

  async function pickProject(id) {
    if (!id) {
      project = null;
      renderProjectCard();
      return;
    }
    try {
      project = await getJSON(`/api/projects/${encodeURIComponent(id)}`);
      await renderProjectCard();
      projectCard.scrollIntoView({ block: 'nearest' });
      app.showProject(project.id);
    } catch (err) {
      app.errors.report(t('error.projects'), err);
    }
  }

  function selectionDistrictPark() {
    const parcels = [...selection.values()];
    const districts = new Set(parcels.map((p) => p.props.district).filter(Boolean));
    const parks = new Set(parcels.map((p) => p.props.park || ''));
    return { districts, parks };
  }

  // changeParcels runs one attach or detach at a time, the buttons off
  // meanwhile; a failure is reported.
  async function changeParcels(work) {
    if (selection.size === 0 || busy) return;
    busy = true;
    updateAttachMode();
    try {
      await work();
    } catch (err) {
      app.errors.report(t('alloc.attachFailed'), err);
    } finally {
      busy = false;
      updateAttachMode();
    }
  }

  // setProjectParcels gives project id the parcels change(held) makes of
  // those the server holds for it now.
  async function setProjectParcels(id, change) {
    const current = await getJSON(`/api/projects/${encodeURIComponent(id)}`);
    project = await putJSON(`/api/projects/${encodeURIComponent(id)}/parcels`, { parcel_ids: change((current.parcel_ids || []).map(Number)) });
  }

  function attach() {
    const ids = [...selection.keys()];
    return changeParcels(async () => {
      if (attachMode === 'new') {
        const { districts, parks } = selectionDistrictPark();
        if (districts.size !== 1) throw new Error(t('alloc.mixedDistricts'));
        const park = parks.size === 1 ? [...parks][0] : '';
        if (parks.size > 1) throw new Error(t('alloc.mixedParks'));
        project = await postJSON('/api/projects', {
          code: newCode.value.trim(),
          name: newName.value.trim(),
          category: newCategory.value,
          district: [...districts][0],
          park,
          parcel_ids: ids,
          investment_wan: Number(newInvestment.value) || 0,
          tax_per_mu_wan: Number(newTax.value) || 0,
          readiness: Number(newReadiness.value) || 0,
        });
        newCode.value = '';
      } else {
        const id = existingSelect.value;
        if (!id) throw new Error(t('alloc.chooseProject'));
        await setProjectParcels(id, (held) => [...new Set([...held, ...ids])]);
      }
      app.data.refresh(['projects']);
      clearSelection();
      build();
      await renderProjectCard();
      projectCard.scrollIntoView({ block: 'start' });
      app.showProject(project.id);
    });
  }

  function detach() {
    return changeParcels(async () => {
      const id = existingSelect.value;
      if (!id) return;
      const drop = new Set(selection.keys());
      await setProjectParcels(id, (held) => held.filter((p) => !drop.has(p)));
      app.data.refresh(['projects']);
      clearSelection();
      renderProjectCard();
    });
  }

  async function renderProjectCard() {
    if (!project) {
      projectCard.hidden = true;
      grantBox.hidden = true;
      delete root.dataset.projectId;
      return;
    }
    const p = project;
    root.dataset.projectId = String(p.id);
    const need = p.need || {};
    const year = app.year();
    let account = null;
    let source = null;
    let accountsError = '';
    try {
      const plan = await app.data.plan(year);
      const accounts = plan.accounts || [];
      accountNames = new Map(accounts.map((a) => [a.code, pick(a, 'name')]));
      account = accounts.find((a) => a.kind === 'project' && Number(a.project_id) === Number(p.id)) || null;
      source = (p.park && accounts.find((a) => a.kind === 'park' && a.park === p.park && a.district === p.district)) ||
        accounts.find((a) => a.kind === 'district' && a.district === p.district) || null;
      if (account && account.parent_id) source = accounts.find((a) => a.id === account.parent_id) || source;
    } catch (err) {
      accountsError = err.status === 404 ? t('info.noPlan', { year }) : err.message;
    }
    const held = account ? account.held_m2 : 0;
    const outstanding = Math.max(0, (need.new_m2 || 0) - held);
    moveAccounts = { account, source };
    const conflicts = [
      need.farmland_overlap_m2 > 0.5 ? `${t('zone.permanent_basic_farmland')} ${fmt(need.farmland_overlap_m2)} m²` : null,
      need.red_line_overlap_m2 > 0.5 ? `${t('zone.ecological_red_line')} ${fmt(need.red_line_overlap_m2)} m²` : null,
      need.outside_boundary_m2 > 0.5 ? `${t('elig.outsideBoundary')} ${fmt(need.outside_boundary_m2)} m²` : null,
    ].filter(Boolean);
    projectCard.replaceChildren(
      el('div', { class: 'card-title' }, el('strong', { 'data-testid': 'project-card-code' }, p.code), ' ', p.name),
      el('div', { class: 'muted' }, `${t(`category.${p.category}`)} · ${app.districtName(p.district)}${p.park ? ` · ${app.parkName(p.park)}` : ''} · ${t('alloc.parcelCount', { n: (p.parcel_ids || []).length })}`),
      el('dl', { class: 'kv' },
        el('dt', {}, t('alloc.needNew')), el('dd', { 'data-testid': 'need-new' }, areaText(need.new_m2 || 0, lang())),
        el('dt', {}, t('alloc.needStock')), el('dd', { 'data-testid': 'need-stock' }, areaText(need.stock_m2 || 0, lang())),
        need.underground_m2 > 0 ? [el('dt', {}, t('alloc.needUnderground')), el('dd', {}, areaText(need.underground_m2, lang()))] : null,
        el('dt', {}, t('alloc.eligible')),
        el('dd', { 'data-testid': 'need-eligible', class: need.eligible ? 'ok-text' : 'warn-text' },
          need.eligible ? t('alloc.eligibleYes') : `${t('alloc.eligibleNo')}${conflicts.length ? `：${conflicts.join('；')}` : ''}`),
        el('dt', {}, t('alloc.held')), el('dd', { 'data-testid': 'project-held' }, accountsError || areaText(held, lang())),
        el('dt', {}, t('alloc.outstanding')), el('dd', { 'data-testid': 'project-outstanding' }, areaText(outstanding, lang())),
        el('dt', {}, t('alloc.source')),
        el('dd', { 'data-testid': 'grant-source' }, source ? `${pick(source, 'name')}（${source.code}）${t('alloc.balance')} ${areaText(source.held_m2, lang())}` : t('info.none'))),
      el('div', { class: 'btn-row' },
        el('button', { type: 'button', class: 'btn btn-ghost', onclick: () => zoomToProject(p) }, t('alloc.zoomProject'))),
    );
    projectCard.hidden = false;
    grantBox.hidden = !app.auth.can('allocator');
    if (!grantAmount.value) grantAmount.placeholder = fmt(fromM2(outstanding, grantUnit.value), 2);
    projectCard.dataset.outstandingM2 = String(outstanding);
  }

  async function zoomToProject(p) {
    try {
      const fs = await Promise.all((p.parcel_ids || []).slice(0, 50).map((id) => getJSON(`/ogc/collections/parcels/items/${id}`)));
      app.zoomToGeoJSON(fs);
    } catch (err) {
      app.errors.report(t('error.projects'), err);
    }
  }

  grantUnit.addEventListener('change', () => {
    const out = Number(projectCard.dataset.outstandingM2 || 0);
    grantAmount.placeholder = fmt(fromM2(out, grantUnit.value), 2);
  });

  function shortMessage(err) {
    const d = err.details || {};
    if (err.status === 409 && d.shortfall_m2 !== undefined) {
      const name = accountNames.get(d.account);
      return t('alloc.short', {
        account: name ? `${name}（${d.account}）` : d.account || '',
        held: areaText(d.held_m2 || 0, lang()),
        missing: areaText(d.shortfall_m2, lang()),
      });
    }
    return err.message;
  }

  async function grant(action) {
    if (!project || busy) return;
    const reason = grantReason.value.trim();
    grantResult.hidden = true;
    if (!reason) {
      showResult(false, t('alloc.needReason'));
      grantReason.focus();
      return;
    }
    const body = { year: app.year(), project_id: project.id, action, reason, idempotency_key: newKey(action) };
    if (overrideReason.value.trim()) body.override_reason = overrideReason.value.trim();
    const raw = grantAmount.value.trim();
    if (raw !== '') {
      const v = Number(raw);
      if (!(v > 0)) {
        showResult(false, t('alloc.badAmount'));
        return;
      }
      body[`amount_${grantUnit.value}`] = v;
    }
    // What moves: the typed amount, or by default the outstanding need (grant) / all it holds (release).
    const { account, source } = moveAccounts;
    const held = account ? account.held_m2 : 0;
    const m2 = raw !== '' ? toM2(Number(raw), grantUnit.value) : action === 'grant' ? Number(projectCard.dataset.outstandingM2 || 0) : held;
    const sign = action === 'grant' ? 1 : -1;
    const name = (a, fallback) => (a ? accountLabel(a) : fallback);
    const ok = await confirmMove({
      title: t(action === 'grant' ? 'alloc.confirmGrant' : 'alloc.confirmRelease'),
      text: `${project.code} · ${project.name} · ${reason}`,
      moves: [
        { account: name(source, t('alloc.source')), amount_m2: m2, before_m2: source ? source.held_m2 : null, after_m2: source ? source.held_m2 - sign * m2 : null },
        { account: name(account, `${project.code}`), amount_m2: m2, before_m2: held, after_m2: held + sign * m2 },
      ],
    });
    if (!ok) return;
    busy = true;
    grantBtn.disabled = releaseBtn.disabled = true;
    try {
      const e = await postJSON('/api/grants', body);
      showResult(true, t(action === 'grant' ? 'alloc.granted' : 'alloc.released', { amount: areaText(e.amount_m2, lang()), id: e.id }));
      grantAmount.value = '';
      app.data.refresh(['plans', 'projects']);
      project = await getJSON(`/api/projects/${project.id}`);
      await renderProjectCard();
    } catch (err) {
      const msg = shortMessage(err);
      showResult(false, msg);
      app.errors.show(`${t(action === 'grant' ? 'alloc.grantFailed' : 'alloc.releaseFailed')}: ${msg}`);
    } finally {
      busy = false;
      grantBtn.disabled = releaseBtn.disabled = false;
    }
  }

  function showResult(ok, text) {
    grantResult.hidden = false;
    grantResult.className = `result-msg ${ok ? 'ok' : 'bad'}`;
    grantResult.textContent = text;
    grantResult.scrollIntoView({ block: 'nearest' });
  }

  app.data.onRefresh((what) => {
    if (what.includes('projects')) fillProjectSelects();
  });

  build();

  return {
    render: build,
    toggle,
    parcelStatus,
    get tool() {
      return tool;
    },
    /** Puts a project in the panel (e.g. from the parcel panel). */
    openProject: (id) => {
      pickSelect.value = String(id);
      return pickProject(String(id));
    },
    onModeEnter() {
      if (tool !== 'click') drawLoop(tool);
    },
    toM2,
    selection,
  };
}
