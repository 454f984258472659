/**
 * Management category (管理类别: 重点 key / 简化 simplified / 登记 registration) from the
 * classification directory, 固定污染源排污许可分类管理名录（2019年版）, whose 112 rows are
 * data (reference-data/permit-classification-2019, with each cell's text as printed and our
 * machine reading of it, `_rule_schema` in the file).
 *
 * How a unit is placed (名录 Arts. 5–7 and the file's `_rule_schema.evaluation`):
 * - each of the unit's industry classes falls in the row of 1–107 whose codes cover it, or in
 *   row 108 (other industries); in its row the key cell is tested first, then simplified, then
 *   registration, and the first cell that holds gives the category;
 * - each general process the unit has (109 boilers, 110 industrial kilns, 111 surface
 *   treatment, 112 water treatment) is placed by its own row the same way (Arts. 6, 7);
 * - the unit's category is the strictest of these (one site, one permit: Art. 5).
 *
 * Facts may be missing. Rules are then evaluated in three values (holds / does not / unknown):
 * a cell that cannot be decided stops the row there, and the answer names the facts it needs
 * instead of guessing. Flags and lists (features, products, materials, fuels, general
 * processes) are what the applicant declares: not declared means not there. Quantities and the
 * two yes/no facts (listed in the 重点排污单位名录, producing in an industrial building) must be
 * given to count.
 *
 * Known limits (left for an official's reading, and said so in the answer where they bite):
 * cells whose list ends with 等 cannot be closed without one (rows 71, 75, 81, 111), so their
 * "其他" cells are never reached; fuels are the unit's, not each facility's; units of measure
 * must be given as the 名录 writes them (t/d, not 吨/日); a quantity stated for one alternative
 * (a corn-starch plant) needs the others stated as 0 where a cell sums or lists them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_DATA_DIR } from '../reference/index.ts';
import { ValidationError } from '../../platform/errors.ts';
import { MANAGEMENT_CATEGORY_LABELS, type ManagementCategory } from '../../contracts/registry.ts';

/** 管理类别, as everywhere else (contracts/registry.ts). */
export type Category = ManagementCategory;
const CELLS: Category[] = ['key', 'simplified', 'registration'];
const STRICTNESS: Record<Category, number> = { registration: 1, simplified: 2, key: 3 };
export const GENERAL_PROCESS_ROWS = [109, 110, 111, 112] as const;
export type GeneralProcessRow = (typeof GENERAL_PROCESS_ROWS)[number];

/** A quantity as declared, in an explicit unit: one figure, or the largest single item and the total (boilers). */
export interface QuantityFact {
  unit: string;
  value?: number;
  largest?: number;
  total?: number;
}

export interface ClassificationFacts {
  /** GB/T 4754-2017 classes (4 digits) of what the unit does at this site */
  industryCodes: string[];
  /**
   * Flags, products, materials, fuels: a list given is complete (what is not in it is not
   * there; [] = none); a list not given is unknown, and a rule that needs it stays undecided.
   */
  features?: string[];
  /** flags of one industry, where the unit has several and a flag holds for only some (e.g. 单纯混合或者分装) */
  industryFeatures?: Record<string, string[]>;
  products?: string[];
  materials?: string[];
  fuels?: string[];
  quantities?: Record<string, QuantityFact>;
  listedInKeyDischargerList?: boolean;
  inIndustrialBuilding?: boolean;
  /** the general processes the unit has: 109 boilers, 110 kilns, 111 surface treatment, 112 water treatment */
  generalProcesses?: GeneralProcessRow[];
}

export interface ClassificationPart {
  row: number;
  /** the row's industry as printed */
  industry: string;
  /** the industry class this part is about, or null for a general process */
  industryCode: string | null;
  category: Category | null;
  /** false: a cell could not be decided for missing facts (category then null) */
  determined: boolean;
  /** the cell that decided, as printed in the 名录 */
  cell: { category: Category; text: string } | null;
  /** why, in plain words: the conditions that decided */
  because: string[];
  /** facts that would let an undecided cell be decided */
  missing: string[];
}

export interface Classification {
  /** the strictest category found; null when nothing places the unit or a part is undecided */
  category: Category | null;
  /** the strictest category of the decided parts: the unit's category is at least this */
  atLeast: Category | null;
  determined: boolean;
  parts: ClassificationPart[];
  missing: string[];
  /** where the rules come from */
  source: string;
}

