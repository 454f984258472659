/**
 * The quality-review rule catalog (质量审核规则, issue 4): every rule in one place, each with a
 * stable id, its title, its legal or technical basis, its severity, how to fix what it finds, and
 * the check itself. Rules compute in code; their thresholds and tables are data
 * (reference-data/review-rules/thresholds.json). The permit's own consistency checks
 * (permits/permit-content.ts) and its limits against the standards (permits/permit-standards.ts)
 * are catalogued here too, so that the guide (docs/rules.md, `ecopermit review rules`) lists
 * everything a permit is held to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PermitContent } from '../../contracts/permits.ts';
import type { ManagementCategory } from '../../contracts/registry.ts';
import { REFERENCE_DATA_DIR, type EmissionLimit } from '../reference/index.ts';
import { analysePermitNumber, canonicalStandard, checkAgainstStandards, checkPermitContent } from '../permits/index.ts';

type Label = { zh: string; en: string };
export type Severity = 'error' | 'warning' | 'notice';

export interface RuleContext {
  content: PermitContent;
  permitNumber?: string;
  /** the issue date of the version that set the validity (absent for a change, which keeps it) */
  issuedOn?: string;
  /** the site as the registry has it */
  unit?: { regionCode: string; industryCode: string; managementCategory: ManagementCategory | null };
  today: string;
  limits: readonly EmissionLimit[];
  /** 基准氧含量 per standard (emission-limits.json reference_oxygen) */
  referenceOxygen: readonly { standard: string; percent: number; confidence: string }[];
}

export interface Finding {
  path: string;
  zh: string;
  en: string;
  /** when the check itself grades it (content checks); else the rule's severity */
  severity?: Severity;
}

export interface Rule {
  id: string;
  code: string;
  title: Label;
  basis: Label;
  severity: Severity;
  fix: Label;
  check(ctx: RuleContext): Finding[];
}

interface Thresholds {
  required_reports: { key: string[]; simplified: string[] };
  quantity_factors: { air: string[]; water: string[] };
  automatic_monitoring: { air: string[]; water: string[] };
  minimum_manual_frequency_per_year: { main: number; general: number };
  industry_standards: Record<string, { air?: string[]; water?: string[] } | string>;
  special_limit_regions: { prefixes: string[] };
  validity_start_before_issue_days: { value: number };
  quantity_from_limit: { tolerance: number; factor_pollutants: Record<string, string> };
  review_tasks: {
    periods: Record<'national' | 'provincial' | 'municipal', 'half-year' | 'quarter'>;
    default_sample_rate: Record<'national' | 'provincial' | 'municipal', number>;
    default_targeted_share: number;
    max_sample: number;
    risk_weights: { rule_error: number; rule_warning: number; peer_outlier: number; near_duplicate: number; agency_problem_rate: number; category_change: number };
    rectification_days: number;
  };
  quality_score: { error: number; warning: number; notice: number; confirmed_factor: number; floor: number };
  population: { min_peers: number; robust_z: number; minhash_bands: number; minhash_rows: number; near_duplicate_similarity: number };
}

let loaded: Thresholds | undefined;
export function thresholds(): Thresholds {
  loaded ??= JSON.parse(readFileSync(join(REFERENCE_DATA_DIR, 'review-rules', 'thresholds.json'), 'utf8')) as Thresholds;
  return loaded;
}

const medium = (outletCode: string) => (outletCode[1] === 'A' ? 'air' : 'water');

// Indexes of the reference tables, built once per snapshot (a sweep runs the rules on every permit).
const specialIndex = new WeakMap<readonly EmissionLimit[], Map<string, number>>();
/** The strictest special limit (特别排放限值) per standard, pollutant and unit. */
function specialLimits(limits: readonly EmissionLimit[]) {
  let m = specialIndex.get(limits);
  if (!m) {
    m = new Map();
    for (const l of limits) {
      if (!l.pollutantCode || l.limitValue === null || !/特别/.test(l.tableName)) continue;
      const key = `${canonicalStandard(l.standard)}|${l.pollutantCode}|${l.unit}`;
      m.set(key, Math.min(m.get(key) ?? Infinity, l.limitValue));
    }
    specialIndex.set(limits, m);
  }
  return m;
}
const oxygenIndex = new WeakMap<RuleContext['referenceOxygen'], Map<string, RuleContext['referenceOxygen'][number][]>>();
function oxygenOf(rows: RuleContext['referenceOxygen']) {
  let m = oxygenIndex.get(rows);
  if (!m) {
    m = new Map();
    for (const r of rows) {
      const key = canonicalStandard(r.standard) ?? r.standard;
      m.set(key, [...(m.get(key) ?? []), r]);
    }
    oxygenIndex.set(rows, m);
  }
  return m;
}
const REPORT_NAMES: Record<string, string> = { annual: '年度', 'half-year': '半年', quarterly: '季度', monthly: '月度' };

const timesMemo = new Map<string, number | null>();
/** Times a year a frequency as written means ("1次/季度", "每月1次", "2次/年"); null for automatic or unreadable. */
export function timesPerYear(frequency: string): number | null {
  // a few ways of writing it recur across every permit a sweep reads: read each once
  let n = timesMemo.get(frequency);
  if (n === undefined) {
    n = readFrequency(frequency);
    if (timesMemo.size >= 10_000) timesMemo.clear();
    timesMemo.set(frequency, n);
  }
  return n;
}

