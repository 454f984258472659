// The in-memory unit search against the SQL list it stands in for, on a real database (PGlite
// and PostgreSQL): the same ids in the same order and the same counts for a matrix of callers
// and filters; changes by any writer reach it; the HTTP answer keeps to its schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildTestApp, login } from './helpers.ts';
import { cliActor, type Actor } from '../src/platform/actor.ts';
import { bulkInsertUnits, COUNT_CAP, makeCreditCode } from '../src/modules/registry/index.ts';
import { demoCounties, generateDemoRows, seededRandom } from '../src/modules/demo/index.ts';
import { UnitListResult, type UnitListQuery } from '../src/contracts/registry.ts';

let t: Awaited<ReturnType<typeof buildTestApp>>;
let names: string[] = [];
let regions: string[] = [];
let industries: string[] = [];
let someEntity = '';

const actor = (role: string, regionPrefix: string, entityId: string | null = null): Actor => ({
  userId: '00000000-0000-0000-0000-00000000000a',
  username: 'x',
  displayName: 'x',
  role,
  regionPrefix,
  entityId,
  via: 'session',
});

beforeAll(async () => {
  t = await buildTestApp();
  const counties = await demoCounties(t.database);
  const rows = generateDemoRows(counties, COUNT_CAP + 200, 11);
  // Names the normalization must see through: spaces, full-width letters, a zero-width space.
  rows[0] = { ...rows[0], siteName: '杭州 ＡＢ 化工\u200b有限公司 一厂' };
  rows[1] = { ...rows[1], siteName: 'Hangzhou Steel 钢铁厂' };
  await bulkInsertUnits(t.database.db, t.clock, cliActor('test'), rows, new Map());
  t.clock.advance(60_000);
  await bulkInsertUnits(t.database.db, t.clock, cliActor('test'), generateDemoRows(counties, 80, 12), new Map());
  await t.app.services.registry.searchSettled();
  const r = await t.database.pool.query('select name, region_code, industry_code, entity_id::text as entity_id from registry_unit order by id');
  names = r.rows.map((x) => x.name);
  regions = [...new Set(r.rows.map((x) => x.region_code as string))];
  industries = [...new Set(r.rows.map((x) => x.industry_code as string))];
  someEntity = r.rows[5].entity_id;
});
afterAll(() => t?.close());

