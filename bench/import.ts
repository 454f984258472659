// Benchmark 1: import of a generated csv through importUnits (parse + validate + write), mode
// all-or-nothing, as the CLI actor, into PostgreSQL or PGlite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createServices } from '../src/context.ts';
import { cliActor } from '../src/platform/actor.ts';
import { demoCounties, generateDemoRows } from '../src/modules/demo/index.ts';
import { importUnits, UNIT_COLUMNS, type GoodRow } from '../src/modules/registry/index.ts';
import { writeCsv } from '../src/modules/registry/import-file.ts';
import { MANAGEMENT_CATEGORY_LABELS } from '../src/contracts/registry.ts';
import { benchConfig, clock, fmt, freshDatabase, log } from './common.ts';

/** Import column titles, in the order the issue lists them. */
const FIELDS = ['creditCode', 'entityName', 'siteName', 'regionCode', 'industryCode', 'managementCategory', 'address', 'longitude', 'latitude', 'contactPerson', 'contactPhone'] as const;
export const IMPORT_HEADERS = FIELDS.map((f) => UNIT_COLUMNS[f].titles[0]);

export function rowsToCsv(rows: GoodRow[]): Buffer {
  const body = rows.map((r) => [
    r.creditCode,
    r.entityName,
    r.siteName,
    r.regionCode,
    r.industryCode,
    r.managementCategory ? MANAGEMENT_CATEGORY_LABELS[r.managementCategory].zh : null,
    r.address,
    r.longitude,
    r.latitude,
    r.contactPerson,
    r.contactPhone,
  ]);
  return Buffer.from(writeCsv(IMPORT_HEADERS, body), 'utf8');
}

export interface ImportResultRow {
  name: string;
  backend: 'postgres' | 'pglite';
  rows: number;
  csvBytes: number;
  seconds: number;
  rowsPerSecond: number;
  phases: Record<string, number>;
  target: number;
  met: boolean;
}

export async function benchImport(backend: 'postgres' | 'pglite', opts: { rows: number; pgUrl?: string }): Promise<ImportResultRow> {
  const target = backend === 'postgres' ? 20_000 : 5_000;
  const tmp = backend === 'pglite' ? mkdtempSync(join(tmpdir(), 'ecopermit-bench-pglite-')) : undefined;
  // PGlite on disk (a data folder), as `ecopermit serve` uses it.
  const database = await freshDatabase(backend === 'postgres' ? { url: opts.pgUrl } : { dataDir: tmp });
  try {
    const counties = await demoCounties(database);
    const rows = generateDemoRows(counties, opts.rows, 4754);
    const csv = rowsToCsv(rows);
    log(`import/${backend}: csv of ${fmt(rows.length)} rows, ${fmt(csv.length / 1024 / 1024, 1)} MiB`);
    const config = benchConfig(opts.pgUrl);
    const checks = await createServices(database, config, clock).registry.checks();
    const phases: Record<string, number> = {};
    let phase = '';
    let phaseStart = 0;
    const t0 = performance.now();
    const result = await importUnits(
      { db: database.db, clock, checks },
      cliActor('bench'),
      { data: csv, filename: 'units.csv' },
      {
        mode: 'all-or-nothing',
        applyCleanups: false,
        // parse → validate (rows checked) → write (database checks, inserts, audit events)
        onProgress: (p, processed, total) => {
          const key = p === 'validate' && total > 0 && processed === total ? 'write' : p === 'done' ? '' : p;
          if (key === phase || (key === 'write' && phase === 'write')) return;
          const now = performance.now();
          if (phase) phases[phase] = (phases[phase] ?? 0) + (now - phaseStart) / 1000;
          phase = key;
          phaseStart = now;
        },
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    if (phase) phases[phase] = (phases[phase] ?? 0) + (performance.now() - phaseStart) / 1000;
    if (result.imported !== rows.length || result.badRows !== 0) {
      throw new Error(`import/${backend}: expected ${rows.length} imported, got ${result.imported} (bad rows ${result.badRows}: ${JSON.stringify(result.errors.slice(0, 3))})`);
    }
    const rps = rows.length / seconds;
    log(`import/${backend}: ${fmt(rows.length)} rows in ${fmt(seconds, 2)} s = ${fmt(rps)} rows/s (target ≥ ${fmt(target)}) ${rps >= target ? 'MET' : 'MISSED'}`);
    log(`import/${backend}: phases ${Object.entries(phases).map(([k, v]) => `${k} ${fmt(v, 2)} s`).join(', ')}`);
    return { name: `import (${backend})`, backend, rows: rows.length, csvBytes: csv.length, seconds, rowsPerSecond: rps, phases, target, met: rps >= target };
  } finally {
    await database.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
