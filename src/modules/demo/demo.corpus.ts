/**
 * The labelled corpus (issue 4, proof of correctness): demo permits with known defects injected
 * at known rates, one defect a permit, plus clean ones. Each defect names the rule that must find
 * it; a run of the catalog over the corpus then gives each rule's precision and recall
 * (bench/review-corpus.ts; deterministic rules must score 1.0 on both).
 *
 * The same injectors give the demo its realistic defects (`ISSUABLE_DEFECTS`: those a permit
 * can be issued with — the content errors the platform refuses at issue are not among them).
 */
import type { PermitContent } from '../../contracts/permits.ts';
import type { ManagementCategory } from '../../contracts/registry.ts';
import { PERMIT_VALIDITY_YEARS, samplePermitContent } from '../permits/index.ts';
import { periodEnd } from '../../platform/work-calendar.ts';
import { makeCreditCode } from '../registry/index.ts';
import type { RuleContext } from '../review/index.ts';
import { seededRandom } from './demo.generator.ts';
import { BRAND_WORDS, ROAD_WORDS } from './demo.data.ts';

type Rnd = ReturnType<typeof seededRandom>;
export interface CorpusPermit {
  content: PermitContent;
  permitNumber: string;
  issuedOn: string;
  unit: { regionCode: string; industryCode: string; managementCategory: ManagementCategory };
  today: string;
}
/** A defect: what it does to a clean permit, and the rule that must find it. */
export interface Defect {
  ruleId: string;
  /** rules the defect breaks as well, by its nature (swapped dates put the quantities' years outside the validity) */
  also?: readonly string[];
  inject(p: CorpusPermit, rnd: Rnd): void;
}

const so2 = (c: PermitContent) => c.outlets[0].pollutants.find((p) => p.pollutantCode === 'a21026')!;
const year = (p: CorpusPermit) => Number(p.content.validFrom.slice(0, 4));
const HANGZHOU = ['330102', '330105', '330106', '330108', '330109', '330110', '330111', '330112', '330122', '330127', '330182'];
const CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A clean key-management boiler house (GB 13271-2014) with its wastewater outlet: every rule passes it. */
export function cleanPermit(rnd: Rnd, today = '2026-03-02'): CorpusPermit {
  const region = rnd.pick(HANGZHOU);
  const issuedOn = today;
  const c = samplePermitContent({ validFrom: issuedOn, validTo: periodEnd(issuedOn, PERMIT_VALIDITY_YEARS) });
  c.outlets[0].pollutants = c.outlets[0].pollutants.filter((p) => p.pollutantCode !== 'a00000');
  // limits drawn at or under the standard's (a plant may be stricter than the table)
  for (const p of c.outlets[0].pollutants) if (p.limit?.direction === 'max') p.limit = { ...p.limit, value: Math.round(p.limit.value * (0.6 + 0.4 * rnd.next())) };
  const flow = rnd.int(20, 80) * 1000;
  const hours = rnd.int(40, 80) * 100;
  Object.assign(c.outlets[0], { designFlowM3h: flow, operatingHours: hours });
  c.productionFacilities[0].capacity = { value: rnd.pick([10, 20, 35, 65]), unit: 't/h' };
  c.selfMonitoring = [
    ...c.outlets[0].pollutants.map((p) => ({ outletCode: 'DA001', pollutantCode: p.pollutantCode, frequency: '自动监测', mode: 'automatic' as const })),
    ...c.outlets[1].pollutants.map((p) => ({ outletCode: 'DW001', pollutantCode: p.pollutantCode, frequency: rnd.pick(['1次/季度', '1次/月', '每月1次']), mode: 'manual' as const })),
  ];
  // amounts at 50–90 % of limit × flow × hours
  const y = Number(issuedOn.slice(0, 4));
  const ceiling = (code: string) => (c.outlets[0].pollutants.find((p) => p.pollutantCode === code)!.limit as { value: number }).value * flow * hours * 1e-9;
  c.permittedQuantities = (
    [
      ['SO2', 'a21026'],
      ['NOx', 'a21002'],
      ['particulate', 'a34013'],
    ] as const
  ).map(([factor, code]) => ({ factor, year: y, amount: Math.round(ceiling(code) * (0.5 + 0.4 * rnd.next()) * 100) / 100, unit: 't/a' as const, outletCode: 'DA001' }));
  c.rectifications = [{ requirement: '一年内完成排放口规范化整治', deadline: `${y + 1}-01-31` }];
  const credit = makeCreditCode(`91${region}MA${Array.from({ length: 7 }, () => rnd.pick([...CODE_CHARS])).join('')}`);
  return { content: c, permitNumber: `${credit}001P`, issuedOn, unit: { regionCode: region, industryCode: '4430', managementCategory: 'key' }, today };
}