function readFrequency(frequency: string): number | null {
  if (/自动/.test(frequency)) return null;
  const per: Record<string, number> = { 日: 365, 天: 365, 周: 52, 月: 12, 季度: 4, 季: 4, 半年: 2, 年: 1 };
  const m = /(\d+)\s*次\s*\/\s*(日|天|周|月|季度|季|半年|年)/.exec(frequency) ?? /每\s*(日|天|周|月|季度|季|半年|年)\s*(\d+)\s*次/.exec(frequency);
  if (!m) return null;
  const [n, unit] = /^\d/.test(m[1]) ? [Number(m[1]), m[2]] : [Number(m[2]), m[1]];
  return n * per[unit];
}

// -- the permit's own consistency checks, catalogued ------------------------------------------------

const CONTENT_RULES: [code: string, id: string, title: Label, basis: Label, fix: Label][] = [
  ['VALIDITY_ORDER', 'QR-001', { zh: '有效期起止颠倒', en: 'Validity ends before it starts' }, { zh: '排污许可管理条例第十四条', en: '条例 Art.14' }, { zh: '核对有效期起止日期', en: 'Correct the validity dates' }],
  ['VALIDITY_TOO_LONG', 'QR-002', { zh: '有效期超过五年', en: 'Validity longer than five years' }, { zh: '排污许可管理条例第十四条（有效期五年）', en: '条例 Art.14 (five years)' }, { zh: '有效期截止日不晚于起始日起五年', en: 'End the validity within five years of its start' }],
  ['CODE_DUPLICATE', 'QR-003', { zh: '排放口或设施编号重复', en: 'Outlet or facility code used twice' }, { zh: 'HJ 608-2017 排污单位编码规则', en: 'HJ 608-2017 coding rules' }, { zh: '每个排放口、设施使用唯一编号', en: 'Give each outlet and facility its own code' }],
  ['POLLUTANT_DUPLICATE', 'QR-004', { zh: '同一排放口的污染物重复', en: 'Pollutant listed twice at one outlet' }, { zh: 'HJ 942-2018', en: 'HJ 942-2018' }, { zh: '合并重复的污染物行', en: 'Merge the repeated rows' }],
  ['UNIT_OF_MEASURE', 'QR-005', { zh: '限值计量单位与排放口类型不符', en: 'Unit of measure does not fit the outlet' }, { zh: 'HJ 942-2018；相应排放标准', en: 'HJ 942-2018; the applicable standard' }, { zh: '废气用 mg/m3，废水用 mg/L（pH 无量纲）', en: 'Use mg/m3 for gas, mg/L for water (pH has none)' }],
  ['RANGE_ORDER', 'QR-006', { zh: '限值范围下限不小于上限', en: 'Range limit low not below high' }, { zh: '相应排放标准', en: 'the applicable standard' }, { zh: '按“下限～上限”填写', en: 'Write the range as low–high' }],
  ['LIMIT_NEGATIVE', 'QR-007', { zh: '限值为负数', en: 'Negative limit' }, { zh: '相应排放标准', en: 'the applicable standard' }, { zh: '核对限值', en: 'Check the limit' }],
  ['LIMIT_ABSURD', 'QR-008', { zh: '限值超出可能范围', en: 'Limit beyond any possible value' }, { zh: '计量常识（单位或小数点错误）', en: 'plausibility (a unit or decimal slip)' }, { zh: '核对单位与小数点', en: 'Check the unit and the decimal point' }],
  ['REFERENCE_O2_ON_WATER', 'QR-009', { zh: '废水污染物填写了基准氧含量', en: 'Reference O2 on a water pollutant' }, { zh: '基准氧含量只适用于废气（相应排放标准）', en: 'reference O2 applies to gas only' }, { zh: '删除废水污染物的基准氧含量', en: 'Remove it from the water pollutant' }],
  ['RATE_ON_WATER', 'QR-010', { zh: '废水污染物设排放速率限值', en: 'Rate limit on a water pollutant' }, { zh: 'HJ 942-2018', en: 'HJ 942-2018' }, { zh: '核实是否确需速率限值', en: 'Check whether a rate limit is meant' }],
  ['HEIGHT_ON_WATER_OUTLET', 'QR-011', { zh: '废水排放口填写了排气筒高度', en: 'Stack height on a water outlet' }, { zh: 'HJ 942-2018', en: 'HJ 942-2018' }, { zh: '删除废水排放口的排气筒高度', en: 'Remove it' }],
  ['RECEIVING_WATER_ON_AIR_OUTLET', 'QR-012', { zh: '废气排放口填写了受纳水体', en: 'Receiving water on an air outlet' }, { zh: 'HJ 942-2018', en: 'HJ 942-2018' }, { zh: '删除废气排放口的受纳水体', en: 'Remove it' }],
  ['HEIGHT_MISSING', 'QR-013', { zh: '废气排放口缺排气筒高度', en: 'Air outlet without stack height' }, { zh: 'HJ 942-2018；相应排放标准（排气筒高度要求）', en: 'HJ 942-2018; the standard\'s stack-height rules' }, { zh: '填写排气筒高度（米）', en: 'Give the stack height (m)' }],
  ['QUANTITY_DUPLICATE', 'QR-014', { zh: '许可排放量重复', en: 'Permitted quantity listed twice' }, { zh: 'HJ 942-2018', en: 'HJ 942-2018' }, { zh: '每个因子、年度、排放口只列一次', en: 'One row per factor, year and outlet' }],
  ['QUANTITY_ABSURD', 'QR-015', { zh: '许可排放量超出可能范围', en: 'Permitted quantity beyond any possible value' }, { zh: '全国排放总量（2021 年中国生态环境统计年报）', en: 'national totals (2021 environmental statistics)' }, { zh: '核对单位（kg 与 t）和小数点', en: 'Check the unit (kg or t) and decimal point' }],
  ['QUANTITY_LARGE', 'QR-016', { zh: '许可排放量异常大', en: 'Unusually large permitted quantity' }, { zh: '同类最大机组的量级', en: 'the largest plants\' order of magnitude' }, { zh: '核实计算依据', en: 'Check how it was computed' }],
  ['UNKNOWN_OUTLET', 'QR-017', { zh: '引用了不存在的排放口', en: 'Reference to an outlet the permit lacks' }, { zh: 'HJ 942-2018', en: 'HJ 942-2018' }, { zh: '补充排放口或更正编号', en: 'Add the outlet or correct the code' }],
  ['UNKNOWN_POLLUTANT', 'QR-018', { zh: '自行监测的污染物未在排放口许可', en: 'Self-monitoring of a pollutant the outlet is not permitted' }, { zh: 'HJ 819-2017', en: 'HJ 819-2017' }, { zh: '补充许可污染物或更正监测方案', en: 'Add the pollutant or correct the plan' }],
  ['QUANTITY_ON_NON_MAIN_OUTLET', 'QR-019', { zh: '一般排放口许可了排放量', en: 'Amount permitted on a general outlet' }, { zh: 'HJ 942-2018（许可排放量针对主要排放口）', en: 'HJ 942-2018 (amounts for main outlets)' }, { zh: '核实排放口类型或删除该量', en: 'Check the outlet type or remove the amount' }],
  ['QUANTITY_YEAR_OUTSIDE_VALIDITY', 'QR-020', { zh: '许可排放量年份不在有效期内', en: 'Quantity for a year outside the validity' }, { zh: 'HJ 942-2018', en: 'HJ 942-2018' }, { zh: '按有效期内各年度填写', en: 'Give the years of the validity' }],
  ['RECTIFICATION_DEADLINE_OUTSIDE_VALIDITY', 'QR-021', { zh: '改正期限不在有效期内', en: 'Rectification deadline outside the validity' }, { zh: '排污许可管理条例第四十六条（限期整改）', en: '条例 Art.46' }, { zh: '在有效期内确定改正期限', en: 'Set a deadline within the validity' }],
];

