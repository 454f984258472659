import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import { refDataset, refEmissionLimit, refIndustry, refPollutant, refRegion } from './reference.tables.ts';

/**
 * Loads the reference data shipped in `reference-data/` (repo root) into the ref_* tables.
 *
 * Each data set is loaded in its own transaction and only when its source changed: the sha256
 * of the source files is compared with `ref_dataset.checksum`. The parsers below are pure and
 * exported for unit tests.
 */

/** Root of the data shipped with the app (copied from the project's shared sources). */
export const REFERENCE_DATA_DIR = fileURLToPath(new URL('../../../reference-data/', import.meta.url));

export const INDUSTRY_EDITION = 'GB/T 4754-2017';
const INSERT_BATCH = 1000;

// ---------------------------------------------------------------------------------------------
// Types of parsed rows (what goes into the tables)

export type RegionLevel = 'province' | 'prefecture' | 'county';
export type RegionStatus = 'in_use' | 'changed' | 'withdrawn';
/** A successor code; `year` is set when part of the area moved while the code stayed in use. */
export interface RegionSuccessor {
  code: string;
  year?: number;
}
export type RegionRow = typeof refRegion.$inferInsert & {
  level: RegionLevel;
  status: RegionStatus;
  successors: RegionSuccessor[];
};
export type IndustryLevel = 'section' | 'division' | 'group' | 'class';
export type IndustryRow = typeof refIndustry.$inferInsert & { level: IndustryLevel };
export type PollutantMedium = 'water' | 'gas';
export type PollutantRow = typeof refPollutant.$inferInsert & { medium: PollutantMedium };
export type LimitDirection = 'max' | 'min' | 'range' | 'text';
export type EmissionLimitRow = typeof refEmissionLimit.$inferInsert & { direction: LimitDirection };

/** Thrown when a source file does not look like what the parser expects; data must not half-load. */
export class ReferenceDataError extends Error {
  constructor(file: string, message: string) {
    super(`reference data ${file}: ${message}`);
    this.name = 'ReferenceDataError';
  }
}

// ---------------------------------------------------------------------------------------------
// GB/T 2260 history CSV

const LEVELS: Record<string, RegionLevel> = { 省级: 'province', 地级: 'prefecture', 县级: 'county' };
const STATUSES: Record<string, RegionStatus> = { 在用: 'in_use', 变更: 'changed', 弃用: 'withdrawn' };
const HEADER = ['代码', '一级行政区', '二级行政区', '名称', '级别', '状态', '启用时间', '变更/弃用时间', '新代码'];

/**
 * Minimal RFC 4180 reader: strips a UTF-8 BOM, handles quoted fields, CRLF or LF, and ignores
 * blank lines. (The file has no quotes today; a quoted name must still not break the load.)
 */
export function parseCsv(text: string): string[][] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
  }
  return rows;
}

/** `110101` or `330102;330114[1996]` → [{code:'330102'},{code:'330114',year:1996}]. */
export function parseSuccessors(value: string, file = 'successors'): RegionSuccessor[] {
  const out: RegionSuccessor[] = [];
  for (const token of value.split(';')) {
    const t = token.trim();
    if (!t) continue;
    const m = /^(\d{6})(?:\[(\d{4})\])?$/.exec(t);
    if (!m) throw new ReferenceDataError(file, `bad successor code "${t}"`);
    out.push(m[2] ? { code: m[1], year: Number(m[2]) } : { code: m[1] });
  }
  return out;
}

/**
 * Parse the yescallop/areacodes `result.csv` (GB/T 2260 codes 1981–2024, one row per code and
 * period of use). 二级行政区 is stored as `prefectureName`, null for provinces and for counties
 * directly under the province (the CSV says 直辖).
 */