/** One defect per rule of the catalog, each with values drawn at random where the defect allows. */
export const DEFECTS: readonly Defect[] = [
  // swapped dates: the quantities' year and the rectification deadline fall outside the validity too
  { ruleId: 'QR-001', also: ['QR-020', 'QR-021'], inject: ({ content: c }) => void ([c.validFrom, c.validTo] = [c.validTo, c.validFrom]) },
  { ruleId: 'QR-002', inject: ({ content: c }, r) => void (c.validTo = `${Number(c.validTo.slice(0, 4)) + r.int(1, 3)}${c.validTo.slice(4)}`) },
  { ruleId: 'QR-003', inject: ({ content: c }) => void (c.controlFacilities[1].code = c.controlFacilities[0].code) },
  { ruleId: 'QR-004', inject: ({ content: c }) => void c.outlets[0].pollutants.push({ ...so2(c) }) },
  { ruleId: 'QR-005', inject: ({ content: c }) => void (so2(c).limit = { ...(so2(c).limit as { direction: 'max'; value: number; unit: string }), unit: 'mg/L' }) },
  { ruleId: 'QR-006', inject: ({ content: c }, r) => void (c.outlets[1].pollutants.find((p) => p.limit?.direction === 'range')!.limit = { direction: 'range', low: r.int(9, 12), high: 6, unit: 'pH' }) },
  { ruleId: 'QR-007', inject: ({ content: c }, r) => void (c.outlets[1].pollutants.find((p) => p.limit?.direction === 'range')!.limit = { direction: 'range', low: -r.int(1, 5), high: 9, unit: 'pH' }) },
  { ruleId: 'QR-008', also: ['QR-105'], inject: ({ content: c }, r) => void (so2(c).limit = { direction: 'max', value: r.int(20_000, 90_000), unit: 'mg/m3' }) },
  { ruleId: 'QR-009', inject: ({ content: c }, r) => void (c.outlets[1].pollutants[0].referenceO2 = r.pick([3, 6, 9])) },
  { ruleId: 'QR-010', inject: ({ content: c }, r) => void (c.outlets[1].pollutants[0].rateLimit = { value: r.int(1, 20), unit: 'kg/h' }) },
  { ruleId: 'QR-011', inject: ({ content: c }, r) => void (c.outlets[1].heightM = r.int(8, 30)) },
  { ruleId: 'QR-012', inject: ({ content: c }) => void (c.outlets[0].receivingWater = '钱塘江') },
  { ruleId: 'QR-013', inject: ({ content: c }) => void delete c.outlets[0].heightM },
  { ruleId: 'QR-014', inject: ({ content: c }) => void c.permittedQuantities.push({ ...c.permittedQuantities[0] }) },
  { ruleId: 'QR-015', also: ['QR-120'], inject: ({ content: c }, r) => void (c.permittedQuantities[0].amount = r.int(3_000_000, 9_000_000)) },
  { ruleId: 'QR-016', inject: ({ content: c }, r) => void ((c.permittedQuantities[0].amount = r.int(150_000, 900_000)), delete c.outlets[0].designFlowM3h) },
  // monitoring moved off the outlet leaves its pollutant unmonitored
  { ruleId: 'QR-017', also: ['QR-112'], inject: ({ content: c }) => void (c.selfMonitoring[c.selfMonitoring.length - 1].outletCode = 'DW009') },
  { ruleId: 'QR-018', also: ['QR-112'], inject: ({ content: c }) => void (c.selfMonitoring[c.selfMonitoring.length - 1].pollutantCode = 'w99999') },
  { ruleId: 'QR-019', inject: ({ content: c }, r) => void c.permittedQuantities.push({ factor: 'COD', year: c.permittedQuantities[0].year, amount: r.int(1, 50), unit: 't/a', outletCode: 'DW001' }) },
  { ruleId: 'QR-020', inject: ({ content: c }, r) => void (c.permittedQuantities[0].year += 6 + r.int(0, 5)) },
  { ruleId: 'QR-021', inject: ({ content: c }, r) => void (c.rectifications[0].deadline = `${Number(c.validTo.slice(0, 4)) + r.int(1, 4)}-06-30`) },
  { ruleId: 'QR-101', inject: (p) => void (p.content.managementCategory = 'simplified') },
  {
    ruleId: 'QR-102',
    inject: ({ content: c }, r) => {
      const gone = r.pick(['SO2', 'NOx', 'particulate']);
      c.permittedQuantities = c.permittedQuantities.filter((q) => q.factor !== gone);
    },
  },
  { ruleId: 'QR-103', inject: ({ content: c }) => void ((c.outlets[0].kind = 'general'), (c.permittedQuantities = []), (c.selfMonitoring = c.selfMonitoring.map((s) => (s.outletCode === 'DA001' ? { ...s, mode: 'manual', frequency: '1次/季度' } : s)))) },
  { ruleId: 'QR-104', inject: ({ content: c }, r) => void (c.selfMonitoring[r.int(0, 2)].mode = 'manual') },
  // above the loosest table of GB 13271-2014 for SO2 (550 mg/m3); between its tables is QR-106's
  { ruleId: 'QR-105', inject: ({ content: c }, r) => void (so2(c).limit = { direction: 'max', value: r.int(560, 900), unit: 'mg/m3' }) },
  { ruleId: 'QR-106', inject: ({ content: c }, r) => void (so2(c).limit = { direction: 'max', value: r.int(301, 400), unit: 'mg/m3' }) },
  { ruleId: 'QR-107', inject: (p, r) => void (p.unit.regionCode = r.pick(['110105', '120101', '130102', '370102'])) },
  { ruleId: 'QR-108', inject: ({ content: c }, r) => void (so2(c).referenceO2 = r.pick([3, 6, 11])) },
  { ruleId: 'QR-109', inject: ({ content: c }) => void (c.outlets[0].pollutants = c.outlets[0].pollutants.map((p) => ({ ...p, standard: 'GB 16297-1996' }))) },
  { ruleId: 'QR-110', inject: ({ content: c }) => void (c.reports = [{ type: 'annual' }]) },
  {
    ruleId: 'QR-111',
    inject: ({ content: c }, r) => {
      // mercury at the main stack, monitored by hand less than quarterly
      c.outlets[0].pollutants.push({ pollutantCode: 'a20058', standard: 'GB 13271-2014', limit: { direction: 'max', value: 0.05, unit: 'mg/m3' }, referenceO2: 9 });
      c.selfMonitoring.push({ outletCode: 'DA001', pollutantCode: 'a20058', frequency: r.pick(['1次/年', '1次/半年', '2次/年']), mode: 'manual' });
    },
  },
  { ruleId: 'QR-112', inject: ({ content: c }) => void (c.selfMonitoring = c.selfMonitoring.slice(0, -1)) },
  { ruleId: 'QR-113', inject: ({ content: c }) => void c.permittedQuantities.push({ factor: 'SO2', year: c.permittedQuantities[0].year, amount: Math.round(c.permittedQuantities[0].amount * 0.5 * 100) / 100, unit: 't/a' }) },
  { ruleId: 'QR-114', inject: ({ content: c }) => void delete so2(c).limit },
  { ruleId: 'QR-115', inject: (p, r) => void (p.today = `${year(p) + 1}-0${r.int(2, 9)}-15`) },
  { ruleId: 'QR-116', inject: (p, r) => void (p.issuedOn = `${year(p)}-0${r.int(5, 9)}-10`) },
  // an expired permit's rectification deadline has passed as well
  { ruleId: 'QR-117', also: ['QR-115'], inject: (p, r) => void (p.today = `${Number(p.content.validTo.slice(0, 4)) + r.int(0, 2)}-12-31`) },
  { ruleId: 'QR-118', inject: (p) => void (p.permitNumber = `${p.permitNumber.slice(0, 17)}${p.permitNumber[17] === '0' ? '1' : '0'}${p.permitNumber.slice(18)}`) },
  { ruleId: 'QR-119', inject: ({ content: c }) => void delete c.outlets[1].receivingWater },
  // amounts are drawn at 50–90 % of limit × flow × hours: 2.5× or more is past the 10 % tolerance
  { ruleId: 'QR-120', inject: ({ content: c }, r) => void (c.permittedQuantities[r.int(0, 2)].amount *= 2.5 + r.next()) },
];