/**
 * The last context's result of a check shared by several rules. The catalog runs all its rules
 * over one context before the next, so one entry is all a memo needs (a WeakMap entry per
 * permit, two per permit in a sweep, cost more than some of the rules).
 */
function lastOf<T>(compute: (ctx: RuleContext) => T): (ctx: RuleContext) => T {
  let last: RuleContext | undefined;
  let value: T;
  return (ctx) => {
    if (ctx !== last) {
      value = compute(ctx);
      last = ctx;
    }
    return value;
  };
}
const contentProblems = lastOf((ctx) => checkPermitContent(ctx.content));
// QR-105 and QR-106 are two grades of one comparison with the standards
const standardProblems = lastOf((ctx) => checkAgainstStandards(ctx.content, ctx.limits));

const contentRules: Rule[] = CONTENT_RULES.map(([code, id, title, basis, fix]) => ({
  id,
  code,
  title,
  basis,
  severity: 'error',
  fix,
  check: (ctx) => contentProblems(ctx).filter((p) => p.code === code).map((p) => ({ path: p.path, zh: p.zh, en: p.en, severity: p.severity })),
}));

// -- rules over the permit, the site and the reference tables ---------------------------------------

const RANK: Record<string, number> = { registration: 0, simplified: 1, key: 2 };

