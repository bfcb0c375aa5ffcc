// Map colours of the protected lines, the parks and the districts. Their one home is the
// server's layer catalog (planning/catalog/colors.go), served in GET /api/meta as
// meta.colors ({zones: {kind: '#rrggbb'}, park, district}); the status colours come the same
// way (statuses.js). Until meta answers, or when it fails, they are drawn in a neutral grey.
// Only the colour values live there: hatching, dashes and widths stay in styles.js.
export const NEUTRAL_COLOR = '#616161';

const HEX = /^#[0-9a-f]{6}$/i;
let zones = new Map();
let park = '';
let district = '';

/** Take meta.colors; values that are not '#rrggbb' are ignored. */
export function setColors(colors) {
  if (!colors || typeof colors !== 'object') return;
  const z = colors.zones && typeof colors.zones === 'object' ? Object.entries(colors.zones) : [];
  zones = new Map(z.filter(([, c]) => HEX.test(c || '')));
  park = HEX.test(colors.park || '') ? colors.park : '';
  district = HEX.test(colors.district || '') ? colors.district : '';
}

/** The catalog's colour of a protected-line kind. */
export function zoneColor(kind) {
  return zones.get(kind) || NEUTRAL_COLOR;
}

export function parkColor() {
  return park || NEUTRAL_COLOR;
}

export function districtColor() {
  return district || NEUTRAL_COLOR;
}
