import { openDatabase, migrateDatabase, type Database } from '../src/platform/db.ts';
import { prepareDatabase } from '../src/bootstrap.ts';
import { loadConfig } from '../src/platform/config.ts';
import { systemClock } from '../src/platform/clock.ts';

export const clock = systemClock;

/** Config for benchmarks: no demo, quiet logs, login rate limit high enough for many bench users. */
export function benchConfig(url?: string) {
  return loadConfig({ DATABASE_URL: url, ECOPERMIT_DEMO: 'false', LOG_LEVEL: 'silent', LOGIN_RATE_PER_MINUTE: '10000' });
}

/** Open, migrate and load reference data (no demo rows). */
export async function freshDatabase(opts: { url?: string; dataDir?: string; poolSize?: number }): Promise<Database> {
  const database = await openDatabase(opts);
  await migrateDatabase(database);
  await prepareDatabase(database, { demo: false, clock });
  return database;
}

export function fmt(n: number, digits = 0) {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
