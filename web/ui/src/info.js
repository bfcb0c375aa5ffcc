// Parcel info panel.
import { fmt, m2ToHm2, m2ToMu } from './format.js';
import { pick, t } from './i18n.js';
import { statusName } from './statuses.js';
import { statusColor } from './styles.js';

/**
 * panelEl: #info-panel; lookups.district(value) / lookups.park(value) return the feature
 * properties of the district / park a parcel refers to (by adcode/code or name), or null.
 */
export function createInfoPanel(panelEl, lookups) {
  const body = panelEl.querySelector('#info-content');
  const closeBtn = panelEl.querySelector('#info-close');
  let feature = null;
  let onClose = () => {};

  function row(key, field, value, extraNode) {
    const dt = document.createElement('dt');
    dt.textContent = t(key);
    const dd = document.createElement('dd');
    dd.dataset.testid = `info-${field}`;
    dd.dataset.field = field;
    if (extraNode) dd.append(extraNode);
    dd.append(value === '' || value === null || value === undefined ? t('info.none') : String(value));
    return [dt, dd];
  }

  function placeName(props, codeKey) {
    if (!props) return '';
    const name = pick(props, 'name');
    const code = props[codeKey];
    return name && code && name !== code ? `${name} (${code})` : name || code || '';
  }

  function render() {
    if (!feature) return;
    const p = feature.getProperties();
    const m2 = Number(p.area_m2);
    const hasArea = p.area_m2 !== null && p.area_m2 !== undefined && Number.isFinite(m2);
    const landUse = [p.land_use, p.land_use_zh].filter(Boolean).join(' ');
    const district = p.district ? placeName(lookups.district(p.district), 'adcode') || p.district : '';
    const park = p.park ? placeName(lookups.park(p.park), 'code') || p.park : '';
    const dot = document.createElement('span');
    dot.className = 'status-dot';
    dot.style.background = statusColor(p.status);
    const status = p.status ? statusName(p.status) : p.status_zh || '';
    body.replaceChildren(
      ...row('info.code', 'code', p.code ?? feature.getId()),
      ...row('info.landUse', 'land-use', landUse),
      ...row('info.areaM2', 'area-m2', hasArea ? fmt(m2, 2) : ''),
      ...row('info.areaMu', 'area-mu', hasArea ? fmt(m2ToMu(m2), 2) : ''),
      ...row('info.areaHm2', 'area-hm2', hasArea ? fmt(m2ToHm2(m2), 2) : ''),
      ...row('info.status', 'status', status, p.status ? dot : null),
      ...row('info.district', 'district', district),
      ...row('info.park', 'park', park),
      ...row('info.underground', 'underground', p.underground === true ? t('yes') : t('no')),
    );
    panelEl.dataset.parcelId = String(feature.getId() ?? '');
  }

  function close() {
    if (!feature) return;
    feature = null;
    panelEl.hidden = true;
    delete panelEl.dataset.parcelId;
    onClose();
  }

  closeBtn.addEventListener('click', close);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
  });

  return {
    show(f) {
      feature = f;
      render();
      panelEl.hidden = false;
    },
    close,
    render,
    get feature() {
      return feature;
    },
    set onClose(fn) {
      onClose = fn;
    },
  };
}