const computed: Rule[] = [
  {
    id: 'QR-101',
    code: 'CATEGORY_DOWNGRADE',
    title: { zh: '管理类别低于名录判定', en: 'Management category below the directory\'s' },
    basis: { zh: '固定污染源排污许可分类管理名录（2019 年版）；排污许可管理条例第五条', en: 'classification directory (2019); 条例 Art.5' },
    severity: 'error',
    fix: { zh: '按名录判定的类别申请（重点管理应申请重点管理许可证）', en: 'Apply under the category the directory gives' },
    check: ({ content, unit }) =>
      unit?.managementCategory && RANK[content.managementCategory] < RANK[unit.managementCategory]
        ? [{ path: 'managementCategory', zh: `许可证为“${content.managementCategory}”，名录判定为“${unit.managementCategory}”`, en: `the permit says ${content.managementCategory}, the directory ${unit.managementCategory}` }]
        : [],
  },
  {
    id: 'QR-102',
    code: 'KEY_WITHOUT_QUANTITIES',
    title: { zh: '重点管理缺主要污染物许可排放量', en: 'Key management without permitted quantities' },
    basis: { zh: 'HJ 942-2018；排污许可管理条例第十三条', en: 'HJ 942-2018; 条例 Art.13' },
    severity: 'error',
    fix: { zh: '按技术规范核算并填写主要污染物年许可排放量', en: 'Compute and give the yearly amounts of the main pollutants' },
    check: ({ content }) => {
      if (content.managementCategory !== 'key') return [];
      const t = thresholds().quantity_factors;
      let air = false;
      let water = false;
      for (const o of content.outlets) if (o.kind === 'main') medium(o.code) === 'air' ? (air = true) : (water = true);
      const missing: string[] = [];
      for (const f of [...(air ? t.air : []), ...(water ? t.water : [])]) if (!content.permittedQuantities.some((q) => q.factor === f)) missing.push(f);
      return missing.length ? [{ path: 'permittedQuantities', zh: `缺少许可排放量：${missing.join('、')}`, en: `no permitted quantity for ${missing.join(', ')}` }] : [];
    },
  },
  {
    id: 'QR-103',
    code: 'KEY_WITHOUT_MAIN_OUTLET',
    title: { zh: '重点管理没有主要排放口', en: 'Key management without a main outlet' },
    basis: { zh: 'HJ 942-2018（主要排放口的确定）', en: 'HJ 942-2018 (main outlets)' },
    severity: 'warning',
    fix: { zh: '按行业技术规范确定主要排放口', en: 'Designate the main outlets the sector specification names' },
    check: ({ content }) => (content.managementCategory === 'key' && content.outlets.length > 0 && !content.outlets.some((o) => o.kind === 'main') ? [{ path: 'outlets', zh: `${content.outlets.length} 个排放口均非主要排放口`, en: `none of the ${content.outlets.length} outlets is a main outlet` }] : []),
  },
  {
    id: 'QR-104',
    code: 'MAIN_OUTLET_NOT_AUTOMATIC',
    title: { zh: '主要排放口主要污染物未自动监测', en: 'Main pollutant of a main outlet not monitored automatically' },
    basis: { zh: '排污许可管理条例第二十条；HJ 819-2017', en: '条例 Art.20; HJ 819-2017' },
    severity: 'warning',
    fix: { zh: '安装自动监测设备并与生态环境部门联网', en: 'Install automatic monitoring networked with the authority' },
    check: ({ content }) => {
      if (content.managementCategory !== 'key') return [];
      const t = thresholds().automatic_monitoring;
      const out: Finding[] = [];
      for (const o of content.outlets) {
        if (o.kind !== 'main') continue;
        const main = medium(o.code) === 'air' ? t.air : t.water;
        for (const p of o.pollutants) {
          if (!main.includes(p.pollutantCode)) continue;
          if (!content.selfMonitoring.some((s) => s.outletCode === o.code && s.pollutantCode === p.pollutantCode && s.mode === 'automatic')) {
            out.push({ path: `selfMonitoring[${o.code}/${p.pollutantCode}]`, zh: `主要排放口 ${o.code} 的 ${p.pollutantCode} 未自动监测`, en: `${p.pollutantCode} at main outlet ${o.code} is not monitored automatically` });
          }
        }
      }
      return out;
    },
  },
  {
    id: 'QR-105',
    code: 'LIMIT_ABOVE_STANDARD',
    title: { zh: '许可浓度宽于执行标准', en: 'Permitted concentration looser than the standard' },
    basis: { zh: '排污许可管理条例第十一条；所列执行标准', en: '条例 Art.11; the standard named' },
    severity: 'error',
    fix: { zh: '许可浓度不得宽于执行标准的限值', en: 'Permit no more than the standard allows' },
    check: (ctx) => standardProblems(ctx).filter((p) => p.code === 'LIMIT_ABOVE_STANDARD').map((p) => ({ path: p.path, zh: p.zh, en: p.en, severity: p.severity })),
  },
  {
    id: 'QR-106',
    code: 'LIMIT_ABOVE_STRICTER_TABLE',
    title: { zh: '许可浓度宽于标准中较严的表', en: 'Looser than a stricter table of the standard' },
    basis: { zh: '所列执行标准（新建、现有、特别排放限值各表的适用条件）', en: 'the standard named (which table applies)' },
    severity: 'warning',
    fix: { zh: '核实适用新建源、现有源或特别排放限值', en: 'Check whether the new-source, existing-source or special table applies' },
    check: (ctx) => standardProblems(ctx).filter((p) => p.code === 'LIMIT_ABOVE_STRICTER_TABLE').map((p) => ({ path: p.path, zh: p.zh, en: p.en })),
  },
  {
    id: 'QR-107',
    code: 'SPECIAL_LIMIT_NOT_APPLIED',
    title: { zh: '重点地区未执行特别排放限值', en: 'Special limits not applied in a key region' },
    basis: { zh: '生态环境部公告 2018 年第 9 号（京津冀大气污染传输通道城市执行特别排放限值）', en: 'MEE announcement 2018 No.9 (special limits in the 2+26 cities)' },
    severity: 'warning',
    fix: { zh: '按标准中特别排放限值表确定许可浓度', en: 'Permit the standard\'s special-limit values' },
    check: ({ content, unit, limits }) => {
      if (!unit || !thresholds().special_limit_regions.prefixes.some((p) => unit.regionCode.startsWith(p))) return [];
      const out: Finding[] = [];
      for (const o of content.outlets) {
        for (const p of o.pollutants) {
          if (p.limit?.direction !== 'max') continue;
          const strictest = specialLimits(limits).get(`${canonicalStandard(p.standard)}|${p.pollutantCode}|${p.limit.unit}`);
          if (strictest !== undefined && p.limit.value > strictest) out.push({ path: `outlets[${o.code}].pollutants[${p.pollutantCode}].limit.value`, zh: `${p.limit.value} ${p.limit.unit} 宽于特别排放限值 ${strictest}`, en: `${p.limit.value} ${p.limit.unit} is looser than the special limit ${strictest}` });
        }
      }
      return out;
    },
  },
  {
    id: 'QR-108',
    code: 'REFERENCE_O2',
    title: { zh: '基准氧含量缺失或与标准不符', en: 'Reference O2 missing or not the standard\'s' },
    basis: { zh: '所列执行标准（实测浓度折算至基准氧含量）', en: 'the standard named (correction to reference O2)' },
    severity: 'error',
    fix: { zh: '按标准规定的基准氧含量填写（如 GB 13271-2014 燃煤锅炉 9%、燃油燃气 3.5%）', en: 'Give the standard\'s reference O2 (e.g. GB 13271-2014: 9 % coal, 3.5 % oil/gas)' },
    check: ({ content, referenceOxygen }) => {
      const out: Finding[] = [];
      const oxygen = oxygenOf(referenceOxygen);
      for (const o of content.outlets) {
        if (medium(o.code) !== 'air') continue;
        for (const p of o.pollutants) {
          if (p.limit?.unit !== 'mg/m3') continue;
          const rows = oxygen.get(canonicalStandard(p.standard) ?? p.standard);
          if (!rows?.length) continue;
          const given = p.referenceO2;
          if (given !== undefined && rows.some((r) => r.percent === given)) continue;
          const path = `outlets[${o.code}].pollutants[${p.pollutantCode}].referenceO2`;
          const allowed = rows.map((r) => r.percent);
          if (given === undefined) out.push({ path, zh: `${p.standard} 的浓度须折算，未填基准氧含量（${allowed.join('% 或 ')}%）`, en: `${p.standard} concentrations are corrected: no reference O2 given (${allowed.join('% or ')}%)`, severity: 'warning' });
          else out.push({ path, zh: `基准氧含量 ${given}% 不是 ${p.standard} 的规定值（${allowed.join('%、')}%）`, en: `reference O2 ${given}% is not ${p.standard}'s (${allowed.join('%, ')}%)`, severity: rows.every((r) => r.confidence === 'confirmed') ? 'error' : 'warning' });
        }
      }
      return out;
    },
  },
  {
    id: 'QR-109',
    code: 'STANDARD_FOR_INDUSTRY',
    title: { zh: '主要排放口执行标准与行业不符', en: 'Main outlet standard not the industry\'s' },
    basis: { zh: '行业排放标准（火电 GB 13223、锅炉 GB 13271、水泥 GB 4915、城镇污水处理 GB 18918）', en: 'sector emission standards' },
    severity: 'warning',
    fix: { zh: '执行本行业的排放标准（或更严的地方标准）', en: 'Apply the sector\'s standard (or a stricter local one)' },
    check: ({ content, unit }) => {
      const table = unit ? thresholds().industry_standards[unit.industryCode] : undefined;
      if (!table || typeof table === 'string') return [];
      const out: Finding[] = [];
      for (const o of content.outlets.filter((x) => x.kind === 'main')) {
        const want = table[medium(o.code)];
        if (!want) continue;
        for (const p of o.pollutants) {
          const std = canonicalStandard(p.standard) ?? p.standard;
          if (std.startsWith('DB') || want.includes(std)) continue;
          out.push({ path: `outlets[${o.code}].pollutants[${p.pollutantCode}].standard`, zh: `行业 ${unit!.industryCode} 的主要排放口应执行 ${want.join(' 或 ')}，许可证为 ${p.standard}`, en: `main outlets of industry ${unit!.industryCode} follow ${want.join(' or ')}, not ${p.standard}` });
        }
      }
      return out;
    },
  },
  {
    id: 'QR-110',
    code: 'EXECUTION_REPORTS_MISSING',
    title: { zh: '缺少应提交的执行报告', en: 'Execution reports missing' },
    basis: { zh: 'HJ 944-2018；排污许可管理条例第二十二条', en: 'HJ 944-2018; 条例 Art.22' },
    severity: 'error',
    fix: { zh: '按管理类别规定年度、季度等执行报告要求', en: 'Require the reports the category needs' },
    check: ({ content }) => {
      const want = content.managementCategory === 'registration' ? [] : thresholds().required_reports[content.managementCategory];
      const have = new Set(content.reports.map((r) => r.type as string));
      const missing = want.filter((r) => !have.has(r));
      return missing.length ? [{ path: 'reports', zh: `缺少${missing.map((r) => REPORT_NAMES[r] ?? r).join('、')}执行报告要求`, en: `no ${missing.join(', ')} report required` }] : [];
    },
  },
  {
    id: 'QR-111',
    code: 'MANUAL_FREQUENCY_LOW',
    title: { zh: '手工监测频次低于最低要求', en: 'Manual monitoring less often than required' },
    basis: { zh: 'HJ 819-2017 排污单位自行监测技术指南 总则', en: 'HJ 819-2017' },
    severity: 'warning',
    fix: { zh: '提高监测频次（主要排放口至少每季度一次）', en: 'Monitor more often (main outlets at least quarterly)' },
    check: ({ content }) => {
      const min = thresholds().minimum_manual_frequency_per_year;
      const kinds = new Map(content.outlets.map((o) => [o.code, o.kind]));
      const out: Finding[] = [];
      content.selfMonitoring.forEach((s, i) => {
        if (s.mode !== 'manual') return;
        const n = timesPerYear(s.frequency);
        const need = kinds.get(s.outletCode) === 'main' ? min.main : min.general;
        if (n !== null && n < need) out.push({ path: `selfMonitoring[${i}].frequency`, zh: `${s.outletCode} 的 ${s.pollutantCode} 监测“${s.frequency}”（每年 ${n} 次）低于每年 ${need} 次`, en: `${s.pollutantCode} at ${s.outletCode} monitored "${s.frequency}" (${n} a year), less than ${need}` });
      });
      return out;
    },
  },
  {
    id: 'QR-112',
    code: 'LIMITED_POLLUTANT_NOT_MONITORED',
    title: { zh: '许可了限值的污染物没有自行监测', en: 'A limited pollutant is not monitored' },
    basis: { zh: '排污许可管理条例第十九条；HJ 819-2017', en: '条例 Art.19; HJ 819-2017' },
    severity: 'warning',
    fix: { zh: '在自行监测方案中补充该污染物', en: 'Add the pollutant to the monitoring plan' },
    check: ({ content }) => {
      const out: Finding[] = [];
      for (const o of content.outlets) {
        for (const p of o.pollutants) {
          if (!p.limit || content.selfMonitoring.some((s) => s.outletCode === o.code && s.pollutantCode === p.pollutantCode)) continue;
          out.push({ path: `outlets[${o.code}].pollutants[${p.pollutantCode}]`, zh: `${o.code} 的 ${p.pollutantCode} 有许可限值但无监测要求`, en: `${p.pollutantCode} at ${o.code} has a limit but no monitoring` });
        }
      }
      return out;
    },
  },
  {
    id: 'QR-113',
    code: 'OUTLET_QUANTITIES_EXCEED_TOTAL',
    title: { zh: '各排放口许可量之和超过全厂许可量', en: 'Outlet quantities exceed the site total' },
    basis: { zh: 'HJ 942-2018（全厂许可排放量）', en: 'HJ 942-2018 (site totals)' },
    severity: 'error',
    fix: { zh: '使各排放口之和不超过全厂合计', en: 'Make the outlets add up to no more than the total' },
    check: ({ content }) => {
      const out: Finding[] = [];
      for (const total of content.permittedQuantities.filter((q) => !q.outletCode)) {
        const sum = content.permittedQuantities.filter((q) => q.outletCode && q.factor === total.factor && q.year === total.year).reduce((s, q) => s + q.amount, 0);
        if (sum > total.amount + 1e-9) out.push({ path: `permittedQuantities[${total.factor}/${total.year}]`, zh: `${total.year} 年 ${total.factor} 各排放口合计 ${sum} t/a，超过全厂 ${total.amount} t/a`, en: `${total.factor} ${total.year}: outlets add up to ${sum} t/a, more than the site's ${total.amount} t/a` });
      }
      return out;
    },
  },
  {
    id: 'QR-114',
    code: 'MAIN_POLLUTANT_WITHOUT_LIMIT',
    title: { zh: '主要排放口主要污染物未许可浓度', en: 'Main pollutant of a main outlet without a limit' },
    basis: { zh: '排污许可管理条例第十三条（许可排放浓度）', en: '条例 Art.13 (permitted concentrations)' },
    severity: 'warning',
    fix: { zh: '按执行标准填写许可排放浓度', en: 'Give the permitted concentration from the standard' },
    check: ({ content }) => {
      const t = thresholds().automatic_monitoring;
      const out: Finding[] = [];
      for (const o of content.outlets) {
        if (o.kind !== 'main') continue;
        const main = medium(o.code) === 'air' ? t.air : t.water;
        for (const p of o.pollutants) if (!p.limit && main.includes(p.pollutantCode)) out.push({ path: `outlets[${o.code}].pollutants[${p.pollutantCode}].limit`, zh: `${o.code} 的 ${p.pollutantCode} 没有许可浓度`, en: `${p.pollutantCode} at ${o.code} has no limit` });
      }
      return out;
    },
  },
  {
    id: 'QR-115',
    code: 'RECTIFICATION_DEADLINE_PAST',
    title: { zh: '改正期限已过', en: 'Rectification deadline passed' },
    basis: { zh: '排污许可管理条例第四十六条', en: '条例 Art.46' },
    severity: 'notice',
    fix: { zh: '核实是否已完成整改并销号', en: 'Check the rectification was done and closed' },
    check: ({ content, today }) => content.rectifications.map((r, i) => ({ r, i })).filter(({ r }) => r.deadline < today).map(({ r, i }) => ({ path: `rectifications[${i}].deadline`, zh: `“${r.requirement.slice(0, 30)}”的期限 ${r.deadline} 已过`, en: `the deadline ${r.deadline} of "${r.requirement.slice(0, 30)}" has passed` })),
  },
  {
    id: 'QR-116',
    code: 'VALIDITY_START_BEFORE_ISSUE',
    title: { zh: '有效期起始早于发证日期', en: 'Validity starts before the issue date' },
    basis: { zh: '排污许可管理条例第十四条', en: '条例 Art.14' },
    severity: 'warning',
    fix: { zh: '核对发证日期与有效期起始日', en: 'Check the issue date and the start of validity' },
    check: ({ content, issuedOn }) => {
      if (!issuedOn) return [];
      const days = (Date.parse(issuedOn) - Date.parse(content.validFrom)) / 86_400_000;
      return days > thresholds().validity_start_before_issue_days.value ? [{ path: 'validFrom', zh: `有效期自 ${content.validFrom} 起，早于发证日期 ${issuedOn} ${days} 天`, en: `validity from ${content.validFrom}, ${days} days before the issue date ${issuedOn}` }] : [];
    },
  },
  {
    id: 'QR-117',
    code: 'PERMIT_EXPIRED',
    title: { zh: '许可证已过有效期', en: 'Permit expired' },
    basis: { zh: '排污许可管理条例第十四条（届满前 60 日申请延续）', en: '条例 Art.14' },
    severity: 'notice',
    fix: { zh: '督促延续或注销', en: 'Have it renewed or cancelled' },
    check: ({ content, today }) => (content.validTo < today ? [{ path: 'validTo', zh: `有效期已于 ${content.validTo} 届满`, en: `expired on ${content.validTo}` }] : []),
  },
  {
    id: 'QR-118',
    code: 'PERMIT_NUMBER_DOUBTFUL',
    title: { zh: '许可证编号存疑', en: 'Doubtful permit number' },
    basis: { zh: '排污许可管理条例第十二条；HJ 608-2017', en: '条例 Art.12; HJ 608-2017' },
    severity: 'warning',
    fix: { zh: '核对统一社会信用代码与场所顺序码', en: 'Check the credit code and site sequence' },
    check: ({ permitNumber }) => (permitNumber ? analysePermitNumber(permitNumber).findings.filter((f) => f.severity === 'warning').map((f) => ({ path: 'permitNumber', zh: f.zh, en: f.en })) : []),
  },
  {
    id: 'QR-119',
    code: 'WATER_OUTLET_WITHOUT_RECEIVING_WATER',
    title: { zh: '废水排放口未填受纳水体', en: 'Water outlet without receiving water' },
    basis: { zh: '排污许可管理条例第十三条（排放去向）', en: '条例 Art.13 (discharge destination)' },
    severity: 'warning',
    fix: { zh: '填写受纳水体或纳管去向', en: 'Give the receiving water or the sewer it joins' },
    check: ({ content }) => content.outlets.filter((o) => medium(o.code) === 'water' && !o.receivingWater).map((o) => ({ path: `outlets[${o.code}].receivingWater`, zh: `废水排放口 ${o.code} 未填受纳水体`, en: `water outlet ${o.code} has no receiving water` })),
  },
  {
    id: 'QR-120',
    code: 'QUANTITY_ABOVE_LIMIT_FLOW_HOURS',
    title: { zh: '许可排放量大于浓度×流量×时间', en: 'Amount above limit × design flow × hours' },
    basis: { zh: 'HJ 942-2018（许可排放量核算：许可浓度×设计流量×年运行时间）', en: 'HJ 942-2018 (amount = limit × design flow × operating hours)' },
    severity: 'warning',
    fix: { zh: '按许可浓度、设计流量和运行时间核算排放量，或说明采用的其他核算方法', en: 'Work the amount out from the limit, flow and hours, or state the method used' },
    check: ({ content }) => {
      const t = thresholds().quantity_from_limit;
      const out: Finding[] = [];
      const outlets = new Map(content.outlets.map((o) => [o.code, o]));
      for (const q of content.permittedQuantities) {
        const o = q.outletCode ? outlets.get(q.outletCode) : undefined;
        if (!o?.designFlowM3h || !o.operatingHours) continue;
        const p = o.pollutants.find((x) => x.pollutantCode === t.factor_pollutants[q.factor]);
        if (p?.limit?.direction !== 'max') continue;
        // mg/m3 × m3 = mg (1e-9 t); mg/L × m3 = g (1e-6 t)
        const perUnit = medium(o.code) === 'air' ? 1e-9 : 1e-6;
        const ceiling = p.limit.value * o.designFlowM3h * o.operatingHours * perUnit;
        if (q.amount > ceiling * (1 + t.tolerance)) {
          const c = Math.round(ceiling * 1000) / 1000;
          out.push({
            path: `permittedQuantities[${q.factor}/${q.year}/${o.code}]`,
            zh: `${o.code} ${q.year} 年 ${q.factor} 许可 ${q.amount} t/a，按 ${p.limit.value} ${p.limit.unit} × ${o.designFlowM3h} m3/h × ${o.operatingHours} h 至多 ${c} t/a（容差 ${t.tolerance * 100}%）`,
            en: `${q.factor} ${q.year} at ${o.code}: ${q.amount} t/a permitted, but ${p.limit.value} ${p.limit.unit} × ${o.designFlowM3h} m3/h × ${o.operatingHours} h gives at most ${c} t/a (tolerance ${t.tolerance * 100}%)`,
          });
        }
      }
      return out;
    },
  },
];

