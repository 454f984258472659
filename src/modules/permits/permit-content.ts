/**
 * What a permit's content must satisfy beyond the shape of each field (PermitContent in
 * contracts/permits.ts), and how two versions of it differ field by field.
 *
 * The checks here need nothing but the content itself: codes unique, units of measure that fit
 * the medium, ranges the right way round, self-monitoring and permitted quantities that point at
 * outlets and pollutants the permit has, validity within the legal five years. Checks against the
 * reference tables and the standards (a limit looser than the standard, the wrong standard for
 * the industry) are the quality-review rules' work (issue 4).
 */
import { CONCENTRATION_UNITS, type PermitContent } from '../../contracts/permits.ts';
import { createHash } from 'node:crypto';
import { dayNumber, periodEnd } from '../../platform/work-calendar.ts';
import { canonicalJson } from '../audit/index.ts';

/** sha256 of the content's canonical JSON: what a version holds, checkable later. */
export const contentSha256 = (content: PermitContent) => createHash('sha256').update(canonicalJson(content)).digest('hex');

/** 排污许可证有效期 5 years (排污许可管理条例 Art. 14; ../shared/domain/permit-lifecycle.json rule `validity`). */
export const PERMIT_VALIDITY_YEARS = 5;

/**
 * Plausibility bounds (not legal limits): a value beyond them is a typing slip (a unit or a
 * decimal point), not a permit. Concentrations: 10 g/m³ of gas or 100 g/L of water is beyond any
 * stack or outfall; pH runs 0–14. Quantities: China's SO2 emissions were 2.748 million t in 2021
 * (2021 年中国生态环境统计年报), so one site's permitted amount above 3 million t/a is impossible,
 * and above 100,000 t/a (the largest coal plants' order of magnitude is 10⁴ t/a) worth a look.
 */
const PLAUSIBLE_LIMIT_MAX: Record<string, number> = { 'mg/m3': 10_000, 'mg/L': 100_000, pH: 14 };
const QUANTITY_ABSURD_T_A = 3_000_000;
const QUANTITY_LARGE_T_A = 100_000;

export interface ContentProblem {
  code: string;
  severity: 'error' | 'warning';
  /** where, e.g. outlets[DA001].pollutants[a21026].limit */
  path: string;
  zh: string;
  en: string;
}

const mediumOf = (outletCode: string) => (outletCode[1] === 'A' ? 'air' : 'water');

/**
 * Day numbers of the dates permits use, remembered: a sweep checks hundreds of thousands of
 * permits whose validity and deadlines fall on far fewer dates. Only valid dates are kept (an
 * invalid one throws every time, as dayNumber does); the memo is emptied when it grows large.
 */
const dayMemo = new Map<string, number>();
const lastDayMemo = new Map<string, number>();
function remember(memo: Map<string, number>, key: string, n: number): number {
  if (memo.size >= 10_000) memo.clear();
  memo.set(key, n);
  return n;
}
const dayOf = (date: string) => dayMemo.get(date) ?? remember(dayMemo, date, dayNumber(date));
/** The day number of the last day of a validity of the legal length starting on `from`. */
const lastLegalDay = (from: string) => lastDayMemo.get(from) ?? remember(lastDayMemo, from, dayNumber(periodEnd(from, PERMIT_VALIDITY_YEARS)));

const pollutantPath = (outletPath: string, pollutantCode: string) => `${outletPath}.pollutants[${pollutantCode}]`;
/** The limit's values: low and high of a range, else the one value. */
const limitValues = (limit: NonNullable<PermitContent['outlets'][number]['pollutants'][number]['limit']>) => (limit.direction === 'range' ? [limit.low, limit.high] : [limit.value]);

// Paths and lists are written only for a problem found: most permits have few, and a sweep
// checks every row of every permit.
// Helpers at module level, not closures made a call: tsx (keepNames) names every closure a
// function declares, on each call, which cost as much as the checks of a small permit.
function addTo(out: ContentProblem[], code: string, severity: ContentProblem['severity'], path: string, zh: string, en: string) {
  out.push({ code, severity, path, zh, en });
}

