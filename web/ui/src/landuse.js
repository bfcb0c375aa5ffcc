// First-level land-use classes of the 2023 guide (用地用海分类, 自然资发〔2023〕234号), with
// names in both languages and the colours the map and legend use. Finer codes (0701,
// 100101, ...) are coloured by their first level.
import { lang } from './i18n.js';

export const LAND_USE_CLASSES = [
  { code: '01', zh: '耕地', en: 'Cropland', color: '#e6e6a3' },
  { code: '02', zh: '园地', en: 'Orchard', color: '#b5d67a' },
  { code: '03', zh: '林地', en: 'Forest', color: '#4f9d4f' },
  { code: '04', zh: '草地', en: 'Grassland', color: '#c3df9f' },
  { code: '05', zh: '湿地', en: 'Wetland', color: '#7fc8c8' },
  { code: '06', zh: '农业设施建设用地', en: 'Agricultural facilities', color: '#d8c690' },
  { code: '07', zh: '居住用地', en: 'Residential', color: '#f6d34a' },
  { code: '08', zh: '公共管理与公共服务用地', en: 'Public administration & services', color: '#ee6f9a' },
  { code: '09', zh: '商业服务业用地', en: 'Commercial & business', color: '#e5322d' },
  { code: '10', zh: '工矿用地', en: 'Industrial & mining', color: '#a8743f' },
  { code: '11', zh: '仓储用地', en: 'Warehousing', color: '#9575cd' },
  { code: '12', zh: '交通运输用地', en: 'Transport', color: '#8d99a6' },
  { code: '13', zh: '公用设施用地', en: 'Utilities', color: '#2f7fc1' },
  { code: '14', zh: '绿地与开敞空间用地', en: 'Green & open space', color: '#39a845' },
  { code: '15', zh: '特殊用地', en: 'Special use', color: '#5d6b4f' },
  { code: '16', zh: '留白用地', en: 'Reserved (white) land', color: '#f2f2f2' },
  { code: '17', zh: '陆地水域', en: 'Inland water', color: '#8ec5ea' },
  { code: '23', zh: '其他土地', en: 'Other land', color: '#c9c3b8' },
];

const byCode = new Map(LAND_USE_CLASSES.map((c) => [c.code, c]));
const UNKNOWN_COLOR = '#bdbdbd';

/** The first-level class of a code such as "100101", or undefined. */
export function landUseClass(code) {
  return byCode.get(String(code ?? '').slice(0, 2));
}

export function landUseColor(code) {
  return landUseClass(code)?.color || UNKNOWN_COLOR;
}

/** Localised name of the first-level class of a code. */
export function landUseClassName(code) {
  const c = landUseClass(code);
  if (!c) return '';
  return lang() === 'en' ? c.en : c.zh;
}
