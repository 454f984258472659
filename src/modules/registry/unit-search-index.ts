/**
 * An in-memory inverted index over the units, for the unit list's default order (newest first).
 *
 * Why in memory: the list's usual query (jurisdiction + region + partial name + industry,
 * newest first, with a count) matches hundreds of units out of a million. PostgreSQL answers it
 * from the GIN token index but must then read every matching heap row twice (count and page)
 * to check the name and sort by date — 10–20 ms of database CPU per request, which caps the
 * whole platform at ~100 searches/s on two cores. Here the same query walks one posting list
 * of slot numbers kept in (created_at, id) order, newest first, checks each candidate against
 * the other lists and then, where a list does not settle it, against the plain fields, and
 * stops as soon as the page is full and the count has passed the cap.
 *
 * The index answers "which units, at which version, in which order, and how many"; the rows
 * shown are those versions of those units (registry.service.ts, unit-row-cache.ts). The index
 * applies the caller's jurisdiction to the same state of each unit that its row shows, so a
 * stale index can at worst show a just-changed unit as it was a refresh earlier.
 *
 * Posting lists (slot numbers in (created_at, id) order), all over live units:
 *   every unit; each region code prefix of length 2, 4, 6; each industry code prefix of length
 *   2, 3, 4; city (4) or county (6) × industry division (2) — the usual pair, whose own list
 *   is far shorter than either alone; each management category and status; each bigram of the
 *   normalized name (a one-character name: that character).
 * A query walks the shortest list that every match must be on; a candidate is tested against
 * each other long list by its bitmap, leapfrogs through the short ones (see search), and is
 * read only for the conditions no list settles.
 *
 * Memory: fields are columns of typed arrays, codes are small integers into a table of
 * distinct codes; each list entry is a slot (4 bytes) and its rank (8 bytes), and lists of
 * BITMAP_MIN entries or more add a bitmap. Measured on a million demo units: about 600 MB
 * (190 MB of JavaScript heap, 400 MB of typed arrays) — a national registry of a few million
 * units fits in a server's memory (SEARCH_INDEX=false turns it off).
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
  /** the version of each unit as held by the index */
  versions: number[];
  /** matches counted, stopping at cap + 1 (and at least until the page is full) */
  counted: number;
}

const REGION_LEVELS = [2, 4, 6];
/** Record size in 16-bit words (64 bytes) and how much of the name fits inside. */
const REC = 32;
const INLINE_NAME = REC - 4;
/** Lists up to this many times longer than the shortest are intersected (measured on 1M units). */
const INTERSECT_RATIO = 8;
/**
 * Lists this long keep a bitmap of their slots. 16,384 entries of 12 bytes against a bitmap of
 * one bit per slot: on a million units the bitmap (128 KB) is under the list's size (192 KB).
 */
const BITMAP_MIN = 16_384;
const INDUSTRY_LEVELS = [2, 3, 4];

/**
 * A growable list of slot numbers with each slot's rank beside it. The ranks are a copy (of
 * `rank[slot]`), kept so that walking and seeking read the list's own memory in order instead
 * of one random read per entry — on a million units that is most of a query's time.
 *
 * A long list also keeps a bitmap of its slots, so that "is this candidate on the list" is one
 * bit test instead of a search: a walk down one list then checks a candidate against every
 * other long list in a few nanoseconds. The bitmap (one bit per slot of the index) costs at
 * most about half the list's own memory, since only lists of at least `bitmapMin` entries get
 * one.
 */
