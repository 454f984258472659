import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { checkDeclaredCategory, classificationVocabulary, classifyUnit, rowForIndustry, type ClassificationFacts } from './classification.ts';

describe('management category from the classification directory (名录 2019)', () => {
  // Row 99 (污水处理及其再生利用 462): 城乡污水集中处理场所 ≥ 20,000 t/d key, 500–20,000 simplified, < 500 registration.
  it.each([
    [50_000, 'key'],
    [20_000, 'key'],
    [19_999, 'simplified'],
    [500, 'simplified'],
    [499, 'registration'],
  ] as const)('municipal wastewater treatment of %i t/d is %s', (capacity, category) => {
    const r = classifyUnit({ industryCodes: ['4620'], features: ['urban_rural_sewage_central_treatment'], quantities: { treatment_capacity: { unit: 't/d', value: capacity } } });
    expect(r).toMatchObject({ category, determined: true });
    expect(r.parts[0]).toMatchObject({ row: 99, category });
    expect(r.parts[0].because.join(' ')).toContain(`${capacity} t/d`);
  });

  it('names the missing fact instead of guessing', () => {
    const r = classifyUnit({ industryCodes: ['4620'], features: ['urban_rural_sewage_central_treatment'] });
    expect(r).toMatchObject({ category: null, determined: false });
    expect(r.missing.join()).toContain('treatment_capacity');
  });

  it('checks units: a quantity in a unit the rule does not give is not compared', () => {
    const r = classifyUnit({ industryCodes: ['4620'], features: ['urban_rural_sewage_central_treatment'], quantities: { treatment_capacity: { unit: 'm3/h', value: 5000 } } });
    expect(r.determined).toBe(false);
    expect(r.missing.join()).toMatch(/given in m3\/h/);
  });

  // Row 109 (锅炉): listed → key; else ≥ 20 t/h (14 MW) single or total → simplified; below both → registration.
  it('places boilers by the largest single boiler or the total, in t/h or MW', () => {
    const boiler = (q: { unit: string; largest: number; total: number }, listed = false) =>
      classifyUnit({ industryCodes: ['1713'], features: [], generalProcesses: [109], listedInKeyDischargerList: listed, quantities: { boiler_capacity: q }, inIndustrialBuilding: true });
    const part = (r: ReturnType<typeof boiler>) => r.parts.find((p) => p.row === 109)!;
    expect(part(boiler({ unit: 't/h', largest: 10, total: 25 }))).toMatchObject({ category: 'simplified' });
    expect(part(boiler({ unit: 't/h', largest: 10, total: 15 }))).toMatchObject({ category: 'registration' });
    expect(part(boiler({ unit: 'MW', largest: 14, total: 14 }))).toMatchObject({ category: 'simplified' });
    expect(part(boiler({ unit: 'MW', largest: 7, total: 10 }))).toMatchObject({ category: 'registration' });
    expect(part(boiler({ unit: 't/h', largest: 1, total: 1 }, true))).toMatchObject({ category: 'key' });
  });

  // Row 45 (基础化学原料制造 261): 2611–2614 key, unless only mixing or packaging (then simplified).
  it('reads exclusions and the order of cells', () => {
    expect(classifyUnit({ industryCodes: ['2612'], features: [] }).category).toBe('key');
    expect(classifyUnit({ industryCodes: ['2612'] })).toMatchObject({ category: null, determined: false }); // features not said
    expect(classifyUnit({ industryCodes: ['2612'], features: ['simple_mixing_or_packaging_only'] }).category).toBe('simplified');
    expect(classifyUnit({ industryCodes: ['2619'], features: [], products: ['硫磺'] }).category).toBe('key');
    expect(classifyUnit({ industryCodes: ['2619'], features: [], products: [] }).category).toBe('registration');
  });

  it('takes the strictest of several industries and general processes (one site, one permit)', () => {
    const r = classifyUnit({
      industryCodes: ['4620', '2612'],
      features: ['urban_rural_sewage_central_treatment'],
      industryFeatures: { '2612': [] },
      quantities: { treatment_capacity: { unit: 't/d', value: 800 } },
    });
    expect(r.category).toBe('key');
    expect(r.parts.map((p) => [p.row, p.category])).toEqual([
      [99, 'simplified'],
      [45, 'key'],
    ]);
  });

  it('puts other industries in row 108, where Art. 7 thresholds make them key', () => {
    const other = classifyUnit({ industryCodes: ['7291'], features: [], listedInKeyDischargerList: false, quantities: { cod_annual_discharge: { unit: 't/a', value: 31 } } });
    expect(other.parts[0].row).toBe(108);
    expect(other.category).toBe('key');
    expect(other.parts[0].because.join()).toContain('Art. 7');
  });

  it('flags a declared category lower than the one the directory gives', () => {
    const r = classifyUnit({ industryCodes: ['2612'], features: [] });
    const finding = checkDeclaredCategory('simplified', r);
    expect(finding).toMatchObject({ code: 'CATEGORY_DOWNGRADE' });
    expect(finding!.zh).toContain('应为重点管理');
    expect(checkDeclaredCategory('key', r)).toBeNull();
    expect(checkDeclaredCategory('registration', classifyUnit({ industryCodes: ['4620'], features: ['urban_rural_sewage_central_treatment'] }))).toBeNull(); // undecided: nothing to flag
  });

  it('places every GB/T 4754-2017 class in exactly one row: casting (3391, 3392) in row 82, other metal products of 339 in row 80', () => {
    expect(rowForIndustry('3391')).toBe(82);
    expect(rowForIndustry('3392')).toBe(82);
    expect(rowForIndustry('3393')).toBe(80);
    expect(rowForIndustry('4620')).toBe(99);
    expect(rowForIndustry('7291')).toBe(108);
    const r = classifyUnit({ industryCodes: ['3391'], features: ['cupola_furnace'], inIndustrialBuilding: true, products: [], materials: [], fuels: [] });
    expect(r).toMatchObject({ category: 'key' });
    expect(r.parts[0].row).toBe(82);
  });

  it('does not let a flag of one industry rule another out', () => {
    // makes alkali (2612: key) and only packs pesticide (2631)
    const shared = classifyUnit({ industryCodes: ['2612', '2631'], features: ['simple_mixing_or_packaging_only'] });
    expect(shared.category).not.toBe('simplified');
    expect(shared.missing.join()).toContain('industryFeatures');
    const own = classifyUnit({ industryCodes: ['2612', '2631'], features: [], industryFeatures: { '2612': [], '2631': ['simple_mixing_or_packaging_only'] } });
    expect(own.parts.find((p) => p.industryCode === '2612')).toMatchObject({ category: 'key' });
    expect(own.category).toBe('key');
  });

  it('leaves a rule undecided when the list it needs was not given, instead of assuming none', () => {
    const noFuels = classifyUnit({ industryCodes: ['3071'], features: [] });
    expect(noFuels.category).toBeNull();
    expect(noFuels.missing.join()).toContain('fuels');
    expect(classifyUnit({ industryCodes: ['3071'], features: [], fuels: ['coal'] }).category).toBe('key');
  });

  it('needs both the largest boiler and the total, and the type of a declared kiln', () => {
    const one = classifyUnit({ industryCodes: ['1713'], features: [], generalProcesses: [109], listedInKeyDischargerList: false, quantities: { boiler_capacity: { unit: 't/h', value: 10 } } });
    expect(one.parts.find((p) => p.row === 109)).toMatchObject({ determined: false });
    expect(one.missing.join()).toContain('largest');
    const kiln = classifyUnit({ industryCodes: ['3421'], features: [], generalProcesses: [110], listedInKeyDischargerList: false, inIndustrialBuilding: true });
    expect(kiln.parts.find((p) => p.row === 110)).toMatchObject({ determined: false });
    expect(kiln.missing.join()).toContain('kiln type');
  });

  it('flags a declaration below what the decided parts already require', () => {
    const r = classifyUnit({ industryCodes: ['1713', '4620'], features: ['textile_finishing'], industryFeatures: { '1713': ['textile_finishing'], '4620': ['urban_rural_sewage_central_treatment'] } });
    expect(r.category).toBeNull();
    expect(r.atLeast).not.toBeNull();
    expect(checkDeclaredCategory('registration', r)).toMatchObject({ code: 'CATEGORY_DOWNGRADE' });
  });

  it('refuses malformed facts with a 400', () => {
    expect(() => classifyUnit({ industryCodes: ['26'] })).toThrow(/industry class/);
    expect(() => classifyUnit({ industryCodes: ['3010'] })).toThrow(/industry class/); // not a class of GB/T 4754-2017
    expect(() => classifyUnit({ industryCodes: ['3071'], fuels: ['gas'] })).toThrow(/Unknown fuel/);
    expect(() => classifyUnit({ industryCodes: ['2612'], features: ['simple_mixing'] })).toThrow(/Unknown feature/);
    expect(() => classifyUnit({ industryCodes: ['2681'], products: ['肥皂'] })).toThrow(/Unknown product/);
    expect(() => classifyUnit({ industryCodes: ['4620'], quantities: { capacity: { unit: 't/d', value: 1 } } })).toThrow(/Unknown quantity/);
    expect(() => classifyUnit({ industryCodes: ['1713'], quantities: { boiler_capacity: { unit: 't/h', largest: 25, total: 10 } } })).toThrow(/exceeds the total/);
    expect(() => classifyUnit({ industryCodes: ['4620'], quantities: { treatment_capacity: { unit: 't/d', value: -1 } } })).toThrow(/non-negative/);
  });
});