// -- the data ---------------------------------------------------------------------------------

type Rule = Record<string, unknown> & {
  any_of?: Rule[];
  except?: Rule;
  thresholds?: Threshold[];
};
interface Bounds {
  gte?: number;
  gt?: number;
  lte?: number;
  lt?: number;
}
interface Threshold extends Bounds {
  quantity: string;
  unit: string;
  equivalent?: Bounds & { unit: string };
  aggregation?: 'single_or_total' | 'single_and_total' | 'single';
  counts?: string;
}
interface Cell {
  text: string;
  rule: Rule | null;
}
interface Row {
  row: number;
  industry: string;
  scope_codes?: string[] | null;
  /** classes under scope_codes that another row covers */
  scope_codes_excluded?: string[] | null;
  gbt4754_codes?: string[];
  key: Cell;
  simplified: Cell;
  registration: Cell;
}
interface Directory {
  title: string;
  rows: Row[];
  general_rules: { article?: number; thresholds?: { id: number; condition: string; rule: Rule }[] }[];
  _vocabulary: { features: Record<string, string>; quantities: Record<string, { label: string; unit: string }>; fuels: Record<string, string> };
}

interface Loaded extends Directory {
  /** product and material terms the rules use, as printed */
  products: string[];
  materials: string[];
  /** GB/T 4754-2017 classes (4 digits) */
  classes: Set<string>;
  byRow: Map<number, Row>;
}

let directory: Loaded | undefined;
function loadDirectory(): Loaded {
  if (!directory) {
    const read = (path: string) => JSON.parse(readFileSync(join(REFERENCE_DATA_DIR, path), 'utf8'));
    const dir = read('permit-classification-2019/permit-classification.json') as Directory;
    const terms = (key: string) => {
      const out = new Set<string>();
      const walk = (x: unknown): void => {
        if (Array.isArray(x)) x.forEach(walk);
        else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) k === key ? (v as string[]).forEach((t) => out.add(t)) : walk(v);
      };
      walk(dir.rows.map((r) => [r.key.rule, r.simplified.rule, r.registration.rule]));
      return [...out].sort();
    };
    const industries = read('industry-gbt4754-2017/industries.json') as { code: string; level: string }[];
    directory = {
      ...dir,
      products: [...new Set([...terms('products_any'), ...terms('excludes_products')])].sort(),
      materials: terms('materials_any'),
      classes: new Set(industries.filter((i) => i.level === 'class').map((i) => i.code)),
      byRow: new Map(dir.rows.map((r) => [r.row, r])),
    };
  }
  return directory;
}

/** Feature flags, quantities (with their units), fuels, products and materials the rules use. */
export function classificationVocabulary() {
  const d = loadDirectory();
  return { ...d._vocabulary, products: d.products, materials: d.materials };
}

/**
 * The row of 1–107 that places an industry class, or row 108. The most specific scope wins (a
 * class listed itself beats its group); a row that carves classes out of a group
 * (scope_codes_excluded) states its coverage exactly and wins a tie with a row naming only the
 * group (rows 80 and 82 both name 339; 3391 and 3392 are row 82's, the rest row 80's).
 */
export function rowForIndustry(code: string): number {
  const dir = loadDirectory();
  const rank = (len: number, exact: boolean) => len * 2 + (exact ? 1 : 0);
  let best: { row: number; rank: number } | undefined;
  let tied: number | undefined;
  for (const r of dir.rows) {
    if (r.row > 107) continue;
    if ((r.scope_codes_excluded ?? []).some((c) => code.startsWith(c))) continue;
    if (!(r.scope_codes ?? []).some((c) => code.startsWith(c))) continue;
    const len = Math.max(...[...(r.scope_codes ?? []), ...(r.gbt4754_codes ?? [])].filter((c) => code.startsWith(c)).map((c) => c.length));
    const score = rank(len, !!r.scope_codes_excluded?.length);
    if (best && score === best.rank) tied = r.row;
    if (!best || score > best.rank) [best, tied] = [{ row: r.row, rank: score }, undefined];
  }
  // The data must place each class once; two rows equally specific is a data error to fix.
  if (tied !== undefined) throw new Error(`classification directory: class ${code} is covered equally by rows ${best!.row} and ${tied}`);
  return best?.row ?? 108;
}

// -- three-valued evaluation ----------------------------------------------------------------------

