// Every rule of the catalog has a permit it passes and one it fails; the catalog is complete
// (≥ 40 rules, stable ids, bilingual texts, a basis and a fix each) and docs/rules.md is its image.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PermitContent } from '../../contracts/permits.ts';
import type { EmissionLimit } from '../reference/index.ts';
import { samplePermitContent } from '../permits/index.ts';
import { RULES, runRules, rulesMarkdown, timesPerYear, type RuleContext } from './review.catalog.ts';

const json = JSON.parse(readFileSync(new URL('../../../reference-data/emission-limits/emission-limits.json', import.meta.url), 'utf8'));
// the reference table as the loader gives it (numbers as maxima; text limits are not compared)
const LIMITS: EmissionLimit[] = json.limits
  .filter((r: { limit: unknown }) => typeof r.limit === 'number')
  .map((r: Record<string, any>, i: number) => ({ id: i, standard: r.standard, tableName: r.table, sourceCategory: r.source_category, pollutant: r.pollutant, pollutantCode: r.hj212_code ?? null, direction: 'max', limitValue: r.limit, limitHigh: null, limitText: String(r.limit), unit: r.unit, appliesTo: r.applies_to ?? null, confidence: r.confidence, source: r.source, note: r.note ?? null }));
const OXYGEN = json.reference_oxygen.map((r: Record<string, any>) => ({ standard: r.standard, percent: r.reference_o2_percent, confidence: r.confidence }));

/** A key-management boiler house that every rule passes. */
function clean(): PermitContent {
  const c = samplePermitContent();
  c.outlets[0].pollutants = c.outlets[0].pollutants.filter((p) => p.pollutantCode !== 'a00000');
  c.selfMonitoring = [
    ...c.outlets[0].pollutants.map((p) => ({ outletCode: 'DA001', pollutantCode: p.pollutantCode, frequency: '自动监测', mode: 'automatic' as const })),
    ...c.outlets[1].pollutants.map((p) => ({ outletCode: 'DW001', pollutantCode: p.pollutantCode, frequency: '1次/季度', mode: 'manual' as const })),
  ];
  c.permittedQuantities = [
    { factor: 'SO2', year: 2026, amount: 52.5, unit: 't/a' },
    { factor: 'NOx', year: 2026, amount: 52.5, unit: 't/a' },
    { factor: 'particulate', year: 2026, amount: 8.8, unit: 't/a' },
  ];
  return c;
}
const ctx = (content: PermitContent, over: Partial<RuleContext> = {}): RuleContext => ({
  content,
  permitNumber: '91330106MA27U0LK57001P',
  issuedOn: '2026-03-01',
  unit: { regionCode: '330106', industryCode: '4430', managementCategory: 'key' },
  today: '2026-03-02',
  limits: LIMITS,
  referenceOxygen: OXYGEN,
  ...over,
});

