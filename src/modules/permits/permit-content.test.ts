import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PermitContent } from '../../contracts/permits.ts';
import { checkPermitContent, diffPermitContent } from './permit-content.ts';
import { samplePermitContent } from './permit-content.sample.ts';

const boilerPermit = (): PermitContent => PermitContent.parse({ ...samplePermitContent(), managementCategory: 'simplified' });

const codes = (c: PermitContent) => checkPermitContent(c).map((p) => p.code);

describe('permit content', () => {
  it('a well-formed permit has no problems', () => {
    expect(checkPermitContent(boilerPermit())).toEqual([]);
  });

  it('refuses a missing limit written as zero, and takes minima and ranges', () => {
    expect(() => PermitContent.parse({ ...boilerPermit(), outlets: [{ ...boilerPermit().outlets[0], pollutants: [{ pollutantCode: 'a34013', standard: 'GB 13271-2014', limit: { direction: 'max', value: 0, unit: 'mg/m3' } }] }] })).toThrow();
    const furnace = { pollutantCode: 'a01012', standard: 'GB 18485-2014', limit: { direction: 'min' as const, value: 850, unit: '℃' } };
    const c = boilerPermit();
    c.outlets[0].pollutants.push(furnace);
    expect(checkPermitContent(c)).toEqual([]);
  });

  it.each([
    ['VALIDITY_TOO_LONG', (c: PermitContent) => (c.validTo = '2031-03-01')],
    ['VALIDITY_ORDER', (c: PermitContent) => (c.validTo = '2026-02-01')],
    ['CODE_DUPLICATE', (c: PermitContent) => (c.outlets[1].code = 'DA001')],
    ['UNIT_OF_MEASURE', (c: PermitContent) => (c.outlets[1].pollutants[0].limit = { direction: 'max', value: 500, unit: 'mg/m3' })],
    ['RANGE_ORDER', (c: PermitContent) => (c.outlets[1].pollutants[1].limit = { direction: 'range', low: 9, high: 6, unit: 'pH' })],
    ['POLLUTANT_DUPLICATE', (c: PermitContent) => c.outlets[0].pollutants.push({ ...c.outlets[0].pollutants[0] })],
    ['REFERENCE_O2_ON_WATER', (c: PermitContent) => (c.outlets[1].pollutants[0].referenceO2 = 9)],
    ['UNKNOWN_OUTLET', (c: PermitContent) => (c.selfMonitoring[0].outletCode = 'DA009')],
    ['UNKNOWN_POLLUTANT', (c: PermitContent) => (c.selfMonitoring[1].pollutantCode = 'w21003')],
    ['QUANTITY_DUPLICATE', (c: PermitContent) => c.permittedQuantities.push({ ...c.permittedQuantities[0] })],
    ['QUANTITY_ON_NON_MAIN_OUTLET', (c: PermitContent) => c.permittedQuantities.push({ factor: 'COD', year: 2026, amount: 1, unit: 't/a', outletCode: 'DW001' })],
    ['QUANTITY_YEAR_OUTSIDE_VALIDITY', (c: PermitContent) => (c.permittedQuantities[0].year = 2040)],
    ['HEIGHT_ON_WATER_OUTLET', (c: PermitContent) => (c.outlets[1].heightM = 20)],
    ['RECTIFICATION_DEADLINE_OUTSIDE_VALIDITY', (c: PermitContent) => (c.rectifications[0].deadline = '2025-12-31')],
  ])('finds %s', (code, spoil) => {
    const c = boilerPermit();
    spoil(c);
    expect(codes(c)).toContain(code);
    const p = checkPermitContent(c).find((x) => x.code === code)!;
    expect(p.zh.length).toBeGreaterThan(0);
    expect(p.en.length).toBeGreaterThan(0);
  });

  it('rejects malformed codes and unknown fields at the edge', () => {
    expect(() => PermitContent.parse({ ...boilerPermit(), outlets: [{ ...boilerPermit().outlets[0], code: 'DX001' }] })).toThrow();
    expect(() => PermitContent.parse({ ...boilerPermit(), extra: 1 })).toThrow();
    expect(() => PermitContent.parse({ ...boilerPermit(), permittedQuantities: [{ factor: 'SO2', year: 2026, amount: -1, unit: 't/a' }] })).toThrow();
  });
});

describe('comparing two versions', () => {
  it('names each changed field by the codes of its outlet and pollutant', () => {
    const a = boilerPermit();
    const b = boilerPermit();
    b.outlets[0].pollutants[1].limit = { direction: 'max', value: 200, unit: 'mg/m3' }; // SO2 tightened
    b.outlets.push({ code: 'DA002', name: '脱硫塔排口', kind: 'general', longitude: 120.13, latitude: 30.27, heightM: 30, pollutants: [] });
    b.specialConditions = [];
    b.validTo = '2031-02-27';
    expect(diffPermitContent(a, b)).toEqual([
      { path: 'validTo', kind: 'changed', before: '2031-02-28', after: '2031-02-27' },
      { path: 'outlets[DA001].pollutants[a21026].limit.value', kind: 'changed', before: 300, after: 200 },
      { path: 'outlets[DA002]', kind: 'added', after: b.outlets[2] },
      { path: 'specialConditions[重污染天气应急期间执行应急减排措施]', kind: 'removed', before: a.specialConditions[0] },
    ]);
  });

  it('does not count a reordered list as a change', () => {
    const a = boilerPermit();
    const b = boilerPermit();
    b.outlets.reverse();
    b.outlets[1].pollutants.reverse();
    b.selfMonitoring.reverse();
    expect(diffPermitContent(a, b)).toEqual([]);
  });

  it('is empty for equal versions and mirrors itself when the versions swap', () => {
    const numbers = fc.record({ so2: fc.integer({ min: 1, max: 1000 }), height: fc.integer({ min: 10, max: 200 }), drop: fc.boolean(), year: fc.integer({ min: 2026, max: 2031 }) });
    fc.assert(
      fc.property(numbers, numbers, (x, y) => {
        const make = (n: typeof x) => {
          const c = boilerPermit();
          c.outlets[0].pollutants[1].limit = { direction: 'max', value: n.so2, unit: 'mg/m3' };
          c.outlets[0].heightM = n.height;
          if (n.drop) c.outlets.pop();
          c.permittedQuantities[0].year = n.year;
          return c;
        };
        const a = make(x);
        const b = make(y);
        expect(diffPermitContent(a, a)).toEqual([]);
        const ab = diffPermitContent(a, b);
        const ba = diffPermitContent(b, a);
        const flip = { added: 'removed', removed: 'added', changed: 'changed' } as const;
        expect(ba.map((c) => [c.path, c.kind]).sort()).toEqual(ab.map((c) => [c.path, flip[c.kind]]).sort());
        expect(ab.length === 0).toBe(JSON.stringify(x) === JSON.stringify(y));
      }),
      { seed: 37, numRuns: 300 },
    );
  });
});
