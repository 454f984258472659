import { readFileSync } from 'node:fs';
import { asc } from 'drizzle-orm';
import type { Db } from '../../platform/db.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { refDataset, refEmissionLimit, refIndustry, refPollutant, refRegion } from './reference.tables.ts';
import {
  INDUSTRY_EDITION,
  parseEmissionLimits,
  REFERENCE_DATA_DIR,
  referenceDataGeneration,
  type IndustryLevel,
  type LimitDirection,
  type PollutantMedium,
  type RegionLevel,
  type RegionStatus,
  type RegionSuccessor,
} from './reference.loader.ts';

export type { IndustryLevel, LimitDirection, PollutantMedium, RegionLevel, RegionStatus, RegionSuccessor };

/** One ref_dataset row: which edition of a data set is loaded, from where, when. */
export interface Dataset {
  name: string;
  title: string;
  edition: string;
  source: string;
  licence: string | null;
  checksum: string;
  rowCount: number;
  loadedAt: Date;
}

/** One GB/T 2260 record: a code during one period of use. */
export interface Region {
  code: string;
  name: string;
  level: RegionLevel;
  provinceName: string | null;
  /** null for provinces and for counties directly under the province (直辖) */
  prefectureName: string | null;
  status: RegionStatus;
  validFromYear: number;
  /** exclusive; null while in use */
  validToYear: number | null;
  /** successors as the source gives them; `year` marks a part that moved while this code stayed */
  successors: RegionSuccessor[];
  current: boolean;
}

export interface RegionRef {
  code: string;
  name: string;
}

/** What an old or current code means today. */
export interface RegionResolution {
  code: string;
  name: string;
  level: RegionLevel;
  current: boolean;
  status: RegionStatus;
  validFromYear: number;
  validToYear: number | null;
  /**
   * Codes in use today that the record maps to, following the successor chain through every
   * change (deduplicated, in chain order). `[code]` for a code in use; `[]` when the source has
   * no successor for a withdrawn code.
   */
  successors: string[];
  /** province → prefecture → the record itself (no prefecture for 直辖 counties) */
  path: RegionRef[];
}

export interface RegionDetail extends Region {
  path: RegionRef[];
  resolution: RegionResolution;
  /** every record of this code, newest first */
  history: Region[];
}

export interface Industry {
  edition: string;
  code: string;
  name: string;
  level: IndustryLevel;
  parent: string | null;
}

export interface IndustryDetail extends Industry {
  /** section → division → group → class, ending with this industry */
  path: Industry[];
  children: Industry[];
}

export interface Pollutant {
  code: string;
  name: string;
  medium: PollutantMedium;
  code2005: string | null;
  unitConcentration: string | null;
  unitAmount: string | null;
  dataType: string | null;
  alias: string | null;
}

export interface EmissionLimit {
  id: number;
  standard: string;
  tableName: string;
  sourceCategory: string | null;
  pollutant: string;
  pollutantCode: string | null;
  direction: LimitDirection;
  limitValue: number | null;
  limitHigh: number | null;
  limitText: string;
  unit: string;
  appliesTo: string | null;
  confidence: string;
  source: string;
  note: string | null;
}

export interface ReferenceOxygen {
  sourceCategory: string;
  percent: number;
  confidence: string;
  note: string | null;
}

export interface StandardSummary {
  standard: string;
  limitCount: number;
  tables: string[];
  /** 基准氧含量 per source category (gas standards), from emission-limits.json reference_oxygen */
  referenceOxygen: ReferenceOxygen[];
}

/** The same answers as the service's methods, synchronously, from one snapshot. */
export interface ReferenceLookup {
  isKnownRegion(code: string, opts?: { allowHistorical?: boolean }): boolean;
  resolveRegion(code: string, atYear?: number): RegionResolution | undefined;
  regionName(code: string): string | undefined;
  /** GB/T 4754-2017 */
  isIndustryClass(code: string): boolean;
  /** GB/T 4754-2017 */
  industryName(code: string): string | undefined;
}

