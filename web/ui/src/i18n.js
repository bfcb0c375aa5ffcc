// Labels in Chinese (default) and English. Every key exists in both languages:
// i18n.test.js checks that.

export const LANGS = ['zh', 'en'];
const STORAGE_KEY = 'landquota.lang';

export const MESSAGES = {
  zh: {
    'app.title': '用地指标地图',
    'app.subtitle': '杭州高新区（滨江）· 滨富 · 滨萧',
    'lang.switch': 'EN',
    'lang.switch.title': 'Switch to English',
    'panel.layers': '图层',
    'panel.legend': '图例',
    'panel.collapse': '收起面板',
    'panel.expand': '展开面板',
    'layer.districts': '行政区',
    'layer.parks': '合作园区',
    'layer.protected-zones': '三区三线',
    'layer.parcels': '地块',
    'legend.district': '行政区界线',
    'legend.park': '园区范围',
    'legend.parcelStatus': '地块状态',
    'legend.underground': '地下空间（虚线边框）',
    'legend.statusFilterHint': '点击状态可隐藏 / 显示',
    'zone.permanent_basic_farmland': '永久基本农田',
    'zone.ecological_red_line': '生态保护红线',
    'zone.urban_development_boundary': '城镇开发边界',
    'hint.zoomForParcels': '放大查看地块',
    'hint.truncated': '当前范围地块过多，仅显示前 {n} 块，请放大查看',
    'loading': '加载中…',
    'error.dismiss': '关闭',
    'error.meta': '无法加载地图元数据',
    'error.layer': '无法加载图层“{layer}”',
    'error.network': '网络错误',
    'error.http': '服务器返回 {status}',
    'info.title': '地块信息',
    'info.close': '关闭',
    'info.code': '地块编号',
    'info.landUse': '用地分类',
    'info.areaM2': '面积（m²）',
    'info.areaMu': '面积（亩）',
    'info.areaHm2': '面积（公顷）',
    'info.status': '状态',
    'info.district': '行政区',
    'info.park': '园区',
    'info.underground': '地下空间',
    'info.none': '—',
    'yes': '是',
    'no': '否',
    'status.reserve': '储备',
    'status.filed': '农转用/征收报批',
    'status.approved': '已批',
    'status.expropriated': '已征收',
    'status.supplied': '已供地',
    'status.under_construction': '在建',
    'status.completed': '已竣工',
    'status.in_production': '已投产',
    'status.low_efficiency': '低效',
    'status.redevelopment': '再开发',
  },
  en: {
    'app.title': 'Land Quota Map',
    'app.subtitle': 'Hangzhou High-tech Zone (Binjiang) · Binfu · Binxiao',
    'lang.switch': '中文',
    'lang.switch.title': '切换到中文',
    'panel.layers': 'Layers',
    'panel.legend': 'Legend',
    'panel.collapse': 'Hide panel',
    'panel.expand': 'Show panel',
    'layer.districts': 'Districts',
    'layer.parks': 'Cooperation parks',
    'layer.protected-zones': 'Protected lines',
    'layer.parcels': 'Parcels',
    'legend.district': 'District boundary',
    'legend.park': 'Park outline',
    'legend.parcelStatus': 'Parcel status',
    'legend.underground': 'Underground (dashed outline)',
    'legend.statusFilterHint': 'Click a status to hide / show it',
    'zone.permanent_basic_farmland': 'Permanent basic farmland',
    'zone.ecological_red_line': 'Ecological red line',
    'zone.urban_development_boundary': 'Urban development boundary',
    'hint.zoomForParcels': 'Zoom in to see parcels',
    'hint.truncated': 'Too many parcels here: only the first {n} are shown, zoom in',
    'loading': 'Loading…',
    'error.dismiss': 'Dismiss',
    'error.meta': 'Could not load map metadata',
    'error.layer': 'Could not load layer "{layer}"',
    'error.network': 'Network error',
    'error.http': 'Server answered {status}',
    'info.title': 'Parcel',
    'info.close': 'Close',
    'info.code': 'Parcel code',
    'info.landUse': 'Land use',
    'info.areaM2': 'Area (m²)',
    'info.areaMu': 'Area (mu)',
    'info.areaHm2': 'Area (ha)',
    'info.status': 'Status',
    'info.district': 'District',
    'info.park': 'Park',
    'info.underground': 'Underground',
    'info.none': '—',
    'yes': 'Yes',
    'no': 'No',
    'status.reserve': 'Reserve',
    'status.filed': 'Filed',
    'status.approved': 'Approved',
    'status.expropriated': 'Expropriated',
    'status.supplied': 'Supplied',
    'status.under_construction': 'Under construction',
    'status.completed': 'Completed',
    'status.in_production': 'In production',
    'status.low_efficiency': 'Low efficiency',
    'status.redevelopment': 'Redevelopment',
  },
};

let current = initialLang();
const listeners = new Set();

function initialLang() {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch {
    // localStorage can be unavailable (privacy mode); fall back to Chinese.
  }
  return 'zh';
}

export function lang() {
  return current;
}

export function setLang(next) {
  if (!LANGS.includes(next) || next === current) return;
  current = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // not fatal: the choice is just not remembered
  }
  for (const fn of listeners) fn(current);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Translate key, replacing {name} placeholders with vars. Unknown keys are returned as is. */
export function t(key, vars) {
  let s = MESSAGES[current][key] ?? MESSAGES.zh[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return s;
}

/** Pick the localised one of a zh/en pair, e.g. pick(props, 'name') reads name_zh or name_en. */
export function pick(obj, base) {
  if (!obj) return '';
  const primary = obj[`${base}_${current}`];
  return primary || obj[`${base}_zh`] || obj[`${base}_en`] || obj[base] || '';
}

/** Fill every [data-i18n] (text) and [data-i18n-title] (title + aria-label) under root. */
export function applyTranslations(root = document) {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  document.title = `${t('app.title')} · landquota`;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-title]')) {
    el.title = t(el.dataset.i18nTitle);
    el.setAttribute('aria-label', el.title);
  }
}