type Tri = boolean | undefined;

interface Outcome {
  value: Tri;
  because: string[];
  missing: string[];
}

const and = (parts: Outcome[]): Outcome => {
  const failed = parts.find((p) => p.value === false);
  if (failed) return { value: false, because: failed.because, missing: [] };
  const unknown = parts.filter((p) => p.value === undefined);
  return { value: unknown.length ? undefined : true, because: parts.flatMap((p) => p.because), missing: unknown.flatMap((p) => p.missing) };
};
const or = (parts: Outcome[]): Outcome => {
  const held = parts.find((p) => p.value === true);
  if (held) return held;
  const unknown = parts.filter((p) => p.value === undefined);
  return { value: unknown.length ? undefined : false, because: parts.flatMap((p) => p.because), missing: unknown.flatMap((p) => p.missing) };
};
const known = (value: boolean, why: string): Outcome => ({ value, because: [why], missing: [] });
const unknownFor = (what: string): Outcome => ({ value: undefined, because: [], missing: [what] });

interface Context {
  facts: ClassificationFacts;
  industryCode: string | null;
  /** the flags that hold for this part (the industry's own, else the unit's) */
  features: string[] | undefined;
  /** the unit's flags stand for several industries: one that excludes is not proof for this one */
  sharedFeatures: boolean;
  vocabulary: Directory['_vocabulary'];
  /** general processes placed so far (each row once) */
  processCategory: (row: GeneralProcessRow) => ClassificationPart;
  article7: () => Outcome;
}

function featureName(ctx: Context, flag: string) {
  return ctx.vocabulary.features[flag] ?? flag;
}

function compare(v: number, b: Bounds): boolean {
  return (b.gte === undefined || v >= b.gte) && (b.gt === undefined || v > b.gt) && (b.lte === undefined || v <= b.lte) && (b.lt === undefined || v < b.lt);
}
function boundsText(b: Bounds, unit: string): string {
  return [b.gte !== undefined && `≥ ${b.gte}`, b.gt !== undefined && `> ${b.gt}`, b.lte !== undefined && `≤ ${b.lte}`, b.lt !== undefined && `< ${b.lt}`].filter(Boolean).join(' and ') + ` ${unit}`;
}

function threshold(t: Threshold, ctx: Context): Outcome {
  const label = ctx.vocabulary.quantities[t.quantity]?.label ?? t.quantity;
  const fact = ctx.facts.quantities?.[t.quantity];
  if (!fact) return unknownFor(`${label} (${t.quantity}, ${t.unit})`);
  // The bound in the fact's unit: the rule's own, or the equivalent the text gives (MW for t/h).
  const bounds: Bounds | undefined = fact.unit === t.unit ? t : t.equivalent && fact.unit === t.equivalent.unit ? t.equivalent : undefined;
  if (!bounds) return unknownFor(`${label} in ${t.unit}${t.equivalent ? ` or ${t.equivalent.unit}` : ''} (given in ${fact.unit})`);
  const want = boundsText(bounds, fact.unit);
  const test = (name: string, v: number | undefined): Outcome =>
    v === undefined ? unknownFor(`${label}: ${name} (${fact.unit})`) : known(compare(v, bounds), `${label} ${name === 'value' ? '' : `(${name}) `}${v} ${fact.unit} ${compare(v, bounds) ? 'meets' : 'does not meet'} ${want}`);
  // "Single or total" needs both figures: one figure could be either.
  if (t.aggregation && t.aggregation !== 'single' && (fact.largest === undefined || fact.total === undefined)) {
    return unknownFor(`${label}: the largest single one and the total (largest, total in ${fact.unit})`);
  }
  switch (t.aggregation) {
    case 'single_or_total':
      return or([test('largest', fact.largest ?? fact.value), test('total', fact.total ?? fact.value)]);
    case 'single_and_total':
      return and([test('largest', fact.largest ?? fact.value), test('total', fact.total ?? fact.value)]);
    case 'single':
      return test('largest', fact.largest ?? fact.value);
    default:
      return test('value', fact.value ?? fact.total);
  }
}

