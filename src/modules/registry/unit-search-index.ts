/**
 * An in-memory inverted index over the units, for the unit list's default order (newest first).
 *
 * Why in memory: the list's usual query (jurisdiction + region + partial name + industry,
 * newest first, with a count) matches hundreds of units out of a million. PostgreSQL answers it
 * from the GIN token index but must then read every matching heap row twice (count and page)
 * to check the name and sort by date — 10–20 ms of database CPU per request, which caps the
 * whole platform at ~100 searches/s on two cores. Here the same query walks one posting list
 * of slot numbers kept in (created_at, id) order, newest first, tests each candidate against
 * the plain fields, and stops as soon as the page is full and the count has passed the cap.
 * The page's rows are then read from the database by primary key, inside the caller's scope.
 *
 * The index only ever answers "which ids, in which order, and how many": the rows shown come
 * from the database, re-filtered by jurisdiction there, so a stale index can at worst show a
 * just-changed unit one refresh late — never a unit outside the caller's scope.
 *
 * Posting lists (slot numbers in (created_at, id) order), all over live units:
 *   every unit; each region code prefix of length 2, 4, 6; each industry code prefix of length
 *   2, 3, 4; city (4) or county (6) × industry division (2) — the usual pair, whose own list
 *   is far shorter than either alone; each management category and status; each bigram of the
 *   normalized name (a one-character name: that character).
 * A query walks the shortest list that every match must be on; all other conditions are
 * checked on the candidate's fields, so lists never need intersecting.
 *
 * Memory: fields are columns of typed arrays, codes are small integers into a table of
 * distinct codes, lists are Int32Arrays — about 350 bytes per unit, so a national registry of
 * a few million units fits in a server's memory (SEARCH_INDEX=false turns it off).
 */
import { normalizeForSearch } from './search-tokens.ts';

export interface IndexedUnit {
  id: string;
  entityId: string;
  name: string;
  regionCode: string;
  industryCode: string;
  managementCategory: string | null;
  status: string;
  /** created_at in microseconds since the epoch (PostgreSQL's precision, so ties sort as in SQL) */
  createdMicros: number;
  version: number;
}

export interface IndexQuery {
  /** the caller's jurisdiction ('' = national) */
  scopePrefix: string;
  /** an enterprise user's own entity: only its units */
  scopeEntityId?: string | null;
  region?: string;
  industry?: string;
  category?: string;
  status?: string;
  entityId?: string;
  /** free text as typed; normalized here the same way as the names */
  q?: string;
}

export interface IndexPage {
  ids: string[];
  /** matches counted, stopping at cap + 1 (and at least until the page is full) */
  counted: number;
}

const REGION_LEVELS = [2, 4, 6];
/** Record size in 16-bit words (64 bytes) and how much of the name fits inside. */
const REC = 32;
const INLINE_NAME = REC - 4;
/** Lists up to this many times longer than the shortest are intersected (measured on 1M units). */
const INTERSECT_RATIO = 8;
const INDUSTRY_LEVELS = [2, 3, 4];

/** A growable list of slot numbers. */
class Posting {
  data = new Int32Array(4);
  length = 0;
  push(v: number) {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = v;
  }
  insertAt(i: number, v: number) {
    if (this.length === this.data.length) this.grow();
    this.data.copyWithin(i + 1, i, this.length);
    this.data[i] = v;
    this.length++;
  }
  removeAt(i: number) {
    this.data.copyWithin(i, i + 1, this.length);
    this.length--;
  }
  private grow() {
    const next = new Int32Array(Math.max(8, Math.ceil(this.data.length * 1.5)));
    next.set(this.data);
    this.data = next;
  }
}

/** Distinct short strings (codes) numbered from 0, with per-code data computed once. */
class CodeTable<T> {
  readonly codes: string[] = [];
  readonly extra: T[] = [];
  private byCode = new Map<string, number>();
  constructor(private make: (code: string) => T) {}
  id(code: string): number {
    let n = this.byCode.get(code);
    if (n === undefined) {
      n = this.codes.length;
      this.byCode.set(code, n);
      this.codes.push(code);
      this.extra.push(this.make(code));
    }
    return n;
  }
  find(code: string): number {
    return this.byCode.get(code) ?? -1;
  }
  /** 1 for each code starting with prefix. */
  mask(prefix: string): Uint8Array {
    const m = new Uint8Array(this.codes.length);
    for (let i = 0; i < this.codes.length; i++) if (this.codes[i].startsWith(prefix)) m[i] = 1;
    return m;
  }
}