/** The defects a permit can be issued with (warnings, and errors the issue step does not check): for the demo. */
export const ISSUABLE_DEFECTS = ['QR-101', 'QR-102', 'QR-103', 'QR-104', 'QR-108', 'QR-110', 'QR-111', 'QR-112', 'QR-114', 'QR-119', 'QR-120'];

export interface LabelledPermit extends CorpusPermit {
  /** the rule that must find this permit's defect (null for a clean permit) */
  defect: string | null;
  /** every rule that must find something in it: the defect's and those it breaks as well */
  labels: readonly string[];
}

/**
 * `n` permits: each defect injected into `rate` of them (one a permit), the rest clean; the same
 * seed gives the same corpus.
 */
export function labelledCorpus(n: number, opts: { seed: number; rate: number }): LabelledPermit[] {
  const rnd = seededRandom(opts.seed);
  const out: LabelledPermit[] = [];
  for (let i = 0; i < n; i++) {
    const p = cleanPermit(rnd);
    const k = Math.floor(rnd.next() / opts.rate);
    const defect = k < DEFECTS.length ? DEFECTS[k] : null;
    defect?.inject(p, rnd);
    out.push({ ...p, defect: defect?.ruleId ?? null, labels: defect ? [defect.ruleId, ...(defect.also ?? [])] : [] });
  }
  return out;
}