export function parseRegionHistoryCsv(text: string, file = 'areacodes_history.csv'): RegionRow[] {
  const rows = parseCsv(text);
  const header = rows.shift();
  if (!header || HEADER.some((h, i) => header[i]?.trim() !== h)) {
    throw new ReferenceDataError(file, `unexpected header ${JSON.stringify(header)}`);
  }
  return rows.map((r, i) => {
    const line = i + 2;
    const [code, province, prefecture, name, levelZh, statusZh, from, to, successors] = r.map((v) => v.trim());
    const level = LEVELS[levelZh];
    const status = STATUSES[statusZh];
    if (!/^\d{6}$/.test(code ?? '')) throw new ReferenceDataError(file, `line ${line}: bad code "${code}"`);
    if (!level) throw new ReferenceDataError(file, `line ${line}: unknown level "${levelZh}"`);
    if (!status) throw new ReferenceDataError(file, `line ${line}: unknown status "${statusZh}"`);
    if (!name) throw new ReferenceDataError(file, `line ${line}: empty name`);
    if (!/^\d{4}$/.test(from)) throw new ReferenceDataError(file, `line ${line}: bad start year "${from}"`);
    if (to && !/^\d{4}$/.test(to)) throw new ReferenceDataError(file, `line ${line}: bad end year "${to}"`);
    if ((status === 'in_use') !== !to) throw new ReferenceDataError(file, `line ${line}: status ${statusZh} with end year "${to}"`);
    return {
      code,
      name,
      level,
      provinceName: province || null,
      prefectureName: level === 'province' || !prefecture || prefecture === '直辖' ? null : prefecture,
      status,
      validFromYear: Number(from),
      validToYear: to ? Number(to) : null,
      successors: parseSuccessors(successors ?? '', `${file} line ${line}`),
      current: status === 'in_use',
    };
  });
}