/**
 * The last position at or before `from` whose rank is at most `r` (-1 if none): a galloping
 * search backwards, so a walk down a long list costs the log of each gap, not the gap.
 */
function seekBack(list: Posting, from: number, r: number, rank: Float64Array): number {
  const data = list.data;
  if (from < 0) return -1;
  if (rank[data[from]] <= r) return from;
  let hi = from;
  let step = 1;
  let lo = from - step;
  while (lo >= 0 && rank[data[lo]] > r) {
    hi = lo;
    step *= 2;
    lo = from - step;
  }
  if (lo < 0) lo = -1;
  // rank at lo is ≤ r (or lo = -1), rank at hi is > r
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (rank[data[mid]] <= r) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * A name's distinct two-code-unit slices (a one-unit name: itself). Code units rather than
 * characters: the same on both sides of a lookup, and no string iteration in the hot path.
 */
function gramsOf(name: string): string[] {
  if (name.length < 2) return name ? [name] : [];
  const out: string[] = [];
  for (let i = 0; i + 1 < name.length; i++) {
    const g = name.slice(i, i + 2);
    if (!out.includes(g)) out.push(g);
  }
  return out;
}

/** Whether the code units buf[start, start + len) contain `needle`. */
function contains(buf: Uint16Array, start: number, len: number, needle: number[]): boolean {
  const n = needle.length;
  const first = needle[0];
  outer: for (let i = start, last = start + len - n; i <= last; i++) {
    if (buf[i] !== first) continue;
    for (let j = 1; j < n; j++) if (buf[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function grown<T extends Float64Array | Int32Array | Uint16Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(need, Math.ceil(a.length * 1.5), 1024));
  next.set(a);
  return next;
}

export class UnitSearchIndex {
  private ids: string[] = [];
  /**
   * What a query tests, one 64-byte record (a cache line) per slot: region code, industry code,
   * category and status, name length and the first INLINE_NAME code units of the normalized
   * name. Testing a candidate then costs one memory access instead of one per field. Longer
   * names continue in `nameBuf` (the whole name is kept there for them).
   */
  private rec = new Uint16Array(0);
  private nameBuf = new Uint16Array(0);
  private nameUsed = 0;
  private nameStart = new Int32Array(0);
  private created = new Float64Array(0);
  /**
   * Position in (created, id) order as a number: consecutive integers after a load, a midpoint
   * when a unit arrives out of order (renumbered when midpoints run out). Every list is sorted
   * by rank, so comparing two slots is one array read.
   */
  private rank = new Float64Array(0);
  private version = new Int32Array(0);
  private entityIds: string[] = [];
  private slotOf = new Map<string, number>();
  private liveCount = 0;

  private all = new Posting();
  private facets = new Map<string, Posting>();
  private grams = new Map<string, Posting>();
  // Each code's facet lists, found once per code rather than once per unit.
  private regions = new CodeTable<string[]>((c) => REGION_LEVELS.filter((n) => c.length >= n).map((n) => `r:${c.slice(0, n)}`));
  private industries = new CodeTable<string[]>((c) => INDUSTRY_LEVELS.filter((n) => c.length >= n).map((n) => `i:${c.slice(0, n)}`));
  // index 0 = none, so an absent category is a code like the others
  private categories = new CodeTable<string>((c) => `c:${c}`);
  private statuses = new CodeTable<string>((c) => `s:${c}`);
  private combos = new Map<number, Posting[]>();

  constructor() {
    this.categories.id('');
  }

  get size() {
    return this.liveCount;
  }

  private facet(key: string, create: boolean): Posting | undefined {
    let p = this.facets.get(key);
    if (!p && create) this.facets.set(key, (p = new Posting()));
    return p;
  }

  /** The region, industry and pair lists of one (region, industry) combination, found once. */
  private placeLists(slot: number): Posting[] {
    const r = this.rec[slot * REC];
    const i = this.rec[slot * REC + 1];
    const key = r * 65536 + i;
    let lists = this.combos.get(key);
    if (!lists) {
      const region = this.regions.codes[r];
      const industry = this.industries.codes[i];
      const keys = [...this.regions.extra[r], ...this.industries.extra[i]];
      if (industry.length >= 2) {
        if (region.length >= 4) keys.push(`x:${region.slice(0, 4)}:${industry.slice(0, 2)}`);
        if (region.length >= 6) keys.push(`x:${region.slice(0, 6)}:${industry.slice(0, 2)}`);
      }
      lists = keys.map((k) => this.facet(k, true)!);
      this.combos.set(key, lists);
    }
    return lists;
  }

  /** The lists a slot is on, other than the list of all units. */
  private lists(slot: number, create: boolean, name = this.nameOf(slot)): Posting[] {
    const out = this.placeLists(slot).slice();
    const cs = this.rec[slot * REC + 2];
    const status = this.facet(this.statuses.extra[cs >> 8], create);
    if (status) out.push(status);
    if ((cs & 255) !== 0) {
      const category = this.facet(this.categories.extra[cs & 255], create);
      if (category) out.push(category);
    }
    const grams = gramsOf(name);
    for (let k = 0; k < grams.length; k++) {
      let p = this.grams.get(grams[k]);
      if (!p && create) this.grams.set(grams[k], (p = new Posting()));
      if (p) out.push(p);
    }
    return out;
  }

  /** (created, id) order: the SQL list's `order by created_at, id`. uuid text order is byte order. */
  private cmpKey(a: number, b: number): number {
    const d = this.created[a] - this.created[b];
    if (d !== 0) return d;
    const x = this.ids[a];
    const y = this.ids[b];
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /** First position in `list` whose rank is at least `r`. */
  private lowerBound(list: Posting, r: number): number {
    const { rank } = this;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rank[list.data[mid]] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Put a new (or re-dated) slot into the order of all units and give it a rank. */
  private place(slot: number) {
    const all = this.all;
    const last = all.length ? all.data[all.length - 1] : -1;
    if (last < 0 || this.cmpKey(last, slot) < 0) {
      this.rank[slot] = last < 0 ? 1 : this.rank[last] + 1;
      all.push(slot);
      return;
    }
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmpKey(all.data[mid], slot) < 0) lo = mid + 1;
      else hi = mid;
    }
    const below = lo > 0 ? this.rank[all.data[lo - 1]] : this.rank[all.data[lo]] - 2;
    const above = this.rank[all.data[lo]];
    const r = (below + above) / 2;
    all.insertAt(lo, slot);
    if (r > below && r < above) {
      this.rank[slot] = r;
      return;
    }
    // No number left between the neighbours: renumber everything. Relative order is kept,
    // so every list stays sorted.
    for (let i = 0; i < all.length; i++) this.rank[all.data[i]] = i + 1;
  }

  private unplace(slot: number) {
    const all = this.all;
    const at = all.data[all.length - 1] === slot ? all.length - 1 : this.lowerBound(all, this.rank[slot]);
    if (at < all.length && all.data[at] === slot) all.removeAt(at);
  }

  private addPostings(slot: number, name?: string) {
    const r = this.rank[slot];
    for (const list of this.lists(slot, true, name)) {
      // Units almost always arrive newest-last; the ordered insert is for the rest.
      if (list.length === 0 || this.rank[list.data[list.length - 1]] < r) list.push(slot);
      else list.insertAt(this.lowerBound(list, r), slot);
    }
  }

  private removePostings(slot: number) {
    const r = this.rank[slot];
    for (const list of this.lists(slot, false)) {
      const at = list.data[list.length - 1] === slot ? list.length - 1 : this.lowerBound(list, r);
      if (at < list.length && list.data[at] === slot) list.removeAt(at);
    }
  }

  private nameOf(slot: number): string {
    const base = slot * REC;
    const len = this.rec[base + 3];
    const [buf, start] = len <= INLINE_NAME ? [this.rec, base + 4] : [this.nameBuf, this.nameStart[slot]];
    let out = '';
    for (let i = start, end = start + len; i < end; i += 4096) out += String.fromCharCode(...buf.subarray(i, Math.min(end, i + 4096)));
    return out;
  }

  /** Store the unit's fields in its slot; returns its normalized name. */
  private write(slot: number, u: IndexedUnit): string {
    this.ids[slot] = u.id;
    const name = normalizeForSearch(u.name).slice(0, 65535);
    const base = slot * REC;
    const rec = this.rec;
    rec[base] = this.regions.id(u.regionCode);
    rec[base + 1] = this.industries.id(u.industryCode);
    rec[base + 2] = this.categories.id(u.managementCategory ?? '') | (this.statuses.id(u.status) << 8);
    rec[base + 3] = name.length;
    if (name.length <= INLINE_NAME) {
      for (let i = 0; i < name.length; i++) rec[base + 4 + i] = name.charCodeAt(i);
    } else {
      // A long name goes to the side buffer; a rename appends (renames are rare, a reload compacts).
      this.nameBuf = grown(this.nameBuf, this.nameUsed + name.length);
      for (let i = 0; i < name.length; i++) this.nameBuf[this.nameUsed + i] = name.charCodeAt(i);
      this.nameStart[slot] = this.nameUsed;
      this.nameUsed += name.length;
    }
    this.created[slot] = u.createdMicros;
    this.version[slot] = u.version;
    this.entityIds[slot] = u.entityId;
    return name;
  }

  /**
   * Start over with these units. (A rebuild builds a new index beside the one in use instead,
   * see unit-search.ts; this is for a set already in memory.)
   */
  load(units: Iterable<IndexedUnit>) {
    Object.assign(this, new UnitSearchIndex());
    for (const u of units) this.upsert(u);
  }

  /**
   * Insert or replace one unit. A row older than the one held (lower version) is ignored, so
   * refreshes that overtake each other cannot roll a unit back. Returns whether anything changed.
   */
  upsert(u: IndexedUnit): boolean {
    const slot = this.slotOf.get(u.id);
    if (slot !== undefined) {
      if (u.version < this.version[slot]) return false;
      this.removePostings(slot);
      const redated = u.createdMicros !== this.created[slot];
      if (redated) this.unplace(slot);
      const name = this.write(slot, u);
      if (redated) this.place(slot);
      this.addPostings(slot, name);
      return true;
    }
    const fresh = this.ids.length;
    const need = fresh + 1;
    this.created = grown(this.created, need);
    this.rank = grown(this.rank, need);
    this.nameStart = grown(this.nameStart, need);
    this.version = grown(this.version, need);
    this.rec = grown(this.rec, need * REC);
    const name = this.write(fresh, u);
    this.slotOf.set(u.id, fresh);
    this.liveCount++;
    this.place(fresh);
    this.addPostings(fresh, name);
    return true;
  }

  remove(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.removePostings(slot);
    this.unplace(slot);
    this.slotOf.delete(id);
    this.liveCount--;
    return true;
  }

  /**
   * Newest first: the ids of matches [offset, offset + limit) and the number of matches,
   * counted until it passes `cap` (and at least until the page is full). undefined when more
   * than `budget` candidates would have to be tested (the caller asks the database instead).
   */
  search(q: IndexQuery, offset: number, limit: number, cap: number, budget = Infinity): IndexPage | undefined {
    const none = { ids: [], counted: 0 };
    const needle = q.q ? normalizeForSearch(q.q) : '';
    // Jurisdiction and region filter are both prefixes: a match starts with the longer one,
    // and if neither extends the other nothing matches.
    if (q.region && !(q.region.startsWith(q.scopePrefix) || q.scopePrefix.startsWith(q.region))) return none;
    const regionPrefix = (q.region ?? '').length > q.scopePrefix.length ? q.region! : q.scopePrefix;
    const candidates: (Posting | undefined)[] = [];
    const regionLevel = REGION_LEVELS.filter((n) => n <= regionPrefix.length).pop();
    const industryLevel = q.industry ? INDUSTRY_LEVELS.filter((n) => n <= q.industry!.length).pop() : undefined;
    // The pair list replaces the region list (same level) and an industry list of division level.
    const pair = !!(q.industry && q.industry.length >= 2 && regionLevel && regionLevel >= 4);
    if (pair) candidates.push(this.facets.get(`x:${regionPrefix.slice(0, regionLevel)}:${q.industry!.slice(0, 2)}`));
    else if (regionLevel) candidates.push(this.facets.get(`r:${regionPrefix.slice(0, regionLevel)}`));
    if (industryLevel && !(pair && industryLevel === 2)) candidates.push(this.facets.get(`i:${q.industry!.slice(0, industryLevel)}`));
    if (q.category) candidates.push(this.facets.get(`c:${q.category}`));
    if (q.status) candidates.push(this.facets.get(`s:${q.status}`));
    const needleGrams = needle.length >= 2 ? gramsOf(needle).map((g) => this.grams.get(g)) : [];
    candidates.push(...needleGrams);
    if (candidates.some((list) => !list || list.length === 0)) return none;
    // Walk the shortest list; a candidate must also be on every other list, which is checked
    // by seeking backwards in each (they are all in rank order and only ever move back).
    const lists = (candidates as Posting[]).sort((a, b) => a.length - b.length);
    const shortest = lists[0] ?? this.all;
    // A list much longer than the shortest removes few candidates for the cost of seeking in
    // it; the field checks below decide those candidates just as well.
    const others = lists.slice(1).filter((l) => l.length <= shortest.length * INTERSECT_RATIO);
    // A two-character needle is its own bigram: being on that list is the substring test.
    const needleProven = needle.length === 2 && (shortest === needleGrams[0] || others.includes(needleGrams[0]!));
    const needleUnits = needle && !needleProven ? Array.from({ length: needle.length }, (_, i) => needle.charCodeAt(i)) : undefined;
    const cursor = others.map((l) => l.length - 1);

    // Field conditions as small integers and code masks, so the loop compares numbers.
    const regionMask = regionPrefix ? this.regions.mask(regionPrefix) : undefined;
    const industryMask = q.industry ? this.industries.mask(q.industry) : undefined;
    const category = q.category ? this.categories.find(q.category) : -1;
    const status = q.status ? this.statuses.find(q.status) : -1;
    if ((q.category && category < 0) || (q.status && status < 0)) return none;
    // undefined: no restriction; '' or null: an enterprise user without an entity sees nothing
    let entity: string | undefined;
    if (q.scopeEntityId !== undefined) {
      if (!q.scopeEntityId) return none;
      entity = q.scopeEntityId;
    }
    if (q.entityId) {
      if (entity !== undefined && entity !== q.entityId) return none;
      entity = q.entityId;
    }

    const ids: string[] = [];
    const end = offset + limit;
    let counted = 0;
    const data = shortest.data;
    const { rec, nameBuf, nameStart } = this;
    const { rank } = this;
    let k = shortest.length - 1;
    let tested = 0;
    walk: while (k >= 0) {
      if (++tested > budget) return undefined;
      const s = data[k];
      const r = rank[s];
      for (let j = 0; j < others.length; j++) {
        const at = seekBack(others[j], cursor[j], r, rank);
        if (at < 0) break walk;
        cursor[j] = at;
        if (others[j].data[at] !== s) {
          // Not on list j: nothing on the walked list between here and list j's next entry
          // can be either, so jump there (a leapfrog join).
          k = seekBack(shortest, k - 1, rank[others[j].data[at]], rank);
          continue walk;
        }
      }
      k--;
      const base = s * REC;
      if (regionMask && regionMask[rec[base]] === 0) continue;
      if (industryMask && industryMask[rec[base + 1]] === 0) continue;
      const cs = rec[base + 2];
      if (category >= 0 && (cs & 255) !== category) continue;
      if (status >= 0 && cs >> 8 !== status) continue;
      if (entity !== undefined && this.entityIds[s] !== entity) continue;
      if (needleUnits) {
        const len = rec[base + 3];
        if (len <= INLINE_NAME ? !contains(rec, base + 4, len, needleUnits) : !contains(nameBuf, nameStart[s], len, needleUnits)) continue;
      }
      if (counted >= offset && counted < end) ids.push(this.ids[s]);
      counted++;
      if (counted > cap && counted >= end) break;
    }
    return { ids, counted };
  }
}