export interface RuleScore {
  ruleId: string;
  /** permits labelled with the rule */
  injected: number;
  found: number;
  falsePositives: number;
  precision: number | null;
  recall: number | null;
}

/** Per rule: of the permits it hit, the share labelled with it (precision); of those labelled with it, the share it hit (recall). */
export function scoreCorpus(corpus: readonly LabelledPermit[], hitsOf: (p: LabelledPermit) => readonly { ruleId: string }[], ruleIds: readonly string[]): RuleScore[] {
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const labelled = new Map<string, number>();
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const p of corpus) {
    for (const l of p.labels) add(labelled, l);
    for (const r of new Set(hitsOf(p).map((h) => h.ruleId))) add(p.labels.includes(r) ? tp : fp, r);
  }
  return ruleIds.map((ruleId) => {
    const t = tp.get(ruleId) ?? 0;
    const f = fp.get(ruleId) ?? 0;
    const i = labelled.get(ruleId) ?? 0;
    return { ruleId, injected: i, found: t, falsePositives: f, precision: t + f ? t / (t + f) : null, recall: i ? t / i : null };
  });
}

/** The corpus permit as the rules take it. */
export const corpusContext = (p: CorpusPermit, tables: Pick<RuleContext, 'limits' | 'referenceOxygen'>): RuleContext => ({ content: p.content, permitNumber: p.permitNumber, issuedOn: p.issuedOn, unit: p.unit, today: p.today, ...tables });

// -- population leads: peer outliers and copied permits --------------------------------------------

