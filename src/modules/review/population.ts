/**
 * Population checks ("big data", issue 4 item 3): leads for reviewers, never findings.
 *
 * - Peer outliers: a permit's permitted quantity per unit of capacity (or, without a common
 *   capacity unit, the quantity itself) and its concentration limits, compared with the permits
 *   of the same industry class in the same city by a robust statistic (median and MAD); each flag
 *   says which peers and by how much.
 * - Near-duplicates: permits whose content (outlets, facilities, limits, monitoring, conditions)
 *   is nearly the same text, found by MinHash with LSH banding and confirmed by the Jaccard
 *   estimate, grouped with the technical agency that prepared them: copy-paste work shows as a
 *   group under one agency.
 *
 * Pure: the caller loads the permits. Thresholds are in reference-data/review-rules/thresholds.json.
 */
import type { PermitContent } from '../../contracts/permits.ts';
import { thresholds } from './review.catalog.ts';

export interface PopulationPermit {
  id: string;
  permitNumber: string;
  industryCode: string;
  regionCode: string;
  agencyId: string | null;
  content: PermitContent;
}

export interface OutlierFlag {
  permitId: string;
  permitNumber: string;
  metric: string;
  value: number;
  unit: string;
  /** the peers: same industry class and city */
  group: { industryCode: string; cityCode: string; peers: number; median: number; mad: number };
  /** robust z-score: (value − median) / (1.4826 · MAD) */
  score: number;
  /** value ÷ median */
  ratio: number;
}

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The metrics of one permit: quantity per capacity (or quantity) per factor, and each max limit. */
function metrics(c: PermitContent): { metric: string; value: number; unit: string }[] {
  const out: { metric: string; value: number; unit: string }[] = [];
  const capacity = c.productionFacilities.find((f) => f.capacity)?.capacity;
  // per factor, the yearly amount: the site totals where given, else the outlets' sum; averaged over the years
  const factors = new Set(c.permittedQuantities.map((q) => q.factor as string));
  for (const factor of factors) {
    const rows = c.permittedQuantities.filter((q) => q.factor === factor);
    const totals = rows.filter((q) => !q.outletCode);
    const use = totals.length ? totals : rows;
    const years = new Set(use.map((q) => q.year)).size;
    const perYear = use.reduce((sum, q) => sum + q.amount, 0) / years;
    if (capacity) out.push({ metric: `quantity/${factor}/per-${capacity.unit}`, value: perYear / capacity.value, unit: `t/a per ${capacity.unit}` });
    else out.push({ metric: `quantity/${factor}`, value: perYear, unit: 't/a' });
  }
  for (const o of c.outlets) for (const p of o.pollutants) if (p.limit?.direction === 'max') out.push({ metric: `limit/${p.pollutantCode}/${p.standard}`, value: p.limit.value, unit: p.limit.unit });
  return out;
}

export function peerOutliers(permits: readonly PopulationPermit[]): OutlierFlag[] {
  const t = thresholds().population;
  const groups = new Map<string, { p: PopulationPermit; value: number; unit: string; metric: string }[]>();
  for (const p of permits) {
    const seen = new Set<string>();
    for (const m of metrics(p.content)) {
      if (seen.has(m.metric)) continue; // one value per permit and metric (the first outlet's limit)
      seen.add(m.metric);
      const key = `${p.industryCode}|${p.regionCode.slice(0, 4)}|${m.metric}`;
      const group = groups.get(key);
      if (group) group.push({ p, ...m });
      else groups.set(key, [{ p, ...m }]);
    }
  }
  const flags: OutlierFlag[] = [];
  for (const [key, members] of groups) {
    if (members.length < t.min_peers) continue;
    const values = members.map((m) => m.value);
    const med = median(values);
    const mad = median(values.map((v) => Math.abs(v - med)));
    if (mad === 0 || med === 0) continue; // no spread to judge against
    const [industryCode, city] = key.split('|');
    for (const m of members) {
      const score = (m.value - med) / (1.4826 * mad);
      if (Math.abs(score) > t.robust_z) {
        flags.push({ permitId: m.p.id, permitNumber: m.p.permitNumber, metric: m.metric, value: m.value, unit: m.unit, group: { industryCode, cityCode: `${city}00`, peers: members.length, median: med, mad }, score: Math.round(score * 10) / 10, ratio: Math.round((m.value / med) * 100) / 100 });
      }
    }
  }
  return flags.sort((a, b) => Math.abs(b.score) - Math.abs(a.score));
}

// -- near-duplicates --------------------------------------------------------------------------------

/**
 * Each shingle of a content, as a string, to `emit` (a shingle may come more than once: a set of
 * them is what `shingles` makes, and MinHash does not mind repeats). Text is taken in windows of
 * four characters (code points), white space removed; a text shorter than that is one shingle.
 */
