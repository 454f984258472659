import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, login } from './helpers.ts';
import { cliActor } from '../src/platform/actor.ts';
import { bulkInsertUnits, COUNT_CAP } from '../src/modules/registry/index.ts';
import { demoCounties, generateDemoRows } from '../src/modules/demo/index.ts';

let t: Awaited<ReturnType<typeof buildTestApp>>;
let headers: Record<string, string>;

beforeAll(async () => {
  t = await buildTestApp();
  const rows = generateDemoRows(await demoCounties(t.database), COUNT_CAP + 300, 7);
  await bulkInsertUnits(t.database.db, t.clock, cliActor('test'), rows, new Map());
  // A second batch a minute later, so newest-first has something to order by.
  t.clock.advance(60_000);
  await bulkInsertUnits(t.database.db, t.clock, cliActor('test'), generateDemoRows(await demoCounties(t.database), 50, 8), new Map());
  await t.app.services.registry.searchSettled();
  await t.addUser('provuser', 'provincial', '33');
  headers = await login(t.app, 'provuser');
});
afterAll(() => t?.close());

describe('broad lists (more matches than the count cap)', () => {
  it('say "N+" and return the same newest-first page as a full sort would', async () => {
    const all: { id: string; createdAt: Date; name: string }[] = [];
    for await (const page of t.services.registry.exportUnits(cliActor(), {})) all.push(...page);
    expect(all.length).toBeGreaterThan(COUNT_CAP);
    const want = [...all].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    for (const page of [1, 2, 7]) {
      const res = (await t.app.inject({ url: `/api/registry/units?pageSize=20&page=${page}`, headers })).json();
      expect(res.totalCapped).toBe(true);
      expect(res.total).toBe(COUNT_CAP);
      expect(res.items.map((u: any) => u.id)).toEqual(want.slice((page - 1) * 20, page * 20).map((u) => u.id));
    }
    // A broad name search is still exact.
    const res = (await t.app.inject({ url: `/api/registry/units?q=${encodeURIComponent('有限公司')}&pageSize=50`, headers })).json();
    const wantQ = want.filter((u) => u.name.includes('有限公司')).slice(0, 50).map((u) => u.id);
    expect(res.items.map((u: any) => u.id)).toEqual(wantQ);
  });
});