function uniqueCodes(out: ContentProblem[], list: { code: string }[], path: string, what: string) {
  const seen = new Set<string>();
  for (const item of list) {
    if (seen.has(item.code)) addTo(out, 'CODE_DUPLICATE', 'error', `${path}[${item.code}]`, `${what}编号 ${item.code} 重复`, `${what === '排放口' ? 'outlet' : 'facility'} code ${item.code} appears twice`);
    seen.add(item.code);
  }
}

export function checkPermitContent(c: PermitContent): ContentProblem[] {
  const out: ContentProblem[] = [];

  // Validity: from before to, and not longer than the law allows.
  const from = dayOf(c.validFrom);
  const to = dayOf(c.validTo);
  if (to <= from) addTo(out, 'VALIDITY_ORDER', 'error', 'validTo', `有效期截止日 ${c.validTo} 不晚于起始日 ${c.validFrom}`, `validity ends (${c.validTo}) on or before it starts (${c.validFrom})`);
  if (to > lastLegalDay(c.validFrom)) addTo(out, 'VALIDITY_TOO_LONG', 'error', 'validTo', `有效期超过 ${PERMIT_VALIDITY_YEARS} 年（排污许可管理条例第十四条）`, `validity longer than ${PERMIT_VALIDITY_YEARS} years (排污许可管理条例 Art. 14)`);

  uniqueCodes(out, c.outlets, 'outlets', '排放口');
  uniqueCodes(out, c.productionFacilities, 'productionFacilities', '生产设施');
  uniqueCodes(out, c.controlFacilities, 'controlFacilities', '污染防治设施');

  const outlets = new Map<string, PermitContent['outlets'][number]>();
  for (const o of c.outlets) outlets.set(o.code, o);
  for (const o of c.outlets) {
    const medium = mediumOf(o.code);
    const at = `outlets[${o.code}]`;
    if (medium === 'water' && o.heightM !== undefined) addTo(out, 'HEIGHT_ON_WATER_OUTLET', 'warning', `${at}.heightM`, `废水排放口 ${o.code} 填写了排气筒高度`, `water outlet ${o.code} has a stack height`);
    if (medium === 'air' && o.receivingWater !== undefined) addTo(out, 'RECEIVING_WATER_ON_AIR_OUTLET', 'warning', `${at}.receivingWater`, `废气排放口 ${o.code} 填写了受纳水体`, `air outlet ${o.code} has a receiving water`);
    if (medium === 'air' && o.heightM === undefined && o.kind !== 'workshop') addTo(out, 'HEIGHT_MISSING', 'warning', `${at}.heightM`, `废气排放口 ${o.code} 未填写排气筒高度`, `air outlet ${o.code} has no stack height`);
    const seen = new Set<string>();
    for (const p of o.pollutants) {
      if (seen.has(p.pollutantCode)) addTo(out, 'POLLUTANT_DUPLICATE', 'error', pollutantPath(at, p.pollutantCode), `排放口 ${o.code} 的污染物 ${p.pollutantCode} 重复`, `pollutant ${p.pollutantCode} appears twice at outlet ${o.code}`);
      seen.add(p.pollutantCode);
      const limit = p.limit;
      if (limit) {
        const allowed = CONCENTRATION_UNITS[medium] as readonly string[];
        if (!allowed.includes(limit.unit)) {
          addTo(out, 'UNIT_OF_MEASURE', 'error', `${pollutantPath(at, p.pollutantCode)}.limit.unit`, `${medium === 'air' ? '废气' : '废水'}排放口限值单位 ${limit.unit} 不适用（可用：${allowed.join('、')}）`, `unit ${limit.unit} does not fit a ${medium} outlet (allowed: ${allowed.join(', ')})`);
        }
        const range = limit.direction === 'range';
        if (range && !(limit.low < limit.high)) addTo(out, 'RANGE_ORDER', 'error', `${pollutantPath(at, p.pollutantCode)}.limit`, `限值范围下限 ${limit.low} 不小于上限 ${limit.high}`, `range low ${limit.low} is not below high ${limit.high}`);
        const first = range ? limit.low : limit.value;
        const second = range ? limit.high : undefined;
        if (limit.unit !== '℃' && (first < 0 || (second !== undefined && second < 0))) addTo(out, 'LIMIT_NEGATIVE', 'error', `${pollutantPath(at, p.pollutantCode)}.limit`, `限值不能为负数：${limitValues(limit).join('～')} ${limit.unit}`, `a limit cannot be negative: ${limitValues(limit).join('–')} ${limit.unit}`);
        const most = PLAUSIBLE_LIMIT_MAX[limit.unit];
        if (most !== undefined && (first > most || (second !== undefined && second > most))) addTo(out, 'LIMIT_ABSURD', 'error', `${pollutantPath(at, p.pollutantCode)}.limit`, `限值 ${limitValues(limit).join('～')} ${limit.unit} 超出可能的范围（≤ ${most}）：请检查单位或小数点`, `a limit of ${limitValues(limit).join('–')} ${limit.unit} is beyond any possible value (≤ ${most}): check the unit or the decimal point`);
      }
      if (medium === 'water' && p.referenceO2 !== undefined) addTo(out, 'REFERENCE_O2_ON_WATER', 'error', `${pollutantPath(at, p.pollutantCode)}.referenceO2`, '废水污染物不适用基准氧含量', 'reference O2 does not apply to water');
      if (medium === 'water' && p.rateLimit !== undefined) addTo(out, 'RATE_ON_WATER', 'warning', `${pollutantPath(at, p.pollutantCode)}.rateLimit`, '废水污染物通常不设排放速率限值', 'water pollutants usually have no rate limit');
    }
  }

  const seenQuantity = new Set<string>();
  const yearFrom = Number(c.validFrom.slice(0, 4));
  const yearTo = Number(c.validTo.slice(0, 4));
  c.permittedQuantities.forEach((q, i) => {
    const key = `${q.factor}/${q.year}/${q.outletCode ?? '*'}`;
    const at = `permittedQuantities[${i}]`;
    if (seenQuantity.has(key)) addTo(out, 'QUANTITY_DUPLICATE', 'error', at, `许可排放量 ${q.factor} ${q.year} 年${q.outletCode ? `（${q.outletCode}）` : ''}重复`, `permitted quantity ${q.factor} ${q.year}${q.outletCode ? ` (${q.outletCode})` : ''} appears twice`);
    seenQuantity.add(key);
    if (q.amount > QUANTITY_ABSURD_T_A) addTo(out, 'QUANTITY_ABSURD', 'error', `${at}.amount`, `许可排放量 ${q.amount} t/a 超过全国一年的排放总量：请检查单位（kg 与 t）或小数点`, `a permitted ${q.amount} t/a exceeds the whole country's yearly emissions: check the unit (kg or t) or the decimal point`);
    else if (q.amount > QUANTITY_LARGE_T_A) addTo(out, 'QUANTITY_LARGE', 'warning', `${at}.amount`, `许可排放量 ${q.amount} t/a 异常大，请核实`, `a permitted ${q.amount} t/a is unusually large; please check`);
    if (q.outletCode !== undefined) {
      const o = outlets.get(q.outletCode);
      if (!o) addTo(out, 'UNKNOWN_OUTLET', 'error', `${at}.outletCode`, `许可排放量指向不存在的排放口 ${q.outletCode}`, `permitted quantity points at outlet ${q.outletCode}, which the permit does not have`);
      // HJ 942-2018: amounts are permitted for main outlets only.
      else if (o.kind !== 'main') addTo(out, 'QUANTITY_ON_NON_MAIN_OUTLET', 'warning', `${at}.outletCode`, `一般排放口 ${q.outletCode} 通常不许可排放量（HJ 942-2018）`, `outlet ${q.outletCode} is not a main outlet: amounts are permitted for main outlets (HJ 942-2018)`);
    }
    if (q.year < yearFrom || q.year > yearTo) addTo(out, 'QUANTITY_YEAR_OUTSIDE_VALIDITY', 'warning', `${at}.year`, `许可排放量年份 ${q.year} 不在有效期内`, `permitted quantity for ${q.year}, outside the validity`);
  });

  c.selfMonitoring.forEach((s, i) => {
    const o = outlets.get(s.outletCode);
    if (!o) addTo(out, 'UNKNOWN_OUTLET', 'error', `selfMonitoring[${i}].outletCode`, `自行监测指向不存在的排放口 ${s.outletCode}`, `self-monitoring points at outlet ${s.outletCode}, which the permit does not have`);
    else {
      let known = false;
      for (const p of o.pollutants) if (p.pollutantCode === s.pollutantCode) known = true;
      if (!known) addTo(out, 'UNKNOWN_POLLUTANT', 'error', `selfMonitoring[${i}].pollutantCode`, `排放口 ${s.outletCode} 未许可污染物 ${s.pollutantCode}`, `outlet ${s.outletCode} has no pollutant ${s.pollutantCode}`);
    }
  });

  c.rectifications.forEach((r, i) => {
    const deadline = dayOf(r.deadline);
    if (deadline <= from || deadline > to) addTo(out, 'RECTIFICATION_DEADLINE_OUTSIDE_VALIDITY', 'warning', `rectifications[${i}].deadline`, `改正期限 ${r.deadline} 不在有效期内`, `rectification deadline ${r.deadline} is outside the validity`);
  });
  return out;
}