function eachShingle(c: PermitContent, emit: (s: string) => void, emitText: (prefix: string, x: string) => void) {
  for (const f of c.productionFacilities) emitText('pf', `${f.name}${f.capacity ? `${f.capacity.value}${f.capacity.unit}` : ''}`);
  for (const f of c.controlFacilities) emitText('cf', `${f.name}${f.process ?? ''}`);
  for (const o of c.outlets) {
    emit(`o:${o.code}:${o.kind}:${o.heightM ?? ''}`);
    emitText('on', o.name);
    for (const p of o.pollutants) emit(`p:${o.code}:${p.pollutantCode}:${p.standard}:${JSON.stringify(p.limit ?? null)}:${p.referenceO2 ?? ''}`);
  }
  for (const m of c.selfMonitoring) emit(`m:${m.outletCode}:${m.pollutantCode}:${m.frequency}:${m.mode}`);
  for (const q of c.permittedQuantities) emit(`q:${q.factor}:${q.outletCode ?? ''}:${q.amount}`);
  for (const x of c.specialConditions) emitText('sc', x);
  for (const r of c.rectifications) emitText('rc', r.requirement);
}

/** The content as a set of shingles: its structure (codes, kinds, limits) and its text (names, conditions). */
export function shingles(c: PermitContent): Set<string> {
  const s = new Set<string>();
  eachShingle(
    c,
    (x) => s.add(x),
    (prefix, x) => {
      const chars = [...x.replace(/\s+/g, '')];
      if (chars.length < 4) s.add(`${prefix}:${x}`);
      for (let i = 0; i + 4 <= chars.length; i++) s.add(`${prefix}:${chars.slice(i, i + 4).join('')}`);
    },
  );
  return s;
}

/*
 * MinHash with k hash functions derived from two base hashes of a shingle (Kirsch and
 * Mitzenmacher, "Less hashing, same performance", 2006): h_i = mix(h1 + i·h2), mix being
 * MurmurHash3's finaliser, a bijection that spreads every input bit over the output. Each h_i is
 * as good a hash as h1 is; the shingle is hashed over its text twice (not k = 64 times, which
 * was nearly all the time near-duplicate detection took). The base hashes run over the shingle's
 * UTF-16 code units, so a text shingle is hashed from the state after its prefix, without
 * making its string.
 */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MURMUR_M = 0x5bd1e995;

function fmix32(h: number) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Running state of the two base hashes (FNV-1a and a MurmurHash2 step), fed code units. */
class ShingleHasher {
  a = FNV_OFFSET;
  b = 0x9747b28c;
  reset(from: ShingleHasher) {
    this.a = from.a;
    this.b = from.b;
  }
  unit(c: number) {
    this.a = Math.imul(this.a ^ c, FNV_PRIME);
    let k = Math.imul(c, MURMUR_M);
    k ^= k >>> 24;
    this.b = Math.imul(this.b, MURMUR_M) ^ Math.imul(k, MURMUR_M);
  }
  text(x: string, from = 0, to = x.length) {
    for (let i = from; i < to; i++) this.unit(x.charCodeAt(i));
  }
}

/** Fold one shingle's two base hashes into the signature: the least of each h_i. */
function fold(sig: Uint32Array, h: ShingleHasher) {
  const h1 = fmix32(h.a);
  // odd, so that the h_i of one shingle differ from one another
  const h2 = (fmix32(h.b ^ 0x2545f491) | 1) >>> 0;
  for (let i = 0; i < sig.length; i++) {
    const v = fmix32((h1 + Math.imul(i, h2)) >>> 0);
    if (v < sig[i]) sig[i] = v;
  }
}

/** The MinHash signature (k values) of a set of shingles. */
export function minhash(set: Iterable<string>, k: number): Uint32Array {
  const sig = new Uint32Array(k).fill(0xffffffff);
  const h = new ShingleHasher();
  const start = new ShingleHasher();
  for (const x of set) {
    h.reset(start);
    h.text(x);
    fold(sig, h);
  }
  return sig;
}

const SPACE = /\s/;
/**
 * The signature of a content's shingles, hashed as they are read: the same as
 * `minhash(shingles(c), k)`, without making a string and a set entry for every window of text.
 */
export function contentSignature(c: PermitContent, k: number): Uint32Array {
  const sig = new Uint32Array(k).fill(0xffffffff);
  const h = new ShingleHasher();
  const start = new ShingleHasher();
  const prefixed = new ShingleHasher();
  // code unit offsets of the code points of the text without white space
  const at: number[] = [];
  eachShingle(
    c,
    (x) => {
      h.reset(start);
      h.text(x);
      fold(sig, h);
    },
    (prefix, x) => {
      const y = SPACE.test(x) ? x.replace(/\s+/g, '') : x;
      at.length = 0;
      for (let i = 0; i < y.length; i++) {
        at.push(i);
        const c0 = y.charCodeAt(i);
        if (c0 >= 0xd800 && c0 <= 0xdbff && i + 1 < y.length) {
          const c1 = y.charCodeAt(i + 1);
          if (c1 >= 0xdc00 && c1 <= 0xdfff) i++;
        }
      }
      prefixed.reset(start);
      prefixed.text(prefix);
      prefixed.unit(58); // ':'
      if (at.length < 4) {
        h.reset(prefixed);
        h.text(x);
        fold(sig, h);
      }
      at.push(y.length);
      for (let i = 0; i + 4 < at.length; i++) {
        h.reset(prefixed);
        h.text(y, at[i], at[i + 4]);
        fold(sig, h);
      }
    },
  );
  return sig;
}