type Case = { mutate?: (c: PermitContent) => void; over?: Partial<RuleContext> };
const so2 = (c: PermitContent) => c.outlets[0].pollutants.find((p) => p.pollutantCode === 'a21026')!;
const FAILING: Record<string, Case> = {
  'QR-001': { mutate: (c) => Object.assign(c, { validFrom: '2026-03-01', validTo: '2026-02-01' }) },
  'QR-002': { mutate: (c) => Object.assign(c, { validTo: '2032-03-01' }) },
  'QR-003': { mutate: (c) => void (c.outlets[1].code = 'DA001') },
  'QR-004': { mutate: (c) => void c.outlets[0].pollutants.push({ ...so2(c) }) },
  'QR-005': { mutate: (c) => void (so2(c).limit = { direction: 'max', value: 300, unit: 'mg/L' }) },
  'QR-006': { mutate: (c) => void (c.outlets[1].pollutants[1].limit = { direction: 'range', low: 9, high: 6, unit: 'pH' }) },
  'QR-007': { mutate: (c) => void (c.outlets[1].pollutants[1].limit = { direction: 'range', low: -1, high: 9, unit: 'pH' }) },
  'QR-008': { mutate: (c) => void (so2(c).limit = { direction: 'max', value: 30_000, unit: 'mg/m3' }) },
  'QR-009': { mutate: (c) => void (c.outlets[1].pollutants[0].referenceO2 = 9) },
  'QR-010': { mutate: (c) => void (c.outlets[1].pollutants[0].rateLimit = { value: 1, unit: 'kg/h' }) },
  'QR-011': { mutate: (c) => void (c.outlets[1].heightM = 10) },
  'QR-012': { mutate: (c) => void (c.outlets[0].receivingWater = '钱塘江') },
  'QR-013': { mutate: (c) => void delete c.outlets[0].heightM },
  'QR-014': { mutate: (c) => void c.permittedQuantities.push({ ...c.permittedQuantities[0] }) },
  'QR-015': { mutate: (c) => void (c.permittedQuantities[0].amount = 9_000_000) },
  'QR-016': { mutate: (c) => void (c.permittedQuantities[0].amount = 200_000) },
  'QR-017': { mutate: (c) => void (c.selfMonitoring[0].outletCode = 'DA009') },
  'QR-018': { mutate: (c) => void (c.selfMonitoring[0].pollutantCode = 'a99999') },
  'QR-019': { mutate: (c) => void c.permittedQuantities.push({ factor: 'COD', year: 2026, amount: 1, unit: 't/a', outletCode: 'DW001' }) },
  'QR-020': { mutate: (c) => void (c.permittedQuantities[0].year = 2035) },
  'QR-021': { mutate: (c) => void (c.rectifications[0].deadline = '2035-01-01') },
  'QR-101': { over: { unit: { regionCode: '330106', industryCode: '4430', managementCategory: 'key' } }, mutate: (c) => void (c.managementCategory = 'simplified') },
  'QR-102': { mutate: (c) => void (c.permittedQuantities = c.permittedQuantities.filter((q) => q.factor !== 'NOx')) },
  'QR-103': { mutate: (c) => void (c.outlets[0].kind = 'general') },
  'QR-104': { mutate: (c) => void (c.selfMonitoring[0].mode = 'manual') },
  'QR-105': { mutate: (c) => void (so2(c).limit = { direction: 'max', value: 600, unit: 'mg/m3' }) },
  'QR-106': { mutate: (c) => void (so2(c).limit = { direction: 'max', value: 350, unit: 'mg/m3' }) },
  'QR-107': { over: { unit: { regionCode: '130102', industryCode: '4430', managementCategory: 'key' } } },
  'QR-108': { mutate: (c) => void (so2(c).referenceO2 = 6) },
  'QR-109': { mutate: (c) => void (so2(c).standard = 'GB 16297-1996') },
  'QR-110': { mutate: (c) => void (c.reports = [{ type: 'annual' }]) },
  'QR-111': { mutate: (c) => void c.selfMonitoring.push({ outletCode: 'DA001', pollutantCode: 'a20058', frequency: '1次/年', mode: 'manual' }) },
  'QR-112': { mutate: (c) => void (c.selfMonitoring = c.selfMonitoring.filter((s) => s.pollutantCode !== 'w01001')) },
  'QR-113': { mutate: (c) => void c.permittedQuantities.push({ factor: 'SO2', year: 2026, amount: 60, unit: 't/a', outletCode: 'DA001' }) },
  'QR-114': { mutate: (c) => void delete so2(c).limit },
  'QR-115': { over: { today: '2027-01-01' } },
  'QR-116': { over: { issuedOn: '2026-06-01' } },
  'QR-117': { over: { today: '2031-03-01' } },
  'QR-118': { over: { permitNumber: '91330106MA27U0LK58001P' } },
  'QR-119': { mutate: (c) => void delete c.outlets[1].receivingWater },
  // 300 mg/m3 × 10 000 m3/h × 5 000 h is 15 t, not 40
  'QR-120': { mutate: (c) => void (Object.assign(c.outlets[0], { designFlowM3h: 10_000, operatingHours: 5000 }), c.permittedQuantities.push({ factor: 'SO2', year: 2026, amount: 40, unit: 't/a', outletCode: 'DA001' })) },
};

