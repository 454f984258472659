import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject, onTestFinished } from 'vitest';
import { openDatabase, type Database } from '../src/platform/db.ts';

/**
 * A fresh database for one test file, cloned from the migrated template (PGlite snapshot or
 * PostgreSQL template database). Closed and dropped when the calling test or hook ends if
 * `autoClose` is set; otherwise call `close()`.
 */
export async function createTestDatabase(): Promise<Database> {
  const tpl = inject('dbTemplate');
  if (tpl.kind === 'pglite') return openDatabase({ loadDataDir: tpl.dump });
  const name = `ecopermit_t${randomBytes(4).toString('hex')}_${process.ppid}`;
  const admin = new pg.Client({ connectionString: tpl.url });
  await admin.connect();
  await admin.query(`create database ${name} template ${tpl.template}`);
  await admin.end();
  const u = new URL(tpl.url);
  u.pathname = `/${name}`;
  const database = await openDatabase({ url: u.toString(), poolSize: 5 });
  const close = database.close;
  database.close = async () => {
    await close();
    const a = new pg.Client({ connectionString: tpl.url });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`);
    await a.end();
  };
  return database;
}

export { onTestFinished };

import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { fixedClock } from '../src/platform/clock.ts';
import { cliActor } from '../src/platform/actor.ts';
import { createServices } from '../src/context.ts';

export const TEST_PASSWORD = 'test-password-2026';

/** A full app on a fresh database with a fixed clock, as the server builds it. */
export async function buildTestApp(overrides: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const config = loadConfig({ ECOPERMIT_DATA_DIR: '/tmp/ecopermit-test-unused', LOG_LEVEL: 'silent', LOGIN_RATE_PER_MINUTE: '1000', ...overrides });
  const clock = fixedClock('2026-03-02T02:00:00Z');
  const app = await buildApp({ database, config, clock, logger: false, serveWeb: false });
  const services = createServices(database, config, clock);
  const admin = cliActor('test');
  return {
    app,
    database,
    clock,
    services,
    async addUser(username: string, role: string, regionPrefix: string, entityId: string | null = null) {
      await services.identity.createUser(admin, { username, displayName: `用户 ${username}`, password: TEST_PASSWORD, role, regionPrefix, entityId });
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** Log in through the API; returns headers to send (cookie + CSRF token). */
export async function login(app: FastifyInstance, username: string, password = TEST_PASSWORD) {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'ep_session')!;
  return { cookie: `ep_session=${cookie.value}`, 'x-csrf-token': res.json().csrfToken as string };
}
