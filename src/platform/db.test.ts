import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, DataDirLockedError } from './db.ts';
import { createTestDatabase } from '../../test/helpers.ts';

describe('embedded database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecopermit-dbtest-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('locks its data folder against a second opener and releases it on close', async () => {
    const first = await openDatabase({ dataDir: dir });
    await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(DataDirLockedError);
    await first.close();
    const again = await openDatabase({ dataDir: dir });
    await again.close();
  });

  it('takes over a lock left by a dead process, but not an unreadable one', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ecopermit-lock-'));
    try {
      writeFileSync(join(d, 'ecopermit.lock'), '999999999');
      const db = await openDatabase({ dataDir: d });
      await db.close();
      writeFileSync(join(d, 'ecopermit.lock'), '');
      await expect(openDatabase({ dataDir: d })).rejects.toBeInstanceOf(DataDirLockedError);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('keeps the event loop free while a long query runs', async () => {
    const database = await createTestDatabase();
    try {
      let maxGap = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 5);
      await database.db.execute(sql`select pg_sleep(0.6)`);
      clearInterval(timer);
      // On PGlite the query runs in a worker thread; the main thread kept ticking.
      expect(maxGap).toBeLessThan(400);
    } finally {
      await database.close();
    }
  });

  it('rolls back a transaction that throws', async () => {
    const database = await createTestDatabase();
    try {
      await database.db.execute(sql`create table t_rollback (x int)`);
      await expect(
        database.db.transaction(async (tx) => {
          await tx.execute(sql`insert into t_rollback values (1)`);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const r = await database.db.execute(sql`select count(*)::int as n from t_rollback`);
      expect(r.rows[0]).toEqual({ n: 0 });
    } finally {
      await database.close();
    }
  });

  it('keeps named prepared statements working after a failed query drops the pooled client', async () => {
    const database = await createTestDatabase();
    try {
      const named = () => database.pool.query({ name: 'db_test_named', text: 'select $1::int + 1 as n', values: [41] });
      expect((await named()).rows[0]).toEqual({ n: 42 });
      // pg-pool drops the client of a failed pool.query; the next one must not trip over the
      // statement the session still holds (on PGlite every client shares one session)
      await expect(database.pool.query('select * from no_such_table')).rejects.toThrow();
      expect((await named()).rows[0]).toEqual({ n: 42 });
    } finally {
      await database.close();
    }
  });
});
