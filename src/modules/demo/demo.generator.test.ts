import { describe, expect, it } from 'vitest';
import { generateDemoRows } from './demo.generator.ts';
import { isValidCreditCode } from '../registry/index.ts';

const counties = [
  { code: '330106', name: '西湖区', cityCode: '3301', cityName: '杭州市' },
  { code: '330203', name: '海曙区', cityCode: '3302', cityName: '宁波市' },
];

describe('demo generator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateDemoRows(counties, 200, 7)).toEqual(generateDemoRows(counties, 200, 7));
    expect(generateDemoRows(counties, 50, 7)).not.toEqual(generateDemoRows(counties, 50, 8));
  });
  it('makes valid, unique, plausible rows', () => {
    const rows = generateDemoRows(counties, 2000, 2022);
    expect(rows).toHaveLength(2000);
    expect(rows.every((r) => isValidCreditCode(r.creditCode))).toBe(true);
    expect(rows.every((r) => r.creditCode.slice(2, 8) === r.regionCode)).toBe(true);
    const sites = new Set(rows.map((r) => `${r.creditCode}/${r.siteName}`));
    expect(sites.size).toBe(rows.length);
    expect(rows.some((r, i) => i > 0 && rows[i - 1].creditCode === r.creditCode)).toBe(true); // multi-site entities
    expect(rows.every((r) => r.longitude! > 118 && r.longitude! < 123 && r.latitude! > 27 && r.latitude! < 32)).toBe(true);
  });
});
