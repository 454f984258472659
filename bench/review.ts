// Benchmark 4 (issue 4): the review catalog over a population on PostgreSQL — a full sweep
// (every rule, results stored) of N permits, near-duplicate detection over the same permits,
// and the rule check of one 20-outlet application as on submit.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { cliActor } from '../src/platform/actor.ts';
import { createReferenceService } from '../src/modules/reference/index.ts';
import { createReviewService, nearDuplicateIndex } from '../src/modules/review/index.ts';
import type { PermitContent } from '../src/contracts/permits.ts';
import { clock, fmt, freshDatabase, log } from './common.ts';
import { loadUnits, percentile } from './search.ts';
import { largeContent, loadPermits } from './permits.ts';

export interface ReviewBenchRow {
  permits: number;
  sweepSeconds: number;
  sweepPerSecond: number;
  findings: number;
  duplicatesSeconds: number;
  duplicateGroups: number;
  applicationP50: number;
  applicationP95: number;
  targets: { sweep: number; duplicates: number; application: number };
  met: { sweep: boolean; duplicates: boolean; application: boolean };
}

export async function benchReview(opts: { permits: number; pgUrl: string }): Promise<ReviewBenchRow> {
  const database = await freshDatabase({ url: opts.pgUrl });
  try {
    log(`review: loading ${fmt(opts.permits)} units and permits…`);
    const units = await loadUnits(database, opts.permits);
    units.rows.length = 0;
    const pool = database.pool as pg.Pool;
    await loadPermits(pool, 100);
    const reference = createReferenceService({ db: database.db });
    const review = createReviewService({ db: database.db, clock, reference });
    const actor = { ...cliActor('bench'), regionPrefix: '' };

    log('review: sweeping every permit with every rule…');
    const t0 = performance.now();
    const run = await review.startSweep(actor, {}, { background: false });
    await review.sweepToEnd(run.id);
    const sweepSeconds = (performance.now() - t0) / 1000;
    const done = await review.getSweep(actor, run.id);
    log(`review: swept ${fmt(done.processed)} permits in ${fmt(sweepSeconds, 1)} s (${fmt(done.processed / sweepSeconds)} permits/s), ${fmt(done.hits)} findings stored`);

    log('review: near-duplicate detection over the same permits…');
    const t1 = performance.now();
    // The contents read through a cursor, a batch fetched while the one before is hashed, and
    // each reduced to its signature as it comes: the population is never held in memory whole.
    const index = nearDuplicateIndex();
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(
        `declare population no scroll cursor for
         select p.id, p.permit_number as n, v.content
         from permit p join permit_version v on v.permit_id = p.id and v.version_no = p.current_version join registry_unit u on u.id = p.unit_id`,
      );
      const fetch = () => client.query<{ id: string; n: string; content: PermitContent }>('fetch 2000 from population');
      let next = fetch();
      for (;;) {
        const { rows } = await next;
        if (rows.length === 0) break;
        next = fetch();
        for (let i = 0; i < rows.length; i++) {
          // a turn of the event loop now and then, for the next batch to stream in meanwhile
          if (i % 250 === 249) await new Promise((resolve) => setImmediate(resolve));
          const r = rows[i];
          index.add({ id: r.id, permitNumber: r.n, agencyId: null, content: r.content });
        }
      }
      await client.query('commit');
    } finally {
      client.release();
    }
    const groups = index.groups();
    const duplicatesSeconds = (performance.now() - t1) / 1000;
    log(`review: near-duplicates over ${fmt(index.size)} permits in ${fmt(duplicatesSeconds, 1)} s: ${fmt(groups.length)} group(s), the largest ${fmt(groups[0]?.permits.length ?? 0)}`);

    const content = largeContent();
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      await review.reviewContent({ content, unit: { regionCode: '330106', industryCode: '4411', managementCategory: 'key' } });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const p50 = percentile(times, 50);
    const p95 = percentile(times, 95);
    log(`review: one 20-outlet application checked in p50 ${fmt(p50, 1)} ms, p95 ${fmt(p95, 1)} ms`);
    const targets = { sweep: 60, duplicates: 120, application: 200 };
    return {
      permits: done.processed,
      sweepSeconds,
      sweepPerSecond: done.processed / sweepSeconds,
      findings: done.hits,
      duplicatesSeconds,
      duplicateGroups: groups.length,
      applicationP50: p50,
      applicationP95: p95,
      targets,
      met: { sweep: sweepSeconds < targets.sweep, duplicates: duplicatesSeconds < targets.duplicates, application: p95 < targets.application },
    };
  } finally {
    await database.close();
  }
}
