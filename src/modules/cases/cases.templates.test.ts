import { describe, expect, it } from 'vitest';
import { checkPermitContent } from '../permits/index.ts';
import { listTemplates, templateContent } from './cases.templates.ts';

const site = { longitude: 120.2, latitude: 30.3 };
const now = new Date('2026-03-02T02:00:00Z');

describe('typical-industry templates', () => {
  it('offers the four the action plan names first: thermal power, boilers, cement, municipal wastewater', () => {
    expect(listTemplates().map((t) => t.id)).toEqual(['thermal_power', 'boiler', 'cement', 'municipal_wwtp']);
  });

  it('fills limits from the emission-limit reference rows, with their direction', () => {
    const boiler = templateContent('boiler', site, now)!;
    const stack = boiler.outlets[0];
    expect(stack).toMatchObject({ code: 'DA001', longitude: 120.2, latitude: 30.3 });
    // GB 13271-2014 Table 2, coal: PM 50, SO2 300, NOx 300, Hg 0.05 mg/m3 at 9 % O2
    expect(stack.pollutants.map((p) => [p.pollutantCode, p.limit, p.referenceO2])).toEqual([
      ['a34013', { direction: 'max', value: 50, unit: 'mg/m3' }, 9],
      ['a21026', { direction: 'max', value: 300, unit: 'mg/m3' }, 9],
      ['a21002', { direction: 'max', value: 300, unit: 'mg/m3' }, 9],
      ['a20058', { direction: 'max', value: 0.05, unit: 'mg/m3' }, 9],
    ]);
    const wwtp = templateContent('municipal_wwtp', site, now)!;
    expect(wwtp.outlets[0].pollutants.find((p) => p.pollutantCode === 'w01001')?.limit).toEqual({ direction: 'range', low: 6, high: 9, unit: 'pH' });
    expect(wwtp.outlets[0].pollutants.find((p) => p.pollutantCode === 'w21011')?.limit).toEqual({ direction: 'max', value: 0.5, unit: 'mg/L' });
  });

  it('leaves limits the reference tables lack missing, never zero', () => {
    const cement = templateContent('cement', site, now)!;
    expect(cement.outlets.flatMap((o) => o.pollutants).every((p) => p.limit === undefined && p.standard === 'GB 4915-2013')).toBe(true);
    expect(listTemplates().find((t) => t.id === 'cement')!.limitsMissing).toBe(5);
  });

  it('every template is content the permit checks accept', () => {
    for (const t of listTemplates()) {
      const errors = checkPermitContent(templateContent(t.id, site, now)!).filter((p) => p.severity === 'error');
      expect(errors, t.id).toEqual([]);
    }
    expect(templateContent('nope', site, now)).toBeUndefined();
  });
});