function setCondition(declared: string[] | undefined, list: string[], mode: 'any' | 'none' | 'only', what: string, name: (x: string) => string, asked = what): Outcome {
  if (declared === undefined) return unknownFor(`the complete list of what the unit ${asked} (not given)`);
  const have = new Set(declared);
  const hits = list.filter((x) => have.has(x));
  const found = `${what}: ${hits.map(name).join('、')}`;
  const none = `${what} none of: ${list.map(name).join('、')}`;
  if (mode === 'any') return known(hits.length > 0, hits.length ? found : none);
  if (mode === 'none') return known(hits.length === 0, hits.length ? found : none);
  const only = have.size > 0 && [...have].every((x) => list.includes(x));
  return known(only, only ? `${what} only ${list.map(name).join('、')}` : `${what} not only ${list.map(name).join('、')}`);
}

function evaluate(rule: Rule, ctx: Context): Outcome {
  const parts: Outcome[] = [];
  const { facts } = ctx;
  const open = rule.open_list === true;
  // A list closed with 等: a listed item decides; without one, an official has to read it.
  const openList = (o: Outcome, list: string[]) => (open && o.value === false ? unknownFor(`an official's reading: the 名录 lists ${list.join('、')} 等 (open list)`) : o);
  for (const [key, v] of Object.entries(rule)) {
    switch (key) {
      case 'all':
      case 'residual':
        parts.push(known(true, key === 'all' ? 'every unit of the row (全部)' : 'not caught by a stricter cell (其他)'));
        break;
      case 'codes': {
        const codes = v as string[];
        const code = ctx.industryCode;
        parts.push(known(!!code && codes.some((c) => code.startsWith(c)), `industry ${code ?? '—'} ${code && codes.some((c) => code.startsWith(c)) ? 'is' : 'is not'} under ${codes.join(', ')}`));
        break;
      }
      case 'requires':
        parts.push(
          ctx.features === undefined
            ? unknownFor('the complete list of the unit\'s features (not given)')
            : and((v as string[]).map((f) => known(ctx.features!.includes(f), `${ctx.features!.includes(f) ? '' : 'not '}${featureName(ctx, f)}`))),
        );
        break;
      case 'requires_any':
        parts.push(openList(setCondition(ctx.features, v as string[], 'any', 'has', (f) => featureName(ctx, f)), (v as string[]).map((f) => featureName(ctx, f))));
        break;
      case 'excludes': {
        const o = setCondition(ctx.features, v as string[], 'none', 'has', (f) => featureName(ctx, f));
        // A unit-wide flag that rules an industry out may belong to another of its industries.
        parts.push(o.value === false && ctx.sharedFeatures ? unknownFor(`which of the unit's industries ${(v as string[]).filter((f) => ctx.features!.includes(f)).map((f) => featureName(ctx, f)).join('、')} applies to (industryFeatures)`) : o);
        break;
      }
      case 'products_any':
        parts.push(openList(setCondition(facts.products, v as string[], 'any', 'makes', (x) => x, 'makes (products)'), v as string[]));
        break;
      case 'excludes_products':
        parts.push(setCondition(facts.products, v as string[], 'none', 'makes', (x) => x, 'makes (products)'));
        break;
      case 'materials_any':
        parts.push(openList(setCondition(facts.materials, v as string[], 'any', 'handles', (x) => x, 'handles (materials)'), v as string[]));
        break;
      case 'fuels_any':
        parts.push(setCondition(facts.fuels, v as string[], 'any', 'burns', (x) => ctx.vocabulary.fuels[x] ?? x, 'burns (fuels)'));
        break;
      case 'fuels_all':
        parts.push(setCondition(facts.fuels, v as string[], 'only', 'burns', (x) => ctx.vocabulary.fuels[x] ?? x, 'burns (fuels)'));
        break;
      case 'thresholds':
        parts.push(and((v as Threshold[]).map((t) => threshold(t, ctx))));
        break;
      case 'listed_in_key_discharger_list':
        parts.push(
          facts.listedInKeyDischargerList === undefined
            ? unknownFor('whether the unit is listed in the 重点排污单位名录 (listedInKeyDischargerList)')
            : known(facts.listedInKeyDischargerList === v, `${facts.listedInKeyDischargerList ? 'listed' : 'not listed'} in the 重点排污单位名录`),
        );
        break;
      case 'in_industrial_building':
        parts.push(
          facts.inIndustrialBuilding === undefined
            ? unknownFor('whether the unit produces in an industrial building (inIndustrialBuilding, 名录 note 1)')
            : known(facts.inIndustrialBuilding === v, `${facts.inIndustrialBuilding ? 'produces' : 'does not produce'} in an industrial building (名录 note 1)`),
        );
        break;
      case 'general_process': {
        const rows = (rule.general_process_rows as GeneralProcessRow[] | undefined) ?? [...GENERAL_PROCESS_ROWS];
        const own = (facts.generalProcesses ?? []).filter((r) => rows.includes(r));
        const placed = own.map((r) => ctx.processCategory(r));
        parts.push(
          or([
            known(false, own.length ? '' : 'no general process (锅炉, 工业炉窑, 表面处理, 水处理) declared'),
            ...placed.map((p): Outcome => (p.determined ? known(p.category === v, `general process ${p.industry} (row ${p.row}): ${p.category ? MANAGEMENT_CATEGORY_LABELS[p.category].zh : 'not covered'}`) : { value: undefined, because: [], missing: p.missing })),
          ]),
        );
        break;
      }
      case 'article7_any':
        parts.push(ctx.article7());
        break;
      case 'any_of':
        parts.push(or((v as Rule[]).map((r) => evaluate(r, ctx))));
        break;
      case 'except': {
        const e = evaluate(v as Rule, ctx);
        parts.push({ value: e.value === undefined ? undefined : !e.value, because: e.value ? [`except: ${e.because.join('; ')}`] : [], missing: e.missing });
        break;
      }
      case 'general_process_rows':
      case 'open_list':
      case 'equivalent':
      case 'counts':
        break;
      default:
        throw new Error(`classification rule key not understood: ${key}`);
    }
  }
  const out = and(parts);
  return { ...out, because: out.because.filter(Boolean) };
}