/**
 * The problem types a review counts by (问题类型): each rule belongs to one; statistical flags and
 * reviewers' own findings name theirs.
 */
export const PROBLEM_TYPES = {
  category: { zh: '管理类别', en: 'Management category' },
  outlets: { zh: '排放口', en: 'Outlets' },
  limits: { zh: '执行标准与许可浓度', en: 'Standards and limits' },
  quantities: { zh: '许可排放量', en: 'Permitted quantities' },
  monitoring: { zh: '自行监测', en: 'Self-monitoring' },
  reports: { zh: '执行报告', en: 'Execution reports' },
  validity: { zh: '有效期与编号', en: 'Validity and number' },
  rectification: { zh: '改正规定', en: 'Rectification requirements' },
  similarity: { zh: '雷同（疑似套用）', en: 'Near-duplicate (copied)' },
  other: { zh: '其他', en: 'Other' },
} as const satisfies Record<string, Label>;
export type ProblemType = keyof typeof PROBLEM_TYPES;

const RULE_TYPES: Record<string, ProblemType> = {
  'QR-001': 'validity', 'QR-002': 'validity', 'QR-003': 'outlets', 'QR-004': 'limits', 'QR-005': 'limits', 'QR-006': 'limits', 'QR-007': 'limits', 'QR-008': 'limits',
  'QR-009': 'limits', 'QR-010': 'limits', 'QR-011': 'outlets', 'QR-012': 'outlets', 'QR-013': 'outlets', 'QR-014': 'quantities', 'QR-015': 'quantities', 'QR-016': 'quantities',
  'QR-017': 'monitoring', 'QR-018': 'monitoring', 'QR-019': 'quantities', 'QR-020': 'quantities', 'QR-021': 'rectification',
  'QR-101': 'category', 'QR-102': 'quantities', 'QR-103': 'outlets', 'QR-104': 'monitoring', 'QR-105': 'limits', 'QR-106': 'limits', 'QR-107': 'limits', 'QR-108': 'limits',
  'QR-109': 'limits', 'QR-110': 'reports', 'QR-111': 'monitoring', 'QR-112': 'monitoring', 'QR-113': 'quantities', 'QR-114': 'limits', 'QR-115': 'rectification',
  'QR-116': 'validity', 'QR-117': 'validity', 'QR-118': 'validity', 'QR-119': 'outlets', 'QR-120': 'quantities',
};
/** The problem type of a rule (other for an id the catalog does not know). */
export const problemTypeOf = (ruleId: string): ProblemType => RULE_TYPES[ruleId] ?? 'other';