/** `110000 北京市` lines (the list in force at the end of a year) → Map code → name. */
export function parseCodeList(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const m = /^(\d{6})\s+(.+?)\s*$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// GB/T 4754, HJ 212, emission limits

export function parseIndustries(json: unknown, file = 'industries.json'): IndustryRow[] {
  if (!Array.isArray(json)) throw new ReferenceDataError(file, 'expected an array');
  const levels = new Set(['section', 'division', 'group', 'class']);
  return json.map((r: any, i) => {
    if (typeof r?.code !== 'string' || typeof r?.name !== 'string' || !levels.has(r?.level)) {
      throw new ReferenceDataError(file, `item ${i}: bad record ${JSON.stringify(r)}`);
    }
    return { edition: INDUSTRY_EDITION, code: r.code, name: r.name, level: r.level, parent: r.parent ?? null };
  });
}

export function parsePollutants(json: any, file = 'hj212-codes.json'): PollutantRow[] {
  const lists = json?.pollutant_codes;
  if (!Array.isArray(lists?.water) || !Array.isArray(lists?.gas)) throw new ReferenceDataError(file, 'pollutant_codes.water/gas missing');
  const out: PollutantRow[] = [];
  for (const medium of ['water', 'gas'] as const) {
    for (const p of lists[medium]) {
      if (typeof p?.code !== 'string' || typeof p?.name !== 'string') throw new ReferenceDataError(file, `bad pollutant ${JSON.stringify(p)}`);
      out.push({
        code: p.code,
        name: p.name,
        medium,
        code2005: p.hj212_2005_code ?? null,
        unitConcentration: p.unit_concentration ?? null,
        unitAmount: p.unit_amount ?? null,
        dataType: p.data_type ?? null,
        alias: p.common_alias ?? null,
      });
    }
  }
  return out;
}

export interface ParsedLimit {
  direction: LimitDirection;
  limitValue: number | null;
  limitHigh: number | null;
  limitText: string;
}

const NUM = String.raw`(\d+(?:\.\d+)?)`;

/**
 * A limit as written in the source → direction and numbers. `80` → max 80; `'<=1'` → max 1;
 * `'>=850'` → min 850; `'6-9'` / `'6~9'` → range 6..9. Anything else is `text` with null numbers,
 * and a missing limit stays missing (never 0). `limitText` keeps what the source said.
 */
export function parseLimit(limit: unknown): ParsedLimit {
  if (typeof limit === 'number' && Number.isFinite(limit)) {
    return { direction: 'max', limitValue: limit, limitHigh: null, limitText: String(limit) };
  }
  if (typeof limit !== 'string') return { direction: 'text', limitValue: null, limitHigh: null, limitText: '' };
  const text = limit;
  const s = limit.trim().replace(/\s+/g, '');
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^${NUM}$`).exec(s))) return { direction: 'max', limitValue: Number(m[1]), limitHigh: null, limitText: text };
  if ((m = new RegExp(`^(?:<=|<|≤|＜|≦)${NUM}$`).exec(s))) return { direction: 'max', limitValue: Number(m[1]), limitHigh: null, limitText: text };
  if ((m = new RegExp(`^(?:>=|>|≥|＞|≧)${NUM}$`).exec(s))) return { direction: 'min', limitValue: Number(m[1]), limitHigh: null, limitText: text };
  if ((m = new RegExp(`^${NUM}(?:-|~|～|–|—|至)${NUM}$`).exec(s))) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    if (lo <= hi) return { direction: 'range', limitValue: lo, limitHigh: hi, limitText: text };
  }
  return { direction: 'text', limitValue: null, limitHigh: null, limitText: text };
}

export function parseEmissionLimits(json: any, file = 'emission-limits.json'): EmissionLimitRow[] {
  if (!Array.isArray(json?.limits)) throw new ReferenceDataError(file, 'limits[] missing');
  return json.limits.map((l: any, i: number) => {
    if (typeof l?.standard !== 'string' || typeof l?.pollutant !== 'string') {
      throw new ReferenceDataError(file, `limits[${i}]: standard and pollutant are required`);
    }
    return {
      id: i + 1,
      standard: l.standard,
      tableName: l.table ?? '',
      sourceCategory: l.source_category ?? null,
      pollutant: l.pollutant,
      pollutantCode: l.hj212_code ?? null,
      ...parseLimit(l.limit),
      unit: l.unit ?? '',
      appliesTo: l.applies_to ?? null,
      confidence: l.confidence ?? json.confidence_default ?? 'unknown',
      // the column is NOT NULL; a limit with no source (confidence "uncertain") is stored as ''
      source: l.source ?? '',
      note: l.note ?? null,
    } satisfies EmissionLimitRow;
  });
}

/** Standards in the order they first appear, e.g. "GB 13271-2014; GB 18918-2002; …". */
export function standardsOf(rows: { standard: string }[]): string[] {
  return [...new Set(rows.map((r) => r.standard))];
}

// ---------------------------------------------------------------------------------------------
// The data sets

interface DatasetSpec {
  name: string;
  title: string;
  edition: (rows: any[]) => string;
  source: string;
  licence: string | null;
  files: string[];
  /** parse the files (same order as `files`) into table rows */
  parse: (contents: Buffer[]) => any[];
  table: typeof refRegion | typeof refIndustry | typeof refPollutant | typeof refEmissionLimit;
}

/**
 * Bump a data set's version when its parser changes the rows it produces, so the next start
 * reloads even though the files did not change.
 */
const PARSER_VERSION: Record<string, number> = { regions: 1, industries: 1, pollutants: 1, emission_limits: 1 };

const DATASETS: DatasetSpec[] = [
  {
    name: 'regions',
    title: '中华人民共和国县级以上行政区划代码（GB/T 2260，1981–2024 沿革）',
    edition: () => 'GB/T 2260 1981–2024 (民政部)',
    source: 'github.com/yescallop/areacodes result.csv @ eed219a0678d36bacaa717f62443b10e869f0291 (2025-11-04), compiled from 民政部 county-level code lists',
    licence: 'CC0-1.0',
    files: ['admin-divisions-gbt2260/areacodes_history_1981_2024.csv', 'admin-divisions-gbt2260/areacodes_2024.txt'],
    parse: ([csv, list2024]) => {
      const file = 'areacodes_history_1981_2024.csv';
      const rows = parseRegionHistoryCsv(csv.toString('utf8'), file);
      // Cross-check: the codes in use are exactly the 2024-12-31 list, with the same names.
      const list = parseCodeList(list2024.toString('utf8'));
      const current = rows.filter((r) => r.current);
      const bad = current.filter((r) => list.get(r.code) !== r.name);
      if (bad.length || current.length !== list.size) {
        throw new ReferenceDataError(file, `codes in use (${current.length}) differ from areacodes_2024.txt (${list.size}), e.g. ${bad[0]?.code ?? '?'}`);
      }
      return rows;
    },
    table: refRegion,
  },
  {
    name: 'industries',
    title: '国民经济行业分类（GB/T 4754-2017）',
    edition: () => INDUSTRY_EDITION,
    source: 'github.com/liulinwjzx/liuinwj-public-coding coding/GB-4754-2017/GB-4754-2017.json @ 76b8ff5f0bf13cdeb27378994680a84f50d1692c, with the fixes in SOURCE.md',
    licence: 'MIT (Copyright (c) 2019 Liulinwj)',
    files: ['industry-gbt4754-2017/industries.json'],
    parse: ([json]) => parseIndustries(JSON.parse(json.toString('utf8'))),
    table: refIndustry,
  },
  {
    name: 'pollutants',
    title: '污染物在线监控（监测）系统数据传输标准 附录B 污染物编码（HJ 212-2017）',
    edition: () => 'HJ 212-2017 Appendix B',
    source: 'HJ 212-2017 Appendix B Tables B.1 (water) and B.2 (gas), transcribed from the standard text (reference-data/hj212/hj212-codes.json)',
    licence: null,
    files: ['hj212/hj212-codes.json'],
    parse: ([json]) => parsePollutants(JSON.parse(json.toString('utf8'))),
    table: refPollutant,
  },
  {
    name: 'emission_limits',
    title: '污染物排放标准限值（锅炉、火电、城镇污水处理厂）',
    edition: (rows: EmissionLimitRow[]) => standardsOf(rows).join('; '),
    source: 'transcribed from the standards and secondary sources named per row (reference-data/emission-limits/emission-limits.json, _sources)',
    licence: null,
    files: ['emission-limits/emission-limits.json'],
    parse: ([json]) => parseEmissionLimits(JSON.parse(json.toString('utf8'))),
    table: refEmissionLimit,
  },
];

export const REFERENCE_DATASET_NAMES = DATASETS.map((d) => d.name);

/** sha256 over the parser version and each file's name and bytes. */
function checksumOf(spec: DatasetSpec, contents: Buffer[]): string {
  const h = createHash('sha256');
  h.update(`${spec.name} v${PARSER_VERSION[spec.name]}\n`);
  spec.files.forEach((f, i) => {
    h.update(`${f}\0${contents[i].length}\0`);
    h.update(contents[i]);
  });
  return h.digest('hex');
}

let generation = 0;
/**
 * Bumped whenever this process (re)loads a data set; services compare it to drop their
 * in-memory caches. (Another process reloading is not seen; reloads happen at start-up.)
 */
export function referenceDataGeneration(): number {
  return generation;
}

export interface LoadResult {
  name: string;
  action: 'loaded' | 'unchanged';
  rows: number;
}

/**
 * Bring the ref_* tables up to date with `reference-data/`. Idempotent: a data set whose
 * checksum matches `ref_dataset` is left alone unless `force`. Each data set is replaced in one
 * transaction (delete, batched insert, upsert of its ref_dataset row), under an advisory lock so
 * that two processes starting at once do not interleave.
 * @throws ReferenceDataError when a source file is malformed (nothing of that data set changes)
 */
export async function loadReferenceData(db: Db, opts: { clock: Clock; force?: boolean; dataDir?: string }): Promise<LoadResult[]> {
  const dir = opts.dataDir ?? REFERENCE_DATA_DIR;
  const existing = new Map((await db.select({ name: refDataset.name, checksum: refDataset.checksum, rowCount: refDataset.rowCount }).from(refDataset)).map((r) => [r.name, r]));
  const results: LoadResult[] = [];
  for (const spec of DATASETS) {
    const contents = spec.files.map((f) => readFileSync(`${dir}/${f}`));
    const checksum = checksumOf(spec, contents);
    const before = existing.get(spec.name);
    if (!opts.force && before?.checksum === checksum) {
      results.push({ name: spec.name, action: 'unchanged', rows: before.rowCount });
      continue;
    }
    const rows = spec.parse(contents);
    const result = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`ecopermit.reference.${spec.name}`}))`);
      if (!opts.force) {
        const [now] = await tx.select({ checksum: refDataset.checksum, rowCount: refDataset.rowCount }).from(refDataset).where(eq(refDataset.name, spec.name));
        if (now?.checksum === checksum) return { name: spec.name, action: 'unchanged' as const, rows: now.rowCount };
      }
      await replaceRows(tx, spec.table, rows);
      const record = {
        name: spec.name,
        title: spec.title,
        edition: spec.edition(rows),
        source: spec.source,
        licence: spec.licence,
        checksum,
        rowCount: rows.length,
        loadedAt: opts.clock.now(),
      };
      const { name: _name, ...update } = record;
      await tx.insert(refDataset).values(record).onConflictDoUpdate({ target: refDataset.name, set: update });
      return { name: spec.name, action: 'loaded' as const, rows: rows.length };
    });
    if (result.action === 'loaded') generation++;
    results.push(result);
  }
  return results;
}

async function replaceRows(tx: Tx, table: DatasetSpec['table'], rows: any[]) {
  if (table === refIndustry) {
    // other editions (e.g. a future amended table) stay
    const editions = [...new Set(rows.map((r: IndustryRow) => r.edition))];
    for (const e of editions) await tx.delete(refIndustry).where(eq(refIndustry.edition, e));
  } else {
    await tx.delete(table);
  }
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    await tx.insert(table as any).values(rows.slice(i, i + INSERT_BATCH));
  }
}