class Posting {
  data = new Int32Array(4);
  ranks = new Float64Array(4);
  length = 0;
  bits: Uint32Array | undefined;
  constructor(private readonly bitmapMin: number) {}
  push(slot: number, rank: number) {
    if (this.length === this.data.length) this.grow();
    this.ranks[this.length] = rank;
    this.data[this.length++] = slot;
    this.mark(slot);
  }
  insertAt(i: number, slot: number, rank: number) {
    if (this.length === this.data.length) this.grow();
    this.data.copyWithin(i + 1, i, this.length);
    this.ranks.copyWithin(i + 1, i, this.length);
    this.data[i] = slot;
    this.ranks[i] = rank;
    this.length++;
    this.mark(slot);
  }
  removeAt(i: number) {
    const slot = this.data[i];
    if (this.bits) this.bits[slot >>> 5] &= ~(1 << (slot & 31));
    this.data.copyWithin(i, i + 1, this.length);
    this.ranks.copyWithin(i, i + 1, this.length);
    this.length--;
  }
  private mark(slot: number) {
    if (!this.bits) {
      if (this.length < this.bitmapMin) return;
      // Long enough now: a bitmap of every slot on the list.
      let max = 0;
      for (let i = 0; i < this.length; i++) if (this.data[i] > max) max = this.data[i];
      this.bits = new Uint32Array(((max * 1.25) >>> 5) + 1);
      for (let i = 0; i < this.length; i++) this.bits[this.data[i] >>> 5] |= 1 << (this.data[i] & 31);
      return;
    }
    const w = slot >>> 5;
    if (w >= this.bits.length) this.bits = grown(this.bits, w + 1);
    this.bits[w] |= 1 << (slot & 31);
  }
  /** Drop the room kept for growth (after a bulk load; a later push grows it again). */
  trim() {
    if (this.data.length > this.length) {
      this.data = this.data.slice(0, this.length);
      this.ranks = this.ranks.slice(0, this.length);
    }
  }
  private grow() {
    const size = Math.max(8, Math.ceil(this.data.length * 1.5));
    const data = new Int32Array(size);
    data.set(this.data);
    this.data = data;
    const ranks = new Float64Array(size);
    ranks.set(this.ranks);
    this.ranks = ranks;
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
function seekBack(list: Posting, from: number, r: number): number {
  const ranks = list.ranks;
  if (from < 0) return -1;
  if (ranks[from] <= r) return from;
  let hi = from;
  let step = 1;
  let lo = from - step;
  while (lo >= 0 && ranks[lo] > r) {
    hi = lo;
    step *= 2;
    lo = from - step;
  }
  if (lo < 0) lo = -1;
  // rank at lo is ≤ r (or lo = -1), rank at hi is > r
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ranks[mid] <= r) lo = mid;
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

function grown<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(a: T, need: number): T {
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
  /** The last unit placed out of order (see place). */
  private lastLate = -1;
  private version = new Int32Array(0);
  private entityIds: string[] = [];
  private slotOf = new Map<string, number>();
  private liveCount = 0;

  private all: Posting;
  private facets = new Map<string, Posting>();
  private grams = new Map<string, Posting>();
  // Each code's facet lists, found once per code rather than once per unit.
  private regions = new CodeTable<string[]>((c) => REGION_LEVELS.filter((n) => c.length >= n).map((n) => `r:${c.slice(0, n)}`));
  private industries = new CodeTable<string[]>((c) => INDUSTRY_LEVELS.filter((n) => c.length >= n).map((n) => `i:${c.slice(0, n)}`));
  // index 0 = none, so an absent category is a code like the others
  private categories = new CodeTable<string>((c) => `c:${c}`);
  private statuses = new CodeTable<string>((c) => `s:${c}`);
  private combos = new Map<number, Posting[]>();

  private readonly bitmapMin: number;

  /** bitmapMin: lists of at least this many entries keep a bitmap (see Posting); lower in tests. */
  constructor(options: { bitmapMin?: number } = {}) {
    this.bitmapMin = options.bitmapMin ?? BITMAP_MIN;
    this.all = new Posting(Infinity);
    this.categories.id('');
  }

  get size() {
    return this.liveCount;
  }

  private facet(key: string, create: boolean): Posting | undefined {
    let p = this.facets.get(key);
    if (!p && create) this.facets.set(key, (p = new Posting(this.bitmapMin)));
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
      if (!p && create) this.grams.set(grams[k], (p = new Posting(this.bitmapMin)));
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
    const ranks = list.ranks;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ranks[mid] < r) lo = mid + 1;
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
      all.push(slot, this.rank[slot]);
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
    // Late arrivals usually come as a run (a long transaction's rows, committed after a newer
    // unit): each lands just above the previous one, or just below it when they arrive newest
    // first. Halving the gap would use up a double's precision in ~50 rows, and each time it
    // runs out every list is renumbered; a small step away from the previous one lasts ~15,000.
    const step = (above - below) / 1024;
    const r = lo > 0 && all.data[lo - 1] === this.lastLate ? below + step : all.data[lo] === this.lastLate ? above - step : (below + above) / 2;
    this.lastLate = slot;
    all.insertAt(lo, slot, r);
    if (r > below && r < above) {
      this.rank[slot] = r;
      return;
    }
    this.renumber();
  }

  /**
   * No number left between two neighbours: number every unit again in order, in the rank
   * array and in every list's copy. Relative order is kept, so every list stays sorted.
   */
  private renumber() {
    const { all, rank } = this;
    for (let i = 0; i < all.length; i++) rank[all.data[i]] = i + 1;
    for (const list of [all, ...this.facets.values(), ...this.grams.values()]) {
      for (let i = 0; i < list.length; i++) list.ranks[i] = rank[list.data[i]];
    }
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
      if (list.length === 0 || list.ranks[list.length - 1] < r) list.push(slot, r);
      else list.insertAt(this.lowerBound(list, r), slot, r);
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
    Object.assign(this, new UnitSearchIndex({ bitmapMin: this.bitmapMin }));
    for (const u of units) this.upsert(u);
    this.trim();
  }

  /**
   * Give back the room kept for growth, after a bulk load: lists grow by half as they fill, so
   * up to a third of a freshly loaded index is spare room.
   */
  trim() {
    for (const list of [this.all, ...this.facets.values(), ...this.grams.values()]) list.trim();
    const n = this.ids.length;
    this.rec = this.rec.slice(0, n * REC);
    this.created = this.created.slice(0, n);
    this.rank = this.rank.slice(0, n);
    this.version = this.version.slice(0, n);
    this.nameStart = this.nameStart.slice(0, n);
    this.nameBuf = this.nameBuf.slice(0, this.nameUsed);
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
    const none = { ids: [], versions: [], counted: 0 };
    const needle = q.q ? normalizeForSearch(q.q) : '';
    // Jurisdiction and region filter are both prefixes: a match starts with the longer one,
    // and if neither extends the other nothing matches.
    if (q.region && !(q.region.startsWith(q.scopePrefix) || q.scopePrefix.startsWith(q.region))) return none;
    const regionPrefix = (q.region ?? '').length > q.scopePrefix.length ? q.region! : q.scopePrefix;
    const candidates: (Posting | undefined)[] = [];
    const regionLevel = REGION_LEVELS.filter((n) => n <= regionPrefix.length).pop();
    const industryLevel = q.industry ? INDUSTRY_LEVELS.filter((n) => n <= q.industry!.length).pop() : undefined;
    // The lists that settle a condition on their own (exactly the prefix asked for): a
    // candidate found on all of them needs no look at its fields for that condition.
    let regionList: Posting | undefined;
    let industryList: Posting | undefined;
    // The pair list replaces the region list (same level) and an industry list of division level.
    const pair = !!(q.industry && q.industry.length >= 2 && regionLevel && regionLevel >= 4);
    if (pair) {
      const list = this.facets.get(`x:${regionPrefix.slice(0, regionLevel)}:${q.industry!.slice(0, 2)}`);
      candidates.push(list);
      if (regionLevel === regionPrefix.length) regionList = list;
      if (q.industry!.length === 2) industryList = list;
    } else if (regionLevel) {
      const list = this.facets.get(`r:${regionPrefix.slice(0, regionLevel)}`);
      candidates.push(list);
      if (regionLevel === regionPrefix.length) regionList = list;
    }
    if (industryLevel && !(pair && industryLevel === 2)) {
      const list = this.facets.get(`i:${q.industry!.slice(0, industryLevel)}`);
      candidates.push(list);
      if (industryLevel === q.industry!.length) industryList = list;
    }
    const categoryList = q.category ? this.facets.get(`c:${q.category}`) : undefined;
    const statusList = q.status ? this.facets.get(`s:${q.status}`) : undefined;
    if (q.category) candidates.push(categoryList);
    if (q.status) candidates.push(statusList);
    const needleGrams = needle.length >= 2 ? gramsOf(needle).map((g) => this.grams.get(g)) : [];
    candidates.push(...needleGrams);
    if (candidates.some((list) => !list || list.length === 0)) return none;
    // Walk the shortest list; a candidate must also be on every other list, which is checked
    // by seeking backwards in each (they are all in rank order and only ever move back).
    const lists = (candidates as Posting[]).sort((a, b) => a.length - b.length);
    const shortest = lists[0] ?? this.all;
    // Lists with a bitmap are tested bit by bit. Of the others, a list much longer than the
    // shortest removes few candidates for the cost of seeking in it; the field checks below
    // decide those candidates just as well.
    const probed = lists.slice(1).filter((l) => l.bits);
    const others = lists.slice(1).filter((l) => !l.bits && l.length <= shortest.length * INTERSECT_RATIO);
    const bitmaps = probed.map((l) => l.bits!);
    // A two-character needle is its own bigram: being on that list is the substring test.
    const needleProven = needle.length === 2 && [shortest, ...probed, ...others].includes(needleGrams[0]!);
    const needleUnits = needle && !needleProven ? Array.from({ length: needle.length }, (_, i) => needle.charCodeAt(i)) : undefined;
    const cursor = others.map((l) => l.length - 1);

    // Field conditions as small integers and code masks, so the loop compares numbers; none
    // for a condition a checked list settles.
    const checked = new Set([shortest, ...probed, ...others]);
    const settled = (list: Posting | undefined) => !!list && checked.has(list);
    const regionMask = regionPrefix && !settled(regionList) ? this.regions.mask(regionPrefix) : undefined;
    const industryMask = q.industry && !settled(industryList) ? this.industries.mask(q.industry) : undefined;
    const category = q.category && !settled(categoryList) ? this.categories.find(q.category) : -1;
    const status = q.status && !settled(statusList) ? this.statuses.find(q.status) : -1;
    if ((q.category && !categoryList) || (q.status && !statusList)) return none;
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

    // Everything settled by the lists: a candidate on all of them is a match, unread.
    const fieldChecks = !!(regionMask || industryMask || category >= 0 || status >= 0 || entity !== undefined || needleUnits);
    const ids: string[] = [];
    const versions: number[] = [];
    const end = offset + limit;
    let counted = 0;
    const data = shortest.data;
    const { rec, nameBuf, nameStart } = this;
    const ranks = shortest.ranks;
    let k = shortest.length - 1;
    let tested = 0;
    walk: while (k >= 0) {
      if (++tested > budget) return undefined;
      const s = data[k];
      const w = s >>> 5;
      const bit = 1 << (s & 31);
      for (let j = 0; j < bitmaps.length; j++) {
        const b = bitmaps[j];
        if (w >= b.length || (b[w] & bit) === 0) {
          k--;
          continue walk;
        }
      }
      const r = ranks[k];
      for (let j = 0; j < others.length; j++) {
        const at = seekBack(others[j], cursor[j], r);
        if (at < 0) break walk;
        cursor[j] = at;
        if (others[j].data[at] !== s) {
          // Not on list j: nothing on the walked list between here and list j's next entry
          // can be either, so jump there (a leapfrog join).
          k = seekBack(shortest, k - 1, others[j].ranks[at]);
          continue walk;
        }
      }
      k--;
      if (fieldChecks) {
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
      }
      if (counted >= offset && counted < end) {
        ids.push(this.ids[s]);
        versions.push(this.version[s]);
      }
      counted++;
      if (counted > cap && counted >= end) break;
    }
    return { ids, versions, counted };
  }
}
