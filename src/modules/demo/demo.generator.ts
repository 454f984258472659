import type { GoodRow } from '../registry/index.ts';
import { makeCreditCode } from '../registry/index.ts';
import { BRAND_WORDS, DEMO_CITY_CENTRES, DEMO_INDUSTRIES, GIVEN_NAMES, ROAD_WORDS, SURNAMES } from './demo.data.ts';

import { seededRandom } from '../../platform/random.ts';

export { seededRandom };

const ORG_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export interface DemoCounty {
  code: string;
  name: string;
  cityCode: string;
  cityName: string;
}

/** Strip the administrative suffix for use inside a company name (杭州市 → 杭州, 萧山区 → 萧山). */
function shortPlace(name: string) {
  return name.length > 2 ? name.replace(/(市|区|县|自治县)$/, '') : name;
}

/**
 * Deterministic demo units for the given counties: valid credit codes (registered in the
 * county), real industry classes, plausible names, addresses and coordinates; about one
 * entity in eight runs a second site.
 */
export function generateDemoRows(counties: DemoCounty[], count: number, seed: number): GoodRow[] {
  const rnd = seededRandom(seed);
  const rows: GoodRow[] = [];
  const usedCodes = new Set<string>();
  const usedNames = new Set<string>();
  let row = 1;
  while (rows.length < count) {
    const county = rnd.pick(counties);
    const ind = rnd.weighted(DEMO_INDUSTRIES);
    let first17: string;
    do {
      let org = '';
      for (let i = 0; i < 9; i++) org += ORG_ALPHABET[rnd.int(0, 30)];
      first17 = `91${county.code}${org}`;
    } while (usedCodes.has(first17));
    usedCodes.add(first17);
    const creditCode = makeCreditCode(first17);
    const place = rnd.next() < 0.5 ? shortPlace(county.cityName) : shortPlace(county.name);
    let entityName = `${place}${rnd.pick(BRAND_WORDS)}${ind.word}${rnd.next() < 0.8 ? '有限公司' : '股份有限公司'}`;
    for (let n = 2; usedNames.has(entityName); n++) entityName = entityName.replace(/(第\d+)?((股份)?有限公司)$/, `第${n}$2`);
    usedNames.add(entityName);
    const [lng, lat] = DEMO_CITY_CENTRES[county.cityCode] ?? [120.15, 30.28];
    const r = rnd.next();
    const [pk, ps] = ind.category;
    const category = r < pk ? 'key' : r < pk + ps ? 'simplified' : 'registration';
    const person = () => rnd.pick(SURNAMES) + rnd.pick(GIVEN_NAMES);
    const sites = rnd.next() < 0.12 ? 2 : 1;
    for (let s = 0; s < sites && rows.length < count; s++) {
      rows.push({
        row: row++,
        creditCode,
        creditCodeRaw: null,
        entityName,
        legalRepresentative: person(),
        siteName: s === 0 ? entityName : `${entityName}${shortPlace(county.name)}第二厂区`,
        regionCode: county.code,
        industryCode: ind.code,
        managementCategory: category as GoodRow['managementCategory'],
        address: `${county.cityName}${county.name}${rnd.pick(ROAD_WORDS)}路${rnd.int(1, 999)}号`,
        longitude: Math.round((lng + (rnd.next() - 0.5) * 0.6) * 1e6) / 1e6,
        latitude: Math.round((lat + (rnd.next() - 0.5) * 0.5) * 1e6) / 1e6,
        contactPerson: person(),
        contactPhone: `1${rnd.pick(['33', '35', '38', '39', '58', '86', '88'])}${String(rnd.int(0, 99_999_999)).padStart(8, '0')}`,
      });
    }
  }
  return rows;
}