describe('the classifier, for any facts', () => {
  const vocab = classificationVocabulary();
  const classes = (JSON.parse(readFileSync(new URL('../../../reference-data/industry-gbt4754-2017/industries.json', import.meta.url), 'utf8')) as { code: string; level: string }[]).filter((i) => i.level === 'class').map((i) => i.code);
  const features = Object.keys(vocab.features);
  const quantities = Object.entries(vocab.quantities);
  const factsArb: fc.Arbitrary<ClassificationFacts> = fc.record({
    industryCodes: fc.array(fc.constantFrom(...classes), { minLength: 1, maxLength: 3 }),
    features: fc.subarray(features, { maxLength: 6 }),
    fuels: fc.subarray(Object.keys(vocab.fuels), { maxLength: 3 }),
    quantities: fc.dictionary(
      fc.constantFrom(...quantities.map(([k]) => k)),
      fc.record({ unit: fc.constant('?'), value: fc.double({ min: 0, max: 1e7, noNaN: true }) }),
      { maxKeys: 4 },
    ).map((d) => Object.fromEntries(Object.entries(d).map(([k, q]) => [k, { ...q, unit: vocab.quantities[k].unit }]))),
    listedInKeyDischargerList: fc.option(fc.boolean(), { nil: undefined }),
    inIndustrialBuilding: fc.option(fc.boolean(), { nil: undefined }),
    generalProcesses: fc.subarray([109, 110, 111, 112] as const),
  });

  it('maps every class to one row, with no two rows equally specific', () => {
    const rows = new Set(classes.map((c) => rowForIndustry(c))); // throws on a tie
    expect(rows.size).toBeGreaterThan(100); // rows 1–107 and 108 all take classes
  });

  it('never fails, gives the strictest part, and more facts never make a decided part undecided', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const r = classifyUnit(facts);
        const ranks = { registration: 1, simplified: 2, key: 3 } as const;
        const decided = r.parts.filter((p) => p.category).map((p) => ranks[p.category!]);
        if (r.category) expect(ranks[r.category]).toBe(Math.max(...decided));
        if (r.determined) expect(r.missing.filter((m) => !m.includes('official'))).toEqual(r.category === 'key' ? expect.any(Array) : []);
        for (const p of r.parts) {
          if (p.category) expect(p.cell?.category).toBe(p.category);
          if (!p.determined) expect(p.missing.length).toBeGreaterThan(0);
        }
        // Filling in the yes/no facts can only decide more.
        const fuller = classifyUnit({ ...facts, listedInKeyDischargerList: facts.listedInKeyDischargerList ?? false, inIndustrialBuilding: facts.inIndustrialBuilding ?? true });
        for (const [i, p] of r.parts.entries()) if (p.determined) expect(fuller.parts[i]).toMatchObject({ determined: true, category: p.category });
      }),
      { seed: 2019, numRuns: 400 },
    );
  });
});