describe('the in-memory unit search', () => {
  it('is in use by the app, and the comparison side is not', () => {
    expect(t.app.services.unitSearch?.ready).toBe(true);
    expect(t.app.services.unitSearch?.size).toBe(COUNT_CAP + 280);
    // buildTestApp's own services are never started: they answer from SQL alone.
    expect(t.services.unitSearch?.ready).toBe(false);
  });

  it('answers every query exactly like the SQL list (ids, order, counts, pages)', async () => {
    const rnd = seededRandom(4242);
    const pick = <T,>(xs: T[]) => xs[rnd.int(0, xs.length - 1)];
    const callers = [actor('admin', ''), actor('provincial', '33'), actor('municipal_permit', '3301'), actor('municipal_permit', regions[3].slice(0, 4)), actor('county', regions[7]), actor('enterprise', '', someEntity), actor('enterprise', '', null)];
    const queries: UnitListQuery[] = [{}, { q: 'ＡＢ化工' }, { q: 'ab 化工有限' }, { q: 'steel' }, { q: '有限公司' }, { q: '公' }, { q: ' ' }, { status: 'active' }, { category: 'key' }, { entityId: someEntity }, { sort: 'createdAt' }, { sort: 'createdAt', order: 'desc' }, { sort: 'createdAt', order: 'asc', q: '有限' }, { q: '公', page: 40 }];
    for (let i = 0; i < 60; i++) {
      const name = [...pick(names)];
      const start = rnd.int(0, Math.max(0, name.length - 2));
      const q: UnitListQuery = {};
      if (rnd.int(0, 1)) q.q = name.slice(start, start + rnd.int(1, 4)).join('');
      const region = pick(regions);
      if (rnd.int(0, 2) === 0) q.region = region.slice(0, pick([2, 4, 5, 6]));
      if (rnd.int(0, 1)) q.industry = pick(industries).slice(0, pick([2, 3, 4]));
      if (rnd.int(0, 3) === 0) q.category = pick(['key', 'simplified', 'registration'] as const);
      if (rnd.int(0, 4) === 0) q.status = 'active';
      if (rnd.int(0, 3) === 0) q.page = rnd.int(1, 4);
      if (rnd.int(0, 3) === 0) q.pageSize = pick([5, 20, 50]);
      queries.push(q);
    }
    queries.push({ page: 60, pageSize: 20 }, { q: '有限', page: 49, pageSize: 21 });
    let compared = 0;
    let nonEmpty = 0;
    for (const who of callers) {
      for (const q of queries) {
        const viaIndex = await t.app.services.registry.listUnits(who, q);
        const viaSql = await t.services.registry.listUnits(who, q);
        const label = `${who.role}:${who.regionPrefix}:${who.entityId} ${JSON.stringify(q)}`;
        expect(viaIndex.items.map((u) => u.id), label).toEqual(viaSql.items.map((u) => u.id));
        expect({ total: viaIndex.total, capped: viaIndex.totalCapped }, label).toEqual({ total: viaSql.total, capped: viaSql.totalCapped });
        expect(viaIndex.items, label).toEqual(viaSql.items);
        // what the route writes: JSON.stringify's output, with rows' JSON reused
        expect(t.app.services.registry.serializeUnitList(viaIndex), label).toBe(JSON.stringify(viaIndex));
        expect(t.app.services.registry.serializeUnitList(viaSql), label).toBe(JSON.stringify(viaSql));
        compared++;
        if (viaIndex.items.length) nonEmpty++;
      }
    }
    expect(compared).toBe(callers.length * queries.length);
    // the matrix must actually find things, or it proves nothing
    expect(nonEmpty).toBeGreaterThan(compared / 3);
  });

  it('sees changes made by any writer, including plain SQL outside the services', async () => {
    const [row] = (await t.database.pool.query("select id::text as id from registry_unit where region_code like '3301%' order by id limit 1")).rows;
    await t.database.pool.query("update registry_unit set name = '独一无二的测试厂', version = version + 1 where id = $1", [row.id]);
    await t.app.services.registry.searchSettled();
    const city = actor('municipal_permit', '3301');
    let found = await t.app.services.registry.listUnits(city, { q: '独一无二' });
    expect(found.items.map((u) => u.id)).toEqual([row.id]);
    // moved to another city by SQL: gone from this city's search, present in the other's
    await t.database.db.execute(sql`update registry_unit set region_code = '330203', version = version + 1 where id = ${row.id}::uuid`);
    await t.app.services.registry.searchSettled();
    found = await t.app.services.registry.listUnits(city, { q: '独一无二' });
    expect(found.total).toBe(0);
    found = await t.app.services.registry.listUnits(actor('municipal_permit', '3302'), { q: '独一无二' });
    expect(found.items.map((u) => u.id)).toEqual([row.id]);
    // deleted (no service deletes units; a DBA might): gone from the index too
    await t.database.pool.query('delete from registry_unit where id = $1', [row.id]);
    await t.app.services.registry.searchSettled();
    expect((await t.app.services.registry.listUnits(actor('admin', ''), { q: '独一无二' })).total).toBe(0);
    expect(t.app.services.unitSearch?.size).toBe(COUNT_CAP + 279);
  });

  it('rereads everything on a "reload" notice (what TRUNCATE sends), and TRUNCATE itself runs', async () => {
    const [row] = (await t.database.pool.query("select id::text as id from registry_unit where region_code like '3301%' order by id desc limit 1")).rows;
    // a change nobody announces (the trigger is off for it)
    await t.database.pool.query('alter table registry_unit disable trigger registry_unit_notify_update');
    await t.database.pool.query("update registry_unit set name = '悄悄改名的测试厂', version = version + 1 where id = $1", [row.id]);
    await t.database.pool.query('alter table registry_unit enable trigger registry_unit_notify_update');
    await t.app.services.registry.searchSettled();
    const admin = actor('admin', '');
    expect((await t.app.services.registry.listUnits(admin, { q: '悄悄改名' })).total).toBe(0);
    await t.database.pool.query("select pg_notify('ecopermit_registry_unit', 'reload')");
    await t.app.services.registry.searchSettled();
    expect((await t.app.services.registry.listUnits(admin, { q: '悄悄改名' })).items.map((u) => u.id)).toEqual([row.id]);
    // the TRUNCATE branch of the trigger function runs without error (rolled back; the cascade
    // reaches the permit versions and case histories, which refuse TRUNCATE unless their guards are off)
    const client = await t.database.pool.connect();
    try {
      await client.query('begin');
      await client.query('alter table permit_version disable trigger permit_version_no_truncate');
      await client.query('alter table permit_case_event disable trigger permit_case_event_no_truncate');
      await client.query('truncate registry_unit cascade');
    } finally {
      // never hand back a connection inside a failed transaction (PGlite has only this one)
      await client.query('rollback');
      client.release();
    }
    // and without the guard lifted, the cascade is refused: versions are never wiped
    await expect(t.database.pool.query('truncate registry_unit cascade')).rejects.toThrow(/immutable/);
  });

  it('retries a failed reread on its own, without waiting for another change', async () => {
    const { createUnitSearch } = await import('../src/modules/registry/index.ts');
    let failNext = false;
    const db = new Proxy(t.database.db, {
      get(target, prop, receiver) {
        if (prop === 'execute') {
          return (query: unknown) => {
            if (failNext) {
              failNext = false;
              return Promise.reject(new Error('simulated database failure'));
            }
            return (target.execute as (q: unknown) => unknown)(query);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const logs: string[] = [];
    const search = createUnitSearch({ db, listen: t.database.listen }, (m) => logs.push(m));
    await search.start();
    try {
      const [row] = (await t.database.pool.query("select id::text as id from registry_unit order by id limit 1 offset 7")).rows;
      let seenBehind = false;
      search.onChange((ids) => {
        if (ids === null && !search.current) seenBehind = true;
      });
      failNext = true;
      await t.database.pool.query("update registry_unit set name = '重试后可见的测试厂', version = version + 1 where id = $1", [row.id]);
      const deadline = Date.now() + 5_000;
      let found = search.search({ scopePrefix: '', q: '重试后可见' }, 0, 5, 100)?.ids ?? [];
      while (found.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        found = search.search({ scopePrefix: '', q: '重试后可见' }, 0, 5, 100)?.ids ?? [];
      }
      expect(found).toEqual([row.id]);
      expect(logs.some((m) => m.includes('refresh failed'))).toBe(true);
      // behind after the failure (kept rows are not used then), current again once reloaded
      expect(search.current).toBe(true);
      expect(seenBehind).toBe(true);
    } finally {
      await search.stop();
    }
  });

  it('sees a unit created through the API in the very next list request', async () => {
    await t.addUser('searcher', 'municipal_permit', '3301');
    const h = await login(t.app, 'searcher');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/registry/units',
      headers: h,
      payload: { entity: { creditCode: makeCreditCode('91330106MA2T99991'), name: '即时可见有限公司', regionCode: '330106' }, name: '即时可见有限公司一厂', regionCode: '330106', industryCode: '2614', address: '杭州市西湖区' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const list = await t.app.inject({ url: `/api/registry/units?q=${encodeURIComponent('即时可见')}`, headers: h });
    expect(list.json().items.map((u: { id: string }) => u.id)).toEqual([res.json().id]);
  });

  it('keeps listed rows in memory at the version the index holds, and drops them on any announced change', async () => {
    const admin = actor('admin', '');
    const [row] = (await t.database.pool.query("select id::text as id, entity_id::text as entity_id from registry_unit where region_code like '3301%' order by id limit 1 offset 3")).rows;
    await t.database.pool.query("update registry_unit set name = '缓存行测试厂', version = version + 1 where id = $1", [row.id]);
    await t.app.services.registry.searchSettled();
    const first = await t.app.services.registry.listUnits(admin, { q: '缓存行测试' });
    expect(first.items.map((u) => [u.id, u.name])).toEqual([[row.id, '缓存行测试厂']]);
    // A change nobody announces, version unchanged: the kept row is what the next page shows
    // (proof that rows are served from memory at all) ...
    await t.database.pool.query('alter table registry_unit disable trigger registry_unit_notify_update');
    await t.database.pool.query("update registry_unit set contact_person = '未通知的修改' where id = $1", [row.id]);
    await t.database.pool.query('alter table registry_unit enable trigger registry_unit_notify_update');
    await t.app.services.registry.searchSettled();
    expect((await t.app.services.registry.listUnits(admin, { q: '缓存行测试' })).items[0].contactPerson).toBe(first.items[0].contactPerson);
    // ... and once the change is announced, the row is read again.
    await t.database.pool.query("select pg_notify('ecopermit_registry_unit', $1)", [row.id]);
    await t.app.services.registry.searchSettled();
    expect((await t.app.services.registry.listUnits(admin, { q: '缓存行测试' })).items[0].contactPerson).toBe('未通知的修改');
    // A change to the unit's entity by plain SQL is announced for its units (migration 0002).
    await t.database.pool.query("update registry_entity set name = '改名后的法人' where id = $1", [row.entity_id]);
    await t.app.services.registry.searchSettled();
    expect((await t.app.services.registry.listUnits(admin, { q: '缓存行测试' })).items[0].entityName).toBe('改名后的法人');
    // The row shown is the database's row, field for field.
    expect((await t.app.services.registry.listUnits(admin, { q: '缓存行测试' })).items).toEqual([await t.services.registry.getUnit(admin, row.id)]);
  });

  it('never shows a kept row to a caller outside its jurisdiction', async () => {
    const admin = actor('admin', '');
    const all = await t.app.services.registry.listUnits(admin, { q: '有限', pageSize: 50 });
    const inHangzhou = all.items.filter((u) => u.regionCode.startsWith('3301'));
    expect(inHangzhou.length).toBeGreaterThan(0); // kept now, read by a national caller
    const elsewhere = await t.app.services.registry.listUnits(actor('municipal_permit', '3302'), { q: '有限', pageSize: 50 });
    expect(elsewhere.items.length).toBeGreaterThan(0);
    expect(elsewhere.items.every((u) => u.regionCode.startsWith('3302'))).toBe(true);
    const county = await t.app.services.registry.listUnits(actor('county', inHangzhou[0].regionCode), { q: '有限', pageSize: 50 });
    expect(county.items.every((u) => u.regionCode === inHangzhou[0].regionCode)).toBe(true);
    expect(county.items.map((u) => u.id)).toContain(inHangzhou[0].id);
  });

  it('shows an entity renamed through the API in the very next list request', async () => {
    await t.addUser('renamer', 'provincial', '33');
    const h = await login(t.app, 'renamer');
    const list = await t.app.inject({ url: `/api/registry/units?q=${encodeURIComponent('缓存行测试')}`, headers: h });
    const unit = list.json().items[0];
    const entity = await t.app.inject({ url: `/api/registry/entities/${unit.entityId}`, headers: h });
    expect(entity.statusCode, entity.body).toBe(200);
    const res = await t.app.inject({ method: 'PATCH', url: `/api/registry/entities/${unit.entityId}`, headers: h, payload: { version: entity.json().version, name: '接口改名的法人' } });
    expect(res.statusCode, res.body).toBe(200);
    const again = await t.app.inject({ url: `/api/registry/units?q=${encodeURIComponent('缓存行测试')}`, headers: h });
    expect(again.json().items[0].entityName).toBe('接口改名的法人');
  });

  it('answers over HTTP with exactly the fields of its schema', async () => {
    await t.addUser('shape', 'provincial', '33');
    const h = await login(t.app, 'shape');
    const res = await t.app.inject({ url: '/api/registry/units?pageSize=50', headers: h });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.length).toBe(50);
    // The service's answer passes the schema unchanged (parse drops unknown keys and fails on
    // missing or mistyped ones, so strictly equal means exact), and HTTP sends just that.
    const direct = await t.app.services.registry.listUnits(actor('provincial', '33'), { pageSize: 50 });
    expect(UnitListResult.parse(direct)).toStrictEqual(direct);
    expect(body).toStrictEqual(JSON.parse(JSON.stringify(direct)));
    // asked again, the rows come from memory: the same bytes
    const again = await t.app.inject({ url: '/api/registry/units?pageSize=50', headers: h });
    expect(again.body).toBe(res.body);
    expect(again.body).toBe(JSON.stringify(direct));
  });
});
