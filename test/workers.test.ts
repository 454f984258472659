// `ecopermit serve` with ECOPERMIT_WORKERS: several server processes on one port (PostgreSQL),
// each with its own search index kept in step through NOTIFY; refused on PGlite.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers.ts';
import { makeCreditCode } from '../src/modules/registry/index.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'ecopermit.mjs');
const dir = mkdtempSync(join(tmpdir(), 'ecopermit-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const onPostgres = !!process.env.TEST_DATABASE_URL;

describe('serve with several workers', () => {
  it.skipIf(onPostgres)('is refused on the embedded database, with the reason', () => {
    const r = spawnSync(process.execPath, [bin, 'serve'], {
      env: { ...process.env, ECOPERMIT_DATA_DIR: join(dir, 'data'), DATABASE_URL: '', ECOPERMIT_WORKERS: '2', PORT: '0', ECOPERMIT_DEMO: 'false' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr + r.stdout).toContain('ECOPERMIT_WORKERS > 1 needs DATABASE_URL');
  });

  it.runIf(onPostgres)('serves from every worker, shares changes between them, and stops on SIGTERM', async () => {
    const fresh = await createTestDatabase();
    const u = new URL(fresh.location);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: { ...process.env, DATABASE_URL: u.toString(), ECOPERMIT_WORKERS: '2', PORT: String(port), HOST: '127.0.0.1', ECOPERMIT_DEMO_UNITS: '200', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('workers did not start')), 90_000);
        createInterface({ input: child.stdout! }).on('line', (l) => {
          if (l.includes('2 workers ready')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'hz-permit', password: 'ecopermit2026' }) });
      expect(login.status).toBe(200);
      const cookie = login.headers.getSetCookie().find((c) => c.startsWith('ep_session='))!.split(';')[0];
      const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
      // Create through whichever worker answers, then list through new connections (the
      // cluster spreads them): every worker must find it once its NOTIFY has arrived.
      const created = await fetch(`${base}/api/registry/units`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify({ entity: { creditCode: makeCreditCode('91330106MA2T88880'), name: '多进程可见有限公司', regionCode: '330106' }, name: '多进程可见有限公司', regionCode: '330106', industryCode: '2614', address: '杭州' }),
      });
      expect(created.status, await created.clone().text()).toBe(201);
      let seen = 0;
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${base}/api/registry/units?q=${encodeURIComponent('多进程可见')}`, { headers: { cookie, connection: 'close' } });
        const list = (await res.json()) as { total: number };
        if (list.total === 1) seen++;
        else await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toBeGreaterThanOrEqual(10);
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await fresh.close();
    }
  }, 150_000);
});