export interface ListRegionsOptions {
  /**
   * Absent: no parent filter (every region). '': provinces. Two digits (e.g. '33'): the province's prefectures
   * plus the counties directly under it (直辖市 districts, 省直辖县 like 429004 仙桃市). Four
   * digits ('3301', also '1101' for Beijing): the counties with that prefix. A six-digit code
   * ending in 00/0000 is read as its prefix.
   */
  parent?: string;
  /** name substring or code prefix; with a parent, searches all its descendants */
  q?: string;
  /** include records no longer in use */
  includeHistorical?: boolean;
}

export interface ListIndustriesOptions {
  /** children of this code (a section letter or a 2/3-digit code); with q, all descendants; absent: all */
  parent?: string;
  level?: IndustryLevel;
  /** name substring (brackets normalised) or code prefix */
  q?: string;
  edition?: string;
}

/** Full-width brackets and case do not matter when matching names. */
function norm(s: string): string {
  return s.replace(/（/g, '(').replace(/）/g, ')').trim().toLowerCase();
}

interface Snapshot {
  generation: number;
  regions: Region[];
  /** every record per code, newest first */
  regionsByCode: Map<string, Region[]>;
  currentRegions: Region[];
  currentByCode: Map<string, Region>;
  industries: Map<string, { list: Industry[]; byCode: Map<string, Industry> }>;
  pollutants: Pollutant[];
  /** frozen: handed out as it is (the rules index it once per snapshot) */
  limits: readonly EmissionLimit[];
}

/**
 * The emission-limit table and the reference O2 as the quality-review rules take them, read from
 * the shipped files without a database (the labelled-corpus benchmark, tests). A running server
 * reads them through the service (`listEmissionLimits`, `listStandards`), from the loaded tables.
 */
export function ruleTablesFromFiles(): { limits: EmissionLimit[]; referenceOxygen: { standard: string; percent: number; confidence: string }[] } {
  const json = JSON.parse(readFileSync(`${REFERENCE_DATA_DIR}/emission-limits/emission-limits.json`, 'utf8'));
  return {
    limits: parseEmissionLimits(json) as EmissionLimit[],
    referenceOxygen: referenceOxygen().map((r) => ({ standard: r.standard, percent: r.oxygen.percent, confidence: r.oxygen.confidence })),
  };
}

let referenceOxygenCache: { standard: string; oxygen: ReferenceOxygen }[] | undefined;
function referenceOxygen() {
  if (!referenceOxygenCache) {
    const json = JSON.parse(readFileSync(`${REFERENCE_DATA_DIR}/emission-limits/emission-limits.json`, 'utf8'));
    referenceOxygenCache = (json.reference_oxygen ?? []).map((r: any) => ({
      standard: r.standard,
      oxygen: { sourceCategory: r.source_category ?? '', percent: r.reference_o2_percent, confidence: r.confidence ?? 'unknown', note: r.note ?? null },
    }));
  }
  return referenceOxygenCache!;
}

/**
 * Read access to the reference data (regions, industries, pollutants, limits). Everything but
 * the data-set list is served from an in-memory snapshot (~9k rows) taken on first use and
 * retaken after `loadReferenceData` loads something in this process, or after `invalidate()`.
 */
