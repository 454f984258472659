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

/** The content as a set of shingles: its structure (codes, kinds, limits) and its text (names, conditions). */
export function shingles(c: PermitContent): Set<string> {
  const s = new Set<string>();
  const text = (prefix: string, x: string) => {
    const chars = [...x.replace(/\s+/g, '')];
    if (chars.length < 4) s.add(`${prefix}:${x}`);
    for (let i = 0; i + 4 <= chars.length; i++) s.add(`${prefix}:${chars.slice(i, i + 4).join('')}`);
  };
  for (const f of c.productionFacilities) text('pf', `${f.name}${f.capacity ? `${f.capacity.value}${f.capacity.unit}` : ''}`);
  for (const f of c.controlFacilities) text('cf', `${f.name}${f.process ?? ''}`);
  for (const o of c.outlets) {
    s.add(`o:${o.code}:${o.kind}:${o.heightM ?? ''}`);
    text('on', o.name);
    for (const p of o.pollutants) s.add(`p:${o.code}:${p.pollutantCode}:${p.standard}:${JSON.stringify(p.limit ?? null)}:${p.referenceO2 ?? ''}`);
  }
  for (const m of c.selfMonitoring) s.add(`m:${m.outletCode}:${m.pollutantCode}:${m.frequency}:${m.mode}`);
  for (const q of c.permittedQuantities) s.add(`q:${q.factor}:${q.outletCode ?? ''}:${q.amount}`);
  for (const x of c.specialConditions) text('sc', x);
  for (const r of c.rectifications) text('rc', r.requirement);
  return s;
}

function hash32(x: string, seed: number) {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < x.length; i++) {
    h ^= x.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // final avalanche (murmur3 fmix32)
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export function minhash(set: Set<string>, k: number): Uint32Array {
  const sig = new Uint32Array(k).fill(0xffffffff);
  for (const x of set) for (let i = 0; i < k; i++) {
    const h = hash32(x, i * 0x9e3779b1);
    if (h < sig[i]) sig[i] = h;
  }
  return sig;
}

export interface DuplicateGroup {
  agencyId: string | null;
  permits: { id: string; permitNumber: string }[];
  /** the lowest estimated similarity of a pair joined in the group */
  similarity: number;
}

/** Groups of permits whose contents are nearly the same (MinHash + LSH, confirmed by the estimate), with their preparing agency. */
export function nearDuplicates(permits: readonly PopulationPermit[]): DuplicateGroup[] {
  const t = thresholds().population;
  const k = t.minhash_bands * t.minhash_rows;
  const sigs = permits.map((p) => minhash(shingles(p.content), k));
  const parent = permits.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const lowest = new Map<number, number>();
  const estimate = (a: Uint32Array, b: Uint32Array) => {
    let same = 0;
    for (let i = 0; i < k; i++) if (a[i] === b[i]) same++;
    return same / k;
  };
  for (let band = 0; band < t.minhash_bands; band++) {
    const buckets = new Map<string, number[]>();
    for (let i = 0; i < sigs.length; i++) {
      const key = Array.from(sigs[i].subarray(band * t.minhash_rows, (band + 1) * t.minhash_rows)).join(',');
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
          const sim = estimate(sigs[i], sigs[j]);
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