describe('the rule catalog', () => {
  it('has at least 40 rules, each with a stable id, bilingual title, basis and fix', () => {
    expect(RULES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    expect(new Set(RULES.map((r) => r.code)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^QR-\d{3}$/);
      for (const l of [r.title, r.basis, r.fix]) expect(l.zh.length * l.en.length, r.id).toBeGreaterThan(0);
    }
  });

  it('the clean permit passes every rule', () => {
    expect(runRules(ctx(clean())).map((h) => `${h.ruleId} ${h.path} ${h.zh}`)).toEqual([]);
  });

  for (const rule of RULES) {
    it(`${rule.id} ${rule.code}: fails its failing permit, and explains where`, () => {
      const f = FAILING[rule.id];
      expect(f, `no failing case for ${rule.id}`).toBeDefined();
      const c = clean();
      f.mutate?.(c);
      const hits = runRules(ctx(c, f.over), [rule]);
      expect(hits.length, JSON.stringify(runRules(ctx(c, f.over)).map((h) => h.ruleId))).toBeGreaterThan(0);
      expect(hits[0]).toMatchObject({ ruleId: rule.id, code: rule.code });
      expect(hits[0].zh.length * hits[0].en.length).toBeGreaterThan(0);
      expect(hits[0].path.length).toBeGreaterThan(0);
    });
  }

  it('QR-120 passes an amount within limit × flow × hours and its tolerance, and water in mg/L', () => {
    const c = clean();
    Object.assign(c.outlets[0], { designFlowM3h: 50_000, operatingHours: 5000 });
    const limit = (so2(c).limit as { value: number }).value;
    const ceiling = limit * 50_000 * 5000 * 1e-9;
    c.permittedQuantities.push({ factor: 'SO2', year: 2026, amount: Math.round(ceiling * 1.09 * 1000) / 1000, unit: 't/a', outletCode: 'DA001' });
    const qr120 = RULES.filter((r) => r.id === 'QR-120');
    expect(runRules(ctx(c), qr120)).toEqual([]);
    c.permittedQuantities[c.permittedQuantities.length - 1].amount = Math.round(ceiling * 1.11 * 1000) / 1000;
    expect(runRules(ctx(c), qr120)).toHaveLength(1);
    // water: 50 mg/L COD × 100 m3/h × 8 000 h = 40 t
    const w = clean();
    Object.assign(w.outlets[1], { kind: 'main', designFlowM3h: 100, operatingHours: 8000 });
    w.outlets[1].pollutants = [{ pollutantCode: 'w01018', standard: 'GB 8978-1996', limit: { direction: 'max', value: 50, unit: 'mg/L' } }];
    w.permittedQuantities.push({ factor: 'COD', year: 2026, amount: 40, unit: 't/a', outletCode: 'DW001' });
    expect(runRules(ctx(w), qr120)).toEqual([]);
    w.permittedQuantities[w.permittedQuantities.length - 1].amount = 45;
    expect(runRules(ctx(w), qr120)[0].zh).toContain('至多 40 t/a');
  });

  it('reads monitoring frequencies as written', () => {
    expect([timesPerYear('1次/季度'), timesPerYear('每月1次'), timesPerYear('2次/年'), timesPerYear('自动监测'), timesPerYear('随时')]).toEqual([4, 12, 2, null, null]);
  });

  it('docs/rules.md is the catalog', () => {
    expect(readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8')).toBe(rulesMarkdown());
  });
});

describe('property: a permit built from the standard tables\' own limits triggers no error', () => {
  it('any template, any limit taken from its standard\'s rows, the directory\'s category, the required reports and quantities', async () => {
    const fc = (await import('fast-check')).default;
    const { listTemplates, templateContent } = await import('../cases/index.ts');
    const ids = listTemplates().filter((t) => t.limitsMissing === 0).map((t) => t.id);
    fc.assert(
      fc.property(fc.constantFrom(...ids), fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), fc.array(fc.double({ min: 0.1, max: 50_000, noNaN: true }), { minLength: 8, maxLength: 8 }), (id, picks, amounts) => {
        const tpl = listTemplates().find((t) => t.id === id)!;
        const c = templateContent(id, { longitude: 120.2, latitude: 30.3 }, new Date('2026-03-02T00:00:00Z'))!;
        let k = 0;
        for (const o of c.outlets) {
          for (const p of o.pollutants) {
            if (p.limit?.direction !== 'max') continue;
            const rows = LIMITS.filter((l) => l.standard === p.standard && l.pollutantCode === p.pollutantCode && l.unit === p.limit!.unit && !/特别/.test(l.tableName));
            if (rows.length) p.limit = { direction: 'max', value: rows[picks[k++ % picks.length] % rows.length].limitValue!, unit: p.limit.unit };
          }
          // every limited pollutant monitored (automatically where the rules ask it)
          for (const p of o.pollutants) if (p.limit && !c.selfMonitoring.some((s) => s.outletCode === o.code && s.pollutantCode === p.pollutantCode)) c.selfMonitoring.push({ outletCode: o.code, pollutantCode: p.pollutantCode, frequency: '1次/季度', mode: 'manual' });
        }
        c.permittedQuantities = tpl.permittedFactors.map((f, i) => ({ factor: f, year: 2026, amount: Math.round(amounts[i % amounts.length] * 10) / 10, unit: 't/a' }));
        const hits = runRules(ctx(c, { unit: { regionCode: '330106', industryCode: tpl.industryCodes[0], managementCategory: tpl.managementCategory } }));
        expect(hits.filter((h) => h.severity === 'error').map((h) => `${h.ruleId} ${h.zh}`)).toEqual([]);
      }),
      { seed: 944, numRuns: 200 },
    );
  });
});

describe('problem types', () => {
  it('every rule of the catalog has a problem type, and every type has its labels', async () => {
    const { PROBLEM_TYPES, problemTypeOf } = await import('./review.catalog.ts');
    for (const r of RULES) expect(problemTypeOf(r.id), r.id).not.toBe('other');
    expect(problemTypeOf('QR-999')).toBe('other');
    for (const l of Object.values(PROBLEM_TYPES)) expect(l.zh.length * l.en.length).toBeGreaterThan(0);
  });
});