// -- comparing versions -------------------------------------------------------------------------

export interface ContentChange {
  /** e.g. outlets[DA001].pollutants[a21026].limit.value */
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

/** The natural key of the items of each list, so that a reordered list is not a change. */
const ITEM_KEYS: Record<string, (item: any) => string> = {
  outlets: (o) => o.code,
  productionFacilities: (f) => f.code,
  controlFacilities: (f) => f.code,
  pollutants: (p) => p.pollutantCode,
  permittedQuantities: (q) => `${q.factor}/${q.year}${q.outletCode ? `/${q.outletCode}` : ''}`,
  selfMonitoring: (s) => `${s.outletCode}/${s.pollutantCode}`,
  reports: (r) => r.type,
  rectifications: (r) => r.requirement,
  specialConditions: (s) => s,
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function walk(a: unknown, b: unknown, path: string, listName: string, out: ContentChange[]) {
  if (Array.isArray(a) && Array.isArray(b)) {
    const keyOf = ITEM_KEYS[listName] ?? ((_: unknown, i?: number) => String(i));
    const index = (list: unknown[]) => {
      const m = new Map<string, unknown>();
      list.forEach((item, i) => {
        let k = (keyOf as (x: unknown, i: number) => string)(item, i);
        // Two items with one key (a duplicate the checks report): keep both apart.
        while (m.has(k)) k = `${k}#`;
        m.set(k, item);
      });
      return m;
    };
    const ma = index(a);
    const mb = index(b);
    for (const [k, va] of ma) {
      if (mb.has(k)) walk(va, mb.get(k), `${path}[${k}]`, listName, out);
      else out.push({ path: `${path}[${k}]`, kind: 'removed', before: va });
    }
    for (const [k, vb] of mb) if (!ma.has(k)) out.push({ path: `${path}[${k}]`, kind: 'added', after: vb });
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const p = path ? `${path}.${key}` : key;
      if (!(key in b) || b[key] === undefined) {
        if (a[key] !== undefined) out.push({ path: p, kind: 'removed', before: a[key] });
      } else if (!(key in a) || a[key] === undefined) out.push({ path: p, kind: 'added', after: b[key] });
      else walk(a[key], b[key], p, key, out);
    }
    return;
  }
  if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) out.push({ path, kind: 'changed', before: a, after: b });
}

/** Field-by-field differences from version a to version b (list items matched by their codes). */
export function diffPermitContent(a: PermitContent, b: PermitContent): ContentChange[] {
  const out: ContentChange[] = [];
  walk(a, b, '', '', out);
  return out;
}
