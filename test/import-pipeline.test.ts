// The import sends its statements without waiting for each one: a failure in the middle must
// still roll everything back and surface as one error (never as an unhandled rejection).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.ts';
import { cliActor } from '../src/platform/actor.ts';
import { bulkInsertUnits } from '../src/modules/registry/index.ts';
import { demoCounties, generateDemoRows } from '../src/modules/demo/index.ts';
import { verifyAuditTrail } from '../src/modules/audit/index.ts';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t?.close());

const count = async () => {
  const r = await t.database.pool.query('select (select count(*) from registry_unit)::int as units, (select count(*) from registry_entity)::int as entities, (select count(*) from audit_event)::int as events');
  return r.rows[0] as { units: number; entities: number; events: number };
};

describe('a pipelined bulk write', () => {
  it('writes units, entities and a verifiable audit trail', async () => {
    const rows = generateDemoRows(await demoCounties(t.database), 3_500, 99);
    const res = await bulkInsertUnits(t.database.db, t.clock, cliActor('test'), rows, new Map());
    expect(res.units).toBe(3_500);
    const c = await count();
    expect(c.units).toBe(3_500);
    expect(c.entities).toBe(res.entities);
    // one event per entity and per unit, chained and intact
    expect(c.events).toBe(3_500 + res.entities);
    const v = await verifyAuditTrail(t.database.db);
    expect(v.problems).toEqual([]);
    expect(v.rows).toBe(c.events);
  });

  it('refuses an entity beyond 999 sites before sending anything, and nothing lands later', async () => {
    const before = await count();
    const counties = await demoCounties(t.database);
    // 1,200 sites under one credit code, after 3,000 other rows: the limit is hit at row 4,000.
    const rows = generateDemoRows(counties, 3_000, 101);
    const one = generateDemoRows(counties, 1, 102)[0];
    for (let i = 0; i < 1_200; i++) rows.push({ ...one, siteName: `${one.siteName}第${i + 1}厂区`, row: 5_000 + i });
    await expect(bulkInsertUnits(t.database.db, t.clock, cliActor('test'), rows, new Map())).rejects.toThrow(/999/);
    await new Promise((r) => setTimeout(r, 300));
    expect(await count()).toEqual(before);
    expect((await verifyAuditTrail(t.database.db)).problems).toEqual([]);
  });

  it('rolls everything back when a statement fails after others were queued', async () => {
    const before = await count();
    const counties = await demoCounties(t.database);
    // Fresh rows, then one whose credit code already exists but is passed as new: its entity
    // insert fails on the unique index while unit and audit inserts are queued behind it.
    const rows = generateDemoRows(counties, 2_500, 100);
    const taken = (await t.database.pool.query('select credit_code from registry_entity limit 1')).rows[0].credit_code as string;
    rows.push({ ...rows[0], creditCode: taken, siteName: '冲突测试厂' });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(bulkInsertUnits(t.database.db, t.clock, cliActor('test'), rows, new Map())).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(await count()).toEqual(before);
    expect((await verifyAuditTrail(t.database.db)).problems).toEqual([]);
  });
});