export interface DuplicateGroup {
  agencyId: string | null;
  permits: { id: string; permitNumber: string }[];
  /** the lowest estimated similarity of a pair joined in the group */
  similarity: number;
}

/**
 * Near-duplicate detection over permits added one by one: each content is reduced to its
 * signature when added (the caller need not keep the contents: a population can be read as a
 * stream), and `groups()` bands the signatures at the end.
 */
export function nearDuplicateIndex() {
  const t = thresholds().population;
  const k = t.minhash_bands * t.minhash_rows;
  let sigs = new Uint32Array(1024 * k);
  const members: { id: string; permitNumber: string; agencyId: string | null }[] = [];
  return {
    add(p: Omit<PopulationPermit, 'industryCode' | 'regionCode'>) {
      if ((members.length + 1) * k > sigs.length) {
        const more = new Uint32Array(sigs.length * 2);
        more.set(sigs);
        sigs = more;
      }
      sigs.set(contentSignature(p.content, k), members.length * k);
      members.push({ id: p.id, permitNumber: p.permitNumber, agencyId: p.agencyId });
    },
    get size() {
      return members.length;
    },
    groups: (): DuplicateGroup[] => groupSignatures(sigs, members, t),
  };
}

/** Groups of permits whose contents are nearly the same (MinHash + LSH, confirmed by the estimate), with their preparing agency. */
export function nearDuplicates(permits: readonly PopulationPermit[]): DuplicateGroup[] {
  const index = nearDuplicateIndex();
  for (const p of permits) index.add(p);
  return index.groups();
}

function groupSignatures(sigs: Uint32Array, permits: readonly { id: string; permitNumber: string; agencyId: string | null }[], t: ReturnType<typeof thresholds>['population']): DuplicateGroup[] {
  const k = t.minhash_bands * t.minhash_rows;
  const rows = t.minhash_rows;
  const parent = permits.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const lowest = new Map<number, number>();
  const estimate = (a: number, b: number) => {
    let same = 0;
    for (let i = 0; i < k; i++) if (sigs[a * k + i] === sigs[b * k + i]) same++;
    return same / k;
  };
  for (let band = 0; band < t.minhash_bands; band++) {
    const buckets = new Map<string, number[]>();
    for (let i = 0; i < permits.length; i++) {
      // the band's values as a short string of 16-bit units: an exact key, cheap to make and hash
      let key = '';
      for (let r = i * k + band * rows, end = r + rows; r < end; r++) key += String.fromCharCode(sigs[r] >>> 16, sigs[r] & 0xffff);
      const bucket = buckets.get(key);
      if (bucket) bucket.push(i);
      else buckets.set(key, [i]);
    }
    for (const members of buckets.values()) {
      // each member is compared with a few representatives of the bucket, not with every other
      // member: a bucket of thousands of copies stays linear
      const reps: number[] = [];
      for (const j of members) {
        let joined = false;
        for (const i of reps) {
          if (find(i) === find(j)) {
            joined = true;
            break;
          }
          const sim = estimate(i, j);
          if (sim < t.near_duplicate_similarity) continue;
          const [ri, rj] = [find(i), find(j)];
          parent[rj] = ri;
          lowest.set(ri, Math.min(sim, lowest.get(ri) ?? 1, lowest.get(rj) ?? 1));
          joined = true;
          break;
        }
        if (!joined && reps.length < 8) reps.push(j);
      }
    }
  }
  const groups = new Map<number, number[]>();
  permits.forEach((_, i) => {
    const g = groups.get(find(i));
    if (g) g.push(i);
    else groups.set(find(i), [i]);
  });
  const out: DuplicateGroup[] = [];
  for (const [root, members] of groups) {
    if (members.length < 2) continue;
    // one group per preparing agency within the similar set: the same agency's copies stand out
    const byAgency = new Map<string | null, number[]>();
    for (const m of members) {
      const a = byAgency.get(permits[m].agencyId);
      if (a) a.push(m);
      else byAgency.set(permits[m].agencyId, [m]);
    }
    for (const [agencyId, ms] of byAgency) {
      if (ms.length < 2) continue;
      out.push({ agencyId, permits: ms.map((m) => ({ id: permits[m].id, permitNumber: permits[m].permitNumber })), similarity: Math.round((lowest.get(root) ?? 1) * 100) / 100 });
    }
  }
  return out.sort((a, b) => b.permits.length - a.permits.length);
}