function placeInRow(row: Row, ctx: Context): ClassificationPart {
  const base = { row: row.row, industry: row.industry, industryCode: ctx.industryCode };
  for (const category of CELLS) {
    const cell = row[category];
    if (!cell.rule) continue;
    const o = evaluate(cell.rule, ctx);
    if (o.value === true) return { ...base, category, determined: true, cell: { category, text: cell.text }, because: o.because, missing: [] };
    // Undecided: a stricter cell may hold, so no lower one can be given.
    if (o.value === undefined) return { ...base, category: null, determined: false, cell: { category, text: cell.text }, because: o.because, missing: o.missing };
  }
  return { ...base, category: null, determined: true, cell: null, because: ['no cell of the row holds: the row does not cover the unit'], missing: [] };
}

/** Kilns (row 110) are placed by their type: a kiln declared without one cannot be placed. */
const KILN_TYPES = ['kiln_other_than_gas_or_electric_heating_heat_treatment_drying', 'gas_or_electric_heating_heat_treatment_or_drying_furnace'];

function refuse(zh: string, en: string): never {
  throw new ValidationError({ zh, en });
}

/** Facts the rules cannot read are refused (a misspelt flag must not pass as "absent"). */
function validateFacts(facts: ClassificationFacts, dir: Loaded) {
  for (const code of facts.industryCodes) {
    if (!/^\d{4}$/.test(code) || !dir.classes.has(code)) refuse(`不是 GB/T 4754-2017 的行业小类代码：${code}`, `Not a GB/T 4754-2017 industry class (4 digits): ${code}`);
  }
  const known = (list: string[] | undefined, allowed: Set<string> | string[], what: string, whatZh: string) => {
    const set = allowed instanceof Set ? allowed : new Set(allowed);
    for (const x of list ?? []) if (!set.has(x)) refuse(`名录规则中没有该${whatZh}：${x}（见词表）`, `Unknown ${what}: ${x} (see the vocabulary)`);
  };
  const features = Object.keys(dir._vocabulary.features);
  known(facts.features, features, 'feature flag', '特征标志');
  for (const [code, list] of Object.entries(facts.industryFeatures ?? {})) {
    if (!facts.industryCodes.includes(code)) refuse(`industryFeatures 中的行业 ${code} 不在 industryCodes 中`, `industryFeatures names industry ${code}, which is not in industryCodes`);
    known(list, features, 'feature flag', '特征标志');
  }
  known(facts.fuels, Object.keys(dir._vocabulary.fuels), 'fuel', '燃料');
  for (const r of facts.generalProcesses ?? []) {
    if (!(GENERAL_PROCESS_ROWS as readonly number[]).includes(r)) refuse(`通用工序应为 109–112：${r}`, `A general process is row 109–112: ${r}`);
  }
  known(facts.products, dir.products, 'product term', '产品名称');
  known(facts.materials, dir.materials, 'material term', '原料名称');
  for (const [name, q] of Object.entries(facts.quantities ?? {})) {
    if (!dir._vocabulary.quantities[name]) refuse(`名录规则中没有该数量：${name}（见词表）`, `Unknown quantity: ${name} (see the vocabulary)`);
    for (const v of [q.value, q.largest, q.total]) {
      if (v !== undefined && (!Number.isFinite(v) || v < 0)) refuse(`数量不能为负数或非数字：${name}`, `A quantity must be a non-negative number: ${name}`);
    }
    if (q.largest !== undefined && q.total !== undefined && q.largest > q.total) refuse(`${name} 的单台最大值大于合计`, `${name}: the largest single one exceeds the total`);
  }
}