/** The catalog, in id order. */
export const RULES: readonly Rule[] = [...contentRules, ...computed].sort((a, b) => a.id.localeCompare(b.id));

export interface RuleHit {
  ruleId: string;
  code: string;
  severity: Severity;
  path: string;
  zh: string;
  en: string;
}

/** Every rule over one permit: the hits, each with its explanation. */
export function runRules(ctx: RuleContext, rules: readonly Rule[] = RULES): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const r of rules) for (const f of r.check(ctx)) hits.push({ ruleId: r.id, code: r.code, severity: f.severity ?? r.severity, path: f.path, zh: f.zh, en: f.en });
  return hits;
}

/** docs/rules.md: the 问题认定指南, generated from the catalog. */
export function rulesMarkdown(rules: readonly Rule[] = RULES): string {
  const lines = [
    '# 排污许可证质量审核规则 / Permit quality-review rules',
    '',
    'Generated from the catalog (`src/modules/review/review.catalog.ts`) by `ecopermit review rules --markdown`; a test keeps this file in step. Thresholds: `reference-data/review-rules/thresholds.json`.',
    '',
    '| id | code | rule (what triggers it) | type | severity | basis | how to fix |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rules.map((r) => `| ${r.id} | \`${r.code}\` | ${r.title.zh}<br>${r.title.en} | ${PROBLEM_TYPES[problemTypeOf(r.id)].zh} | ${r.severity} | ${r.basis.zh} | ${r.fix.zh}<br>${r.fix.en} |`),
    '',
  ];
  return lines.join('\n');
}