/** Give a permit its own words (names, conditions), as two sites' permits have: without copying, texts differ. */
export function individualise(p: CorpusPermit, rnd: Rnd, i: number) {
  const c = p.content;
  const brand = `${rnd.pick(BRAND_WORDS)}${rnd.pick(BRAND_WORDS)}`;
  c.productionFacilities[0].name = `${brand}${rnd.int(1, 9)}号${rnd.pick(['燃煤', '燃气', '生物质'])}蒸汽锅炉`;
  c.controlFacilities = c.controlFacilities.map((f) => ({ ...f, name: `${rnd.pick(ROAD_WORDS)}厂区${f.name}（${rnd.int(1, 4)}套）` }));
  c.outlets[0].name = `${brand}锅炉房${rnd.int(1, 3)}号烟囱（${rnd.pick(['东', '西', '南', '北'])}侧）`;
  c.outlets[1].name = `${rnd.pick(ROAD_WORDS)}路${rnd.int(1, 999)}号厂区污水排放口`;
  c.specialConditions = [
    `${brand}锅炉房第 ${i} 号许可事项：${rnd.pick(['重污染天气', '汛期', '冬季采暖期'])}期间按应急预案${rnd.pick(['限产', '停产', '错峰'])}${rnd.int(10, 50)}%`,
    `${rnd.pick(ROAD_WORDS)}片区环境管理要求：厂界无组织排放每${rnd.pick(['季度', '半年'])}监测${rnd.int(1, 3)}次，台账保存${rnd.int(3, 5)}年`,
  ];
  c.rectifications = [{ requirement: `${rnd.int(3, 12)}个月内完成${rnd.pick(['排放口规范化整治', '在线监测联网', '脱硝设施提标改造'])}（${brand}）`, deadline: c.rectifications[0]?.deadline ?? c.validTo }];
}

export interface PopulationCorpus {
  permits: { id: string; permitNumber: string; industryCode: string; regionCode: string; agencyId: string | null; content: PermitContent }[];
  /** permits whose SO2 amount was multiplied (the peer-outlier label) */
  outliers: Set<string>;
  /** permits copied from another, and the ones they copied (the near-duplicate label) */
  copies: Set<string>;
}

/**
 * `n` boiler permits of one industry across the Hangzhou districts, each with its own words;
 * `rate` of them with the SO2 amount 8–15 times the usual, and `rate` of them copied from another
 * permit of the same agency with only the site changed.
 */
export function populationCorpus(n: number, opts: { seed: number; rate: number }): PopulationCorpus {
  const rnd = seededRandom(opts.seed);
  const permits: PopulationCorpus['permits'] = [];
  const outliers = new Set<string>();
  const copies = new Set<string>();
  for (let i = 0; i < n; i++) {
    const id = `c${String(i).padStart(6, '0')}`;
    const agencyId = `agency-${rnd.int(1, 20)}`;
    const roll = rnd.next();
    if (roll < opts.rate && permits.length > 0) {
      const source = permits[rnd.int(0, permits.length - 1)];
      const content = structuredClone(source.content);
      content.outlets = content.outlets.map((o) => ({ ...o, longitude: o.longitude + rnd.next() * 0.01, latitude: o.latitude + rnd.next() * 0.01 }));
      permits.push({ id, permitNumber: `COPY${i}`, industryCode: '4430', regionCode: source.regionCode, agencyId: source.agencyId, content });
      copies.add(id).add(source.id);
      // a copy of an outlier is one too
      if (outliers.has(source.id)) outliers.add(id);
      continue;
    }
    const p = cleanPermit(rnd);
    individualise(p, rnd, i);
    // amounts per capacity as plants report them: one boiler's amount scales with its size
    const cap = p.content.productionFacilities[0].capacity!.value;
    p.content.permittedQuantities = p.content.permittedQuantities.map((q) => ({ ...q, amount: Math.round(cap * (q.factor === 'particulate' ? 0.3 : 1.5) * (0.8 + 0.4 * rnd.next()) * 100) / 100 }));
    if (roll < 2 * opts.rate) {
      p.content.permittedQuantities[0].amount = Math.round(p.content.permittedQuantities[0].amount * rnd.int(8, 15) * 100) / 100;
      outliers.add(id);
    }
    permits.push({ id, permitNumber: p.permitNumber, industryCode: '4430', regionCode: p.unit.regionCode, agencyId, content: p.content });
  }
  return { permits, outliers, copies };
}

/** Precision and recall of a set of flagged ids against the labelled ones. */
export function flagScore(flagged: ReadonlySet<string>, labelled: ReadonlySet<string>) {
  let tp = 0;
  for (const x of flagged) if (labelled.has(x)) tp++;
  return { labelled: labelled.size, flagged: flagged.size, found: tp, precision: flagged.size ? tp / flagged.size : null, recall: labelled.size ? tp / labelled.size : null };
}