/** Place a unit: its management category under the 名录, why, and what is missing to decide. */
export function classifyUnit(facts: ClassificationFacts): Classification {
  const dir = loadDirectory();
  validateFacts(facts, dir);
  const codes = [...new Set(facts.industryCodes)];
  const rows = dir.byRow;
  const processes = new Map<GeneralProcessRow, ClassificationPart>();
  const ctx: Context = {
    facts,
    industryCode: null,
    features: facts.features,
    sharedFeatures: false,
    vocabulary: dir._vocabulary,
    processCategory: (r) => {
      let p = processes.get(r);
      if (!p) {
        p = placeInRow(rows.get(r)!, { ...ctx, industryCode: null, features: facts.features, sharedFeatures: false });
        // A kiln of neither type is a kiln whose type was not said.
        if (r === 110 && p.determined && !p.category && facts.features && !KILN_TYPES.some((k) => facts.features!.includes(k))) {
          p = { ...p, determined: false, because: [], missing: [`the kiln type: ${KILN_TYPES.map((k) => dir._vocabulary.features[k] ?? k).join(' or ')}`] };
        }
        processes.set(r, p);
      }
      return p;
    },
    article7: () => {
      const art7 = dir.general_rules.find((g) => g.article === 7)?.thresholds ?? [];
      const o = or(art7.map((t) => evaluate(t.rule, ctx)));
      return { ...o, because: o.value ? [`名录 Art. 7: ${o.because.join('; ')}`] : o.because };
    },
  };
  const parts: ClassificationPart[] = [];
  for (const code of codes) {
    const own = facts.industryFeatures?.[code];
    parts.push(placeInRow(rows.get(rowForIndustry(code))!, { ...ctx, industryCode: code, features: own ?? facts.features, sharedFeatures: !own && codes.length > 1 }));
  }
  for (const r of [...new Set(facts.generalProcesses ?? [])].sort()) parts.push(ctx.processCategory(r));
  const determined = parts.every((p) => p.determined);
  const categories = parts.map((p) => p.category).filter((c): c is Category => !!c);
  const atLeast = categories.sort((a, b) => STRICTNESS[b] - STRICTNESS[a])[0] ?? null;
  // A strictest "key" stands even when another part is undecided: nothing is stricter.
  const category = determined || atLeast === 'key' ? atLeast : null;
  return { category, atLeast, determined: determined || atLeast === 'key', parts, missing: [...new Set(parts.flatMap((p) => p.missing))], source: `${dir.title}（生态环境部令第11号）` };
}

/**
 * A declared category lower than the 名录 gives (降级申报) — or lower than the least it can
 * give when some parts are undecided — as a finding for review; null when fine.
 */
export function checkDeclaredCategory(declared: Category, result: Classification): { code: 'CATEGORY_DOWNGRADE'; zh: string; en: string } | null {
  const floor = result.category ?? result.atLeast;
  if (!floor || STRICTNESS[declared] >= STRICTNESS[floor]) return null;
  const part = result.parts.find((p) => p.category === floor)!;
  const atLeast = result.category ? '' : '至少';
  return {
    code: 'CATEGORY_DOWNGRADE',
    zh: `申报为${MANAGEMENT_CATEGORY_LABELS[declared].zh}，但按分类管理名录第${part.row}类（${part.industry}）${atLeast}应为${MANAGEMENT_CATEGORY_LABELS[floor].zh}：${part.cell?.text ?? ''}`,
    en: `declared ${declared}, but row ${part.row} (${part.industry}) of the classification directory gives ${result.category ? '' : 'at least '}${floor}: ${part.because.join('; ')}`,
  };
}