export function createReferenceService(deps: { db: Db }) {
  const { db } = deps;
  const lookups = new WeakMap<Snapshot, ReferenceLookup>();
  let pending: Promise<Snapshot> | undefined;
  let pendingGeneration = -1;

  async function takeSnapshot(generation: number): Promise<Snapshot> {
    const [regionRows, industryRows, pollutantRows, limitRows] = await Promise.all([
      db.select().from(refRegion).orderBy(asc(refRegion.code), asc(refRegion.validFromYear)),
      db.select().from(refIndustry).orderBy(asc(refIndustry.edition), asc(refIndustry.code)),
      db.select().from(refPollutant).orderBy(asc(refPollutant.code)),
      db.select().from(refEmissionLimit).orderBy(asc(refEmissionLimit.id)),
    ]);
    const regions = regionRows as Region[];
    const regionsByCode = new Map<string, Region[]>();
    for (const r of regions) {
      const list = regionsByCode.get(r.code);
      if (list) list.unshift(r);
      else regionsByCode.set(r.code, [r]);
    }
    const currentRegions = regions.filter((r) => r.current);
    const industries = new Map<string, { list: Industry[]; byCode: Map<string, Industry> }>();
    for (const i of industryRows as Industry[]) {
      let e = industries.get(i.edition);
      if (!e) industries.set(i.edition, (e = { list: [], byCode: new Map() }));
      e.list.push(i);
      e.byCode.set(i.code, i);
    }
    // Sections (letters) sort before digits in code order; keep the source order instead:
    // each section followed by its divisions, groups and classes.
    for (const e of industries.values()) e.list = treeOrder(e.list);
    return {
      generation,
      regions,
      regionsByCode,
      currentRegions,
      currentByCode: new Map(currentRegions.map((r) => [r.code, r])),
      industries,
      pollutants: pollutantRows as Pollutant[],
      limits: Object.freeze((limitRows as EmissionLimit[]).map((l) => Object.freeze(l))),
    };
  }

  function snapshot(): Promise<Snapshot> {
    const generation = referenceDataGeneration();
    if (!pending || pendingGeneration !== generation) {
      const p = takeSnapshot(generation);
      pendingGeneration = generation;
      pending = p;
      p.catch(() => {
        if (pending === p) pending = undefined;
      });
    }
    return pending;
  }

  // -- regions -------------------------------------------------------------------------------

  function recordAt(s: Snapshot, code: string, year: number): Region | undefined {
    return s.regionsByCode.get(code)?.find((r) => r.validFromYear <= year && (r.validToYear === null || year < r.validToYear));
  }

  /** Without a year: the record in use, else the latest. With a year: the one valid then. */
  function pickRecord(s: Snapshot, code: string, atYear?: number): Region | undefined {
    if (atYear === undefined) return s.currentByCode.get(code) ?? s.regionsByCode.get(code)?.[0];
    return recordAt(s, code, atYear);
  }

  /**
   * Follow 新代码 from a record to the codes in use today. Only successors without a year are
   * followed (a `[year]` successor got part of the area while this code stayed in use). A
   * record that changed with no successor listed continues as the same code when that code has
   * a record starting the year this one ended (a rename); otherwise the trail ends.
   */
  function currentSuccessors(s: Snapshot, start: Region): string[] {
    const out = new Set<string>();
    const seen = new Set<Region>();
    const queue = [start];
    while (queue.length) {
      const r = queue.shift()!;
      if (seen.has(r)) continue;
      seen.add(r);
      if (r.current) {
        out.add(r.code);
        continue;
      }
      const end = r.validToYear!;
      let next = r.successors.filter((x) => x.year === undefined).map((x) => x.code);
      if (next.length === 0 && s.regionsByCode.get(r.code)?.some((x) => x.validFromYear === end)) next = [r.code];
      for (const code of next) {
        const n = recordAt(s, code, end);
        if (n) queue.push(n);
      }
    }
    return [...out];
  }

  function pathOf(s: Snapshot, r: Region): RegionRef[] {
    const self = { code: r.code, name: r.name };
    if (r.level === 'province') return [self];
    const provCode = `${r.code.slice(0, 2)}0000`;
    const prefCode = `${r.code.slice(0, 4)}00`;
    if (r.current) {
      const prov = s.currentByCode.get(provCode);
      const pref = r.level === 'county' ? s.currentByCode.get(prefCode) : undefined;
      return [
        ...(prov ? [{ code: prov.code, name: prov.name }] : []),
        ...(pref && pref.level === 'prefecture' ? [{ code: pref.code, name: pref.name }] : []),
        self,
      ];
    }
    // a historical record: the names it had at the time, as the source gives them
    return [
      ...(r.provinceName ? [{ code: provCode, name: r.provinceName }] : []),
      ...(r.level === 'county' && r.prefectureName ? [{ code: prefCode, name: r.prefectureName }] : []),
      self,
    ];
  }

  function resolution(s: Snapshot, r: Region): RegionResolution {
    return {
      code: r.code,
      name: r.name,
      level: r.level,
      current: r.current,
      status: r.status,
      validFromYear: r.validFromYear,
      validToYear: r.validToYear,
      successors: currentSuccessors(s, r),
      path: pathOf(s, r),
    };
  }

  function parentPrefix(parent: string): string {
    const p = parent.trim();
    if (p === '') return '';
    if (/^\d{6}$/.test(p)) {
      if (p.endsWith('0000')) return p.slice(0, 2);
      if (p.endsWith('00')) return p.slice(0, 4);
    }
    if (/^(\d{2}|\d{4})$/.test(p)) return p;
    throw new ValidationError(
      { zh: `上级区划应为空、2 位或 4 位数字前缀：${parent}`, en: `parent must be empty, a 2- or 4-digit prefix: ${parent}` },
      { parent },
    );
  }

  /** Direct children of a prefix: see ListRegionsOptions.parent. */
  function isChild(r: Region, prefix: string): boolean {
    if (prefix === '') return r.level === 'province';
    if (!r.code.startsWith(prefix) || r.code === `${prefix}0000`) return false;
    if (prefix.length === 2) return r.level === 'prefecture' || (r.level === 'county' && r.prefectureName === null);
    return r.level === 'county';
  }

  // -- industries ----------------------------------------------------------------------------

  function editionOf(s: Snapshot, edition: string) {
    return s.industries.get(edition) ?? { list: [], byCode: new Map<string, Industry>() };
  }

  function pathOfIndustry(byCode: Map<string, Industry>, code: string): Industry[] {
    const out: Industry[] = [];
    for (let i = byCode.get(code); i && out.length < 5; i = i.parent ? byCode.get(i.parent) : undefined) out.unshift(i);
    return out;
  }

  return {
    /** The loaded data sets with edition, source, licence and load time. */
    async listDatasets(): Promise<Dataset[]> {
      return (await db.select().from(refDataset).orderBy(asc(refDataset.name))) as Dataset[];
    },

    /**
     * A region code with its meaning today: the record in use, or for a code no longer in use
     * its latest record, plus the resolution to current codes and every record of the code.
     * @throws NotFoundError when the code never existed
     */
    async getRegion(code: string): Promise<RegionDetail> {
      const s = await snapshot();
      const r = pickRecord(s, code);
      if (!r) throw new NotFoundError({ zh: `行政区划代码 ${code}`, en: `region code ${code}` }, { code });
      return { ...r, path: pathOf(s, r), resolution: resolution(s, r), history: s.regionsByCode.get(code) ?? [] };
    },

    /**
     * What a (possibly old) code means: e.g. 110103 崇文区 (withdrawn 2010) → successors
     * ['110101'] 东城区. Without `atYear` the record in use is preferred, else the latest; with
     * `atYear` the record valid in that year (a code reused later has several). undefined when
     * unknown (or not valid in `atYear`).
     */
    async resolveRegion(code: string, atYear?: number): Promise<RegionResolution | undefined> {
      const s = await snapshot();
      const r = pickRecord(s, code, atYear);
      return r && resolution(s, r);
    },

    /** Is the code in use today (or, with allowHistorical, ever used)? */
    async isKnownRegion(code: string, opts: { allowHistorical?: boolean } = {}): Promise<boolean> {
      const s = await snapshot();
      return s.currentByCode.has(code) || (!!opts.allowHistorical && s.regionsByCode.has(code));
    },

    /** Name in use today, else the last name the code had; undefined when unknown. */
    async regionName(code: string): Promise<string | undefined> {
      const s = await snapshot();
      return pickRecord(s, code)?.name;
    },

    /**
     * Children of a prefix among codes in use (see ListRegionsOptions for the rule), or a search
     * with `q`. Sorted by code, then newest record first.
     * @throws ValidationError for a malformed parent
     */
    async listRegions(opts: ListRegionsOptions = {}): Promise<Region[]> {
      const s = await snapshot();
      const pool = opts.includeHistorical ? s.regions : s.currentRegions;
      const q = opts.q?.trim() ? norm(opts.q) : undefined;
      const prefix = opts.parent === undefined ? undefined : parentPrefix(opts.parent);
      let out: Region[];
      if (q === undefined) {
        out = prefix === undefined ? [...pool] : pool.filter((r) => isChild(r, prefix));
      } else {
        out = pool.filter(
          (r) =>
            (prefix === undefined || (r.code.startsWith(prefix) && r.code !== `${prefix}${'0'.repeat(6 - prefix.length)}`)) &&
            (norm(r.name).includes(q) || r.code.startsWith(q)),
        );
      }
      return out.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : b.validFromYear - a.validFromYear));
    },

    /**
     * An industry with its path and children.
     * @throws NotFoundError when the code is not in the edition
     */
    async getIndustry(code: string, edition: string = INDUSTRY_EDITION): Promise<IndustryDetail> {
      const s = await snapshot();
      const e = editionOf(s, edition);
      const i = e.byCode.get(code);
      if (!i) throw new NotFoundError({ zh: `行业代码 ${code}（${edition}）`, en: `industry code ${code} (${edition})` }, { code, edition });
      return { ...i, path: pathOfIndustry(e.byCode, code), children: e.list.filter((c) => c.parent === code) };
    },

    /** Is this a 4-digit 小类 of the edition (what permits and registrations must carry)? */
    async isIndustryClass(code: string, edition: string = INDUSTRY_EDITION): Promise<boolean> {
      const s = await snapshot();
      return editionOf(s, edition).byCode.get(code)?.level === 'class';
    },

    /**
     * Industries filtered by parent, level and text (no filter: all 1,971), in tree order
     * (section, then its divisions, groups, classes). `level: 'section'` gives the 20 门类.
     */
    async listIndustries(opts: ListIndustriesOptions = {}): Promise<Industry[]> {
      const s = await snapshot();
      const e = editionOf(s, opts.edition ?? INDUSTRY_EDITION);
      const q = opts.q?.trim() ? norm(opts.q) : undefined;
      return e.list.filter((i) => {
        if (opts.parent !== undefined) {
          if (q === undefined ? i.parent !== opts.parent : i.code === opts.parent || !pathOfIndustry(e.byCode, i.code).some((p) => p.code === opts.parent)) return false;
        }
        if (opts.level !== undefined && i.level !== opts.level) return false;
        if (q !== undefined && !(norm(i.name).includes(q) || i.code.toLowerCase().startsWith(q))) return false;
        return true;
      });
    },

    /** section → division → group → class for a code; [] when unknown. */
    async industryPath(code: string, edition: string = INDUSTRY_EDITION): Promise<Industry[]> {
      const s = await snapshot();
      return pathOfIndustry(editionOf(s, edition).byCode, code);
    },

    /** HJ 212-2017 pollutant codes; `q` matches code prefix, name, alias or the 2005 code. */
    async listPollutants(opts: { medium?: PollutantMedium; q?: string } = {}): Promise<Pollutant[]> {
      const s = await snapshot();
      const q = opts.q?.trim() ? norm(opts.q) : undefined;
      return s.pollutants.filter(
        (p) =>
          (!opts.medium || p.medium === opts.medium) &&
          (q === undefined ||
            p.code.toLowerCase().startsWith(q) ||
            norm(p.name).includes(q) ||
            (p.alias !== null && norm(p.alias).includes(q)) ||
            p.code2005?.toLowerCase() === q),
      );
    },

    /**
     * One pollutant code.
     * @throws NotFoundError when unknown
     */
    async getPollutant(code: string): Promise<Pollutant> {
      const s = await snapshot();
      const p = s.pollutants.find((x) => x.code === code);
      if (!p) throw new NotFoundError({ zh: `污染物编码 ${code}`, en: `pollutant code ${code}` }, { code });
      return p;
    },

    /**
     * Emission limits, all or of one standard (exact name, e.g. 'GB 13271-2014'), in source order.
     * All of them is the snapshot's own frozen array, the same one until the next reload: the
     * review rules key their indexes of the table on it, and a copy a call rebuilt them for
     * every page of a sweep and every permit checked.
     */
    async listEmissionLimits(opts: { standard?: string } = {}): Promise<readonly EmissionLimit[]> {
      const s = await snapshot();
      return opts.standard === undefined ? s.limits : s.limits.filter((l) => l.standard === opts.standard);
    },

    /** The standards that have limits, in source order, with their tables and reference O2. */
    async listStandards(): Promise<StandardSummary[]> {
      const s = await snapshot();
      const byStandard = new Map<string, StandardSummary>();
      for (const l of s.limits) {
        let e = byStandard.get(l.standard);
        if (!e) byStandard.set(l.standard, (e = { standard: l.standard, limitCount: 0, tables: [], referenceOxygen: [] }));
        e.limitCount++;
        if (!e.tables.includes(l.tableName)) e.tables.push(l.tableName);
      }
      for (const { standard, oxygen } of referenceOxygen()) byStandard.get(standard)?.referenceOxygen.push(oxygen);
      return [...byStandard.values()];
    },

    /**
     * Synchronous lookups over the current snapshot, for checks run row by row (imports).
     * Take a fresh one per batch: it does not follow later reloads.
     */
    async lookup(): Promise<ReferenceLookup> {
      const s = await snapshot();
      // One lookup object per snapshot: callers may keep what they derived from it for as
      // long as the same object comes back (the unit list keeps rendered rows that way).
      const known = lookups.get(s);
      if (known) return known;
      const industries = editionOf(s, INDUSTRY_EDITION).byCode;
      const made: ReferenceLookup = {
        isKnownRegion: (code, opts = {}) => s.currentByCode.has(code) || (!!opts.allowHistorical && s.regionsByCode.has(code)),
        resolveRegion: (code, atYear) => {
          const r = pickRecord(s, code, atYear);
          return r && resolution(s, r);
        },
        regionName: (code) => pickRecord(s, code)?.name,
        isIndustryClass: (code) => industries.get(code)?.level === 'class',
        industryName: (code) => industries.get(code)?.name,
      };
      lookups.set(s, made);
      return made;
    },

    /** Drop the in-memory snapshot (e.g. after another process reloaded the data). */
    invalidate(): void {
      pending = undefined;
    },
  };
}

export type ReferenceService = ReturnType<typeof createReferenceService>;

/** Each node followed by its descendants, siblings in code order. */
function treeOrder(list: Industry[]): Industry[] {
  const children = new Map<string | null, Industry[]>();
  for (const i of list) {
    const c = children.get(i.parent);
    if (c) c.push(i);
    else children.set(i.parent, [i]);
  }
  const out: Industry[] = [];
  const walk = (parent: string | null, depth: number) => {
    if (depth > 4) return;
    for (const i of (children.get(parent) ?? []).sort((a, b) => (a.code < b.code ? -1 : 1))) {
      out.push(i);
      walk(i.code, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
