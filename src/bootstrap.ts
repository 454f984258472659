import type { Database } from './platform/db.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { loadReferenceData } from './modules/reference/index.ts';

export interface PrepareOptions {
  clock?: Clock;
  /** load the demo region when the registry is empty */
  demo: boolean;
  demoUnits?: number;
  log?: (msg: string) => void;
}

/**
 * Bring a migrated database to a usable state: reference data current (idempotent, by
 * checksum) and, on first start, the demo region. Safe to run on every start.
 */
export async function prepareDatabase(database: Database, opts: PrepareOptions) {
  const clock = opts.clock ?? systemClock;
  const loaded = await loadReferenceData(database.db, { clock });
  for (const l of loaded) if (l.action === 'loaded') opts.log?.(`reference data ${l.name}: ${l.rows} rows loaded`);
  if (opts.demo) {
    const { seedDemoIfEmpty } = await import('./modules/demo/index.ts');
    await seedDemoIfEmpty(database, { clock, units: opts.demoUnits ?? 5000, log: opts.log });
  }
}
