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
 */
import { readFileSync } from 'node:fs';
import { ValidationError } from '../../platform/errors.ts';

export type Category = 'key' | 'simplified' | 'registration';
const CELLS: Category[] = ['key', 'simplified', 'registration'];
const STRICTNESS: Record<Category, number> = { registration: 1, simplified: 2, key: 3 };
const CATEGORY_ZH: Record<Category, string> = { key: '重点管理', simplified: '简化管理', registration: '登记管理' };
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
  features?: string[];
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

let directory: Directory | undefined;
function loadDirectory(): Directory {
  if (!directory) {
    const file = new URL('../../../reference-data/permit-classification-2019/permit-classification.json', import.meta.url);
    directory = JSON.parse(readFileSync(file, 'utf8')) as Directory;
  }
  return directory;
}

/** Feature flags, quantities (with their units) and fuels the rules use, with their Chinese labels. */
export function classificationVocabulary() {
  return loadDirectory()._vocabulary;
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

function setCondition(declared: string[] | undefined, list: string[], mode: 'any' | 'none' | 'only', what: string, name: (x: string) => string): Outcome {
  const have = new Set(declared ?? []);
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
        parts.push(and((v as string[]).map((f) => known((facts.features ?? []).includes(f), `${(facts.features ?? []).includes(f) ? '' : 'not '}${featureName(ctx, f)}`))));
        break;
      case 'requires_any':
        parts.push(openList(setCondition(facts.features, v as string[], 'any', 'has', (f) => featureName(ctx, f)), (v as string[]).map((f) => featureName(ctx, f))));
        break;
      case 'excludes':
        parts.push(setCondition(facts.features, v as string[], 'none', 'has', (f) => featureName(ctx, f)));
        break;
      case 'products_any':
        parts.push(openList(setCondition(facts.products, v as string[], 'any', 'makes', (x) => x), v as string[]));
        break;
      case 'excludes_products':
        parts.push(setCondition(facts.products, v as string[], 'none', 'makes', (x) => x));
        break;
      case 'materials_any':
        parts.push(openList(setCondition(facts.materials, v as string[], 'any', 'handles', (x) => x), v as string[]));
        break;
      case 'fuels_any':
        parts.push(setCondition(facts.fuels, v as string[], 'any', 'burns', (x) => ctx.vocabulary.fuels[x] ?? x));
        break;
      case 'fuels_all':
        parts.push(setCondition(facts.fuels, v as string[], 'only', 'burns', (x) => ctx.vocabulary.fuels[x] ?? x));
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
            ...placed.map((p): Outcome => (p.determined ? known(p.category === v, `general process ${p.industry} (row ${p.row}): ${p.category ? CATEGORY_ZH[p.category] : 'not covered'}`) : { value: undefined, because: [], missing: p.missing })),
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

/** Place a unit: its management category under the 名录, why, and what is missing to decide. */
export function classifyUnit(facts: ClassificationFacts): Classification {
  const dir = loadDirectory();
  for (const code of facts.industryCodes) {
    if (!/^\d{4}$/.test(code)) throw new ValidationError({ zh: `行业类别代码应为 4 位数字（GB/T 4754-2017 小类）：${code}`, en: `Industry codes must be 4-digit GB/T 4754-2017 classes: ${code}` });
  }
  for (const [name, q] of Object.entries(facts.quantities ?? {})) {
    for (const v of [q.value, q.largest, q.total]) {
      if (v !== undefined && (!Number.isFinite(v) || v < 0)) throw new ValidationError({ zh: `数量不能为负数或非数字：${name}`, en: `A quantity must be a non-negative number: ${name}` });
    }
  }
  const rows = new Map(dir.rows.map((r) => [r.row, r]));
  const processes = new Map<GeneralProcessRow, ClassificationPart>();
  const ctx: Context = {
    facts,
    industryCode: null,
    vocabulary: dir._vocabulary,
    processCategory: (r) => {
      let p = processes.get(r);
      if (!p) processes.set(r, (p = placeInRow(rows.get(r)!, { ...ctx, industryCode: null })));
      return p;
    },
    article7: () => {
      const art7 = dir.general_rules.find((g) => g.article === 7)?.thresholds ?? [];
      const o = or(art7.map((t) => evaluate(t.rule, ctx)));
      return { ...o, because: o.value ? [`名录 Art. 7: ${o.because.join('; ')}`] : o.because };
    },
  };
  const parts: ClassificationPart[] = [];
  for (const code of facts.industryCodes) {
    const row = dir.rows.find((r) => r.row <= 107 && (r.scope_codes ?? []).some((c) => code.startsWith(c))) ?? rows.get(108)!;
    parts.push(placeInRow(row, { ...ctx, industryCode: code }));
  }
  for (const r of [...new Set(facts.generalProcesses ?? [])].sort()) parts.push(ctx.processCategory(r));
  const determined = parts.every((p) => p.determined);
  const categories = parts.map((p) => p.category).filter((c): c is Category => !!c);
  const strictest = categories.sort((a, b) => STRICTNESS[b] - STRICTNESS[a])[0] ?? null;
  // A strictest "key" stands even when another part is undecided: nothing is stricter.
  const category = determined || strictest === 'key' ? strictest : null;
  return { category, determined: determined || strictest === 'key', parts, missing: [...new Set(parts.flatMap((p) => p.missing))], source: `${dir.title}（生态环境部令第11号）` };
}

/** A declared category lower than the one the 名录 gives (降级申报), as a finding for review; null when fine or undecided. */
export function checkDeclaredCategory(declared: Category, result: Classification): { code: 'CATEGORY_DOWNGRADE'; zh: string; en: string } | null {
  if (!result.category || STRICTNESS[declared] >= STRICTNESS[result.category]) return null;
  const part = result.parts.find((p) => p.category === result.category)!;
  return {
    code: 'CATEGORY_DOWNGRADE',
    zh: `申报为${CATEGORY_ZH[declared]}，但按分类管理名录第${part.row}类（${part.industry}）应为${CATEGORY_ZH[result.category]}：${part.cell?.text ?? ''}`,
    en: `declared ${declared}, but row ${part.row} (${part.industry}) of the classification directory gives ${result.category}: ${part.because.join('; ')}`,
  };
}
