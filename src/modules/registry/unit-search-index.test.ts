import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UnitSearchIndex, type IndexedUnit, type IndexQuery } from './unit-search-index.ts';
import { normalizeForSearch } from './search-tokens.ts';

// Small alphabets so that random queries hit: a few regions, industries and name characters.
const REGIONS = ['330102', '330105', '330106', '330203', '330212', '331002', '320102'];
const INDUSTRIES = ['2511', '2614', '2619', '3311', '4411', '2612'];
const CHARS = [...'杭州宁波化工钢铁有限公司热电厂印染 Ａ'];
const ENTITIES = ['e1', 'e2', 'e3', 'e4'].map((e) => `00000000-0000-0000-0000-0000000000${e.slice(1).padStart(2, '0')}`);

const unitArb = (i: number) =>
  fc.record({
    name: fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 40 }).map((a) => a.join('')),
    regionCode: fc.constantFrom(...REGIONS),
    industryCode: fc.constantFrom(...INDUSTRIES),
    managementCategory: fc.constantFrom<string | null>('key', 'simplified', 'registration', null),
    status: fc.constantFrom('active', 'closed'),
    entityId: fc.constantFrom(...ENTITIES),
    // few distinct instants, so ties on created_at (broken by id) are common
    createdMicros: fc.integer({ min: 0, max: 5 }).map((n) => 1_700_000_000_000_000 + n * 1000),
  }).map((u): IndexedUnit => ({ ...u, id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`, version: 1 }));

const queryArb: fc.Arbitrary<IndexQuery> = fc.record(
  {
    scopePrefix: fc.constantFrom('', '33', '3301', '330102', '32'),
    scopeEntityId: fc.constantFrom(undefined, ENTITIES[0], ''),
    region: fc.constantFrom(undefined, '33', '3301', '33010', '330105', '3202'),
    industry: fc.constantFrom(undefined, '26', '261', '2614', '33'),
    category: fc.constantFrom(undefined, 'key', 'simplified'),
    status: fc.constantFrom(undefined, 'active', 'closed'),
    entityId: fc.constantFrom(undefined, ENTITIES[1]),
    q: fc.constantFrom(undefined, '', '化', '化工', '钢铁有', '公司', ' 热电 ', 'a', '杭州宁', 'x'),
  },
  { requiredKeys: ['scopePrefix'] },
);

/** The specification: filter everything, sort newest first, slice. */
function bruteForce(units: Map<string, IndexedUnit>, q: IndexQuery, offset: number, limit: number, cap: number) {
  const needle = q.q ? normalizeForSearch(q.q) : '';
  const matches = [...units.values()]
    .filter(
      (u) =>
        u.regionCode.startsWith(q.scopePrefix) &&
        (q.scopeEntityId === undefined || u.entityId === q.scopeEntityId) &&
        (!q.region || u.regionCode.startsWith(q.region)) &&
        (!q.industry || u.industryCode.startsWith(q.industry)) &&
        (!q.category || u.managementCategory === q.category) &&
        (!q.status || u.status === q.status) &&
        (!q.entityId || u.entityId === q.entityId) &&
        (!needle || normalizeForSearch(u.name).includes(needle)),
    )
    .sort((a, b) => b.createdMicros - a.createdMicros || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const page = matches.slice(offset, offset + limit);
  return { ids: page.map((u) => u.id), versions: page.map((u) => u.version), total: matches.length, capped: matches.length > cap };
}

describe('unit search index', () => {
  it('answers like filtering and sorting everything, through inserts, updates and removals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => unitArb(i)))),
        fc.array(fc.tuple(fc.constantFrom('load', 'upsert', 'update', 'remove'), fc.nat(), unitArb(9999)), { maxLength: 25 }),
        fc.array(fc.tuple(queryArb, fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 8 }),
        // lists this long get bitmaps: every list, some, or none
        fc.constantFrom(1, 4, 12, Infinity),
        (initial, ops, queries, bitmapMin) => {
          const index = new UnitSearchIndex({ bitmapMin });
          const truth = new Map<string, IndexedUnit>();
          const half = initial.slice(0, Math.floor(initial.length / 2));
          index.load(half.map((u) => ({ ...u })));
          for (const u of half) truth.set(u.id, u);
          let next = half.length;
          for (const [op, pick, u] of ops) {
            const ids = [...truth.keys()];
            if (op === 'upsert' || op === 'load') {
              // arrives in any order relative to what is there (out-of-order commits)
              const fresh = initial[next++] ?? { ...u, id: `00000000-0000-7000-9000-${String(next).padStart(12, '0')}` };
              index.upsert(fresh);
              truth.set(fresh.id, fresh);
            } else if (op === 'update' && ids.length) {
              const old = truth.get(ids[pick % ids.length])!;
              const changed = { ...u, id: old.id, createdMicros: old.createdMicros, version: old.version + 1 };
              index.upsert(changed);
              truth.set(old.id, changed);
              // a stale reread (lower version) arriving late changes nothing
              expect(index.upsert({ ...old })).toBe(false);
            } else if (op === 'remove' && ids.length) {
              const id = ids[pick % ids.length];
              index.remove(id);
              truth.delete(id);
            }
          }
          expect(index.size).toBe(truth.size);
          for (const [q, offset, limit, cap] of queries) {
            const got = index.search(q, offset, limit, cap)!;
            const want = bruteForce(truth, q, offset, limit, cap);
            expect(got.ids).toEqual(want.ids);
            expect(got.versions).toEqual(want.versions);
            // counted stops once past the cap (and the page is full); below that it is exact
            if (want.total <= cap) expect(got.counted).toBe(want.total);
            else expect(got.counted).toBeGreaterThan(cap);
            expect(got.counted > cap).toBe(want.capped);
          }
        },
      ),
      { seed: 20261129, numRuns: 400 },
    );
  });

  it('keeps order through long runs of late arrivals, ascending and descending (ranks renumbered)', () => {
    for (const bitmapMin of [16, Infinity]) {
      const index = new UnitSearchIndex({ bitmapMin });
      const unit = (i: number, micros: number): IndexedUnit => ({
        id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
        entityId: ENTITIES[i % 4],
        name: i % 3 ? '杭州化工有限公司' : '宁波钢铁厂',
        regionCode: REGIONS[i % 3],
        industryCode: INDUSTRIES[i % 2],
        managementCategory: 'key',
        status: 'active',
        createdMicros: micros,
        version: 1,
      });
      const truth = new Map<string, IndexedUnit>();
      const add = (u: IndexedUnit) => {
        index.upsert(u);
        truth.set(u.id, u);
      };
      add(unit(0, 0));
      add(unit(1, 1_000_000_000));
      // A long transaction's rows, all older than unit 1, arriving after it in their own
      // order: each lands just above the previous one (far more than a double's 52 halvings).
      for (let i = 2; i < 3_000; i++) add(unit(i, i));
      // and a run arriving newest first: each lands just below the previous one
      for (let i = 3_000; i < 3_200; i++) add(unit(i, 900_000_000 - i));
      for (const q of [{ scopePrefix: '' }, { scopePrefix: '3301', q: '化工' }, { scopePrefix: '', industry: '2614', q: '钢铁' }] as IndexQuery[]) {
        for (const offset of [0, 150, 2_990]) {
          const got = index.search(q, offset, 20, 10_000)!;
          const want = bruteForce(truth, q, offset, 20, 10_000);
          expect(got.ids).toEqual(want.ids);
          expect(got.counted).toBe(want.total);
        }
      }
    }
  });

  it('keeps newest-first order when an older unit arrives after newer ones', () => {
    const index = new UnitSearchIndex();
    const mk = (n: number, micros: number): IndexedUnit => ({
      id: `00000000-0000-7000-8000-00000000000${n}`,
      entityId: ENTITIES[0],
      name: `杭州化工${n}`,
      regionCode: '330102',
      industryCode: '2614',
      managementCategory: 'key',
      status: 'active',
      createdMicros: micros,
      version: 1,
    });
    index.upsert(mk(1, 100));
    index.upsert(mk(3, 300));
    index.upsert(mk(2, 200));
    index.upsert(mk(4, 300)); // same instant as 3: the larger id is newer
    expect(index.search({ scopePrefix: '33', q: '化工' }, 0, 10, 100)!.ids.map((id) => id.slice(-1))).toEqual(['4', '3', '2', '1']);
    expect(index.search({ scopePrefix: '33', q: '化工' }, 1, 2, 100)!.ids.map((id) => id.slice(-1))).toEqual(['3', '2']);
  });

  it('finds nothing for a region filter outside the jurisdiction, and nothing for an enterprise without an entity', () => {
    const index = new UnitSearchIndex();
    index.load([{ id: '00000000-0000-7000-8000-000000000001', entityId: ENTITIES[0], name: '热电厂', regionCode: '330102', industryCode: '4411', managementCategory: null, status: 'active', createdMicros: 1, version: 1 }]);
    expect(index.search({ scopePrefix: '3301', region: '3302' }, 0, 20, 1000)).toEqual({ ids: [], versions: [], counted: 0 });
    expect(index.search({ scopePrefix: '', scopeEntityId: '' }, 0, 20, 1000)).toEqual({ ids: [], versions: [], counted: 0 });
    expect(index.search({ scopePrefix: '3301', region: '33' }, 0, 20, 1000)!.counted).toBe(1);
  });

  it('gives up (undefined) rather than test more candidates than its budget', () => {
    const index = new UnitSearchIndex();
    index.load(
      Array.from({ length: 500 }, (_, i) => ({
        id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
        entityId: ENTITIES[0],
        name: i === 3 ? '罕见字厂' : '普通化工厂',
        regionCode: '330102',
        industryCode: '2614',
        managementCategory: null,
        status: 'active',
        createdMicros: i,
        version: 1,
      })),
    );
    // a one-character fragment has no list of its own: the walk tests the whole scope
    expect(index.search({ scopePrefix: '33', q: '罕' }, 0, 20, 1000, 100)).toBeUndefined();
    expect(index.search({ scopePrefix: '33', q: '罕' }, 0, 20, 1000, 500)!.counted).toBe(1);
  });
});
