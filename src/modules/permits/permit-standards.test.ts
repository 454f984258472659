import { describe, expect, it } from 'vitest';
import type { EmissionLimit } from '../reference/index.ts';
import { checkAgainstStandards } from './permit-standards.ts';
import { checkPermitContent } from './permit-content.ts';
import { samplePermitContent } from './permit-content.sample.ts';

// GB 13271-2014, coal-fired boilers, SO2: 400 (existing), 300 (new), 200 (special limits), mg/m3
const row = (tableName: string, limitValue: number): EmissionLimit => ({ id: limitValue, standard: 'GB 13271-2014', tableName, sourceCategory: '燃煤锅炉 coal', pollutant: '二氧化硫 SO2', pollutantCode: 'a21026', direction: 'max', limitValue, limitHigh: null, limitText: String(limitValue), unit: 'mg/m3', appliesTo: null, confidence: 'confirmed', source: 'GB13271', note: null });
const LIMITS = [row('Table 1 在用锅炉', 400), row('Table 2 新建锅炉', 300), row('Table 3 特别排放限值', 200)];

function withSo2(value: number, standard = 'GB 13271-2014') {
  const c = samplePermitContent();
  c.outlets[0].pollutants = c.outlets[0].pollutants.map((p) => (p.pollutantCode === 'a21026' ? { ...p, standard, limit: { direction: 'max' as const, value, unit: 'mg/m3' } } : p));
  return c;
}

describe('limits against the standard they name', () => {
  it('a limit looser than every row of the standard is an error', () => {
    const problems = checkAgainstStandards(withSo2(450), LIMITS);
    expect(problems).toEqual([expect.objectContaining({ code: 'LIMIT_ABOVE_STANDARD', severity: 'error', path: 'outlets[DA001].pollutants[a21026].limit.value' })]);
    expect(problems[0].zh).toContain('最宽 400');
  });
  it('looser than a stricter table: a warning to check which applies', () => {
    const problems = checkAgainstStandards(withSo2(350), LIMITS);
    expect(problems).toEqual([expect.objectContaining({ code: 'LIMIT_ABOVE_STRICTER_TABLE', severity: 'warning' })]);
    expect(problems[0].zh).toContain('Table 2 新建锅炉');
  });
  it('within the strictest row, or a standard the table lacks, or written differently: judged the same way', () => {
    expect(checkAgainstStandards(withSo2(200), LIMITS)).toEqual([]);
    expect(checkAgainstStandards(withSo2(9999, 'DB33/ 9999-2030'), LIMITS)).toEqual([]);
    expect(checkAgainstStandards(withSo2(450, 'GB13271—2014'), LIMITS)[0]?.code).toBe('LIMIT_ABOVE_STANDARD');
  });
});

describe('absurd values', () => {
  it('negative, impossible concentrations and quantities beyond the country are errors; large ones warnings', () => {
    const c = samplePermitContent();
    c.outlets[0].pollutants[0] = { ...c.outlets[0].pollutants[0], limit: { direction: 'max', value: 50_000, unit: 'mg/m3' } };
    c.outlets[1].pollutants[0] = { ...c.outlets[1].pollutants[0], limit: { direction: 'range', low: -1, high: 9, unit: 'pH' } };
    c.permittedQuantities = [
      { factor: 'SO2', year: 2026, amount: 5_000_000, unit: 't/a' },
      { factor: 'NOx', year: 2026, amount: 200_000, unit: 't/a' },
    ];
    const codes = checkPermitContent(c).map((p) => `${p.code}:${p.severity}`);
    expect(codes).toEqual(expect.arrayContaining(['LIMIT_ABSURD:error', 'LIMIT_NEGATIVE:error', 'QUANTITY_ABSURD:error', 'QUANTITY_LARGE:warning']));
  });
});
