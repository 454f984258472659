// `npm run bench [-- --only import|search|permits] [--rows N] [--requests N]`
//   import: a csv of --rows rows (default 100,000) through importUnits into PostgreSQL and PGlite
//   search: --rows units (default 1,000,000) on PostgreSQL, HTTP search with 50 concurrent clients
//   permits: --rows permits (default 300,000) on PostgreSQL, permit detail over HTTP with 50
//            concurrent clients (20-outlet permits), and the PDF of a 20-outlet permit
//   review: --rows permits (default 350,000): a full review sweep, near-duplicates, one application
//   corpus: --rows labelled permits (default 20,000): each rule's precision and recall, and the
//           population leads' (peer outliers, copied permits)
// Prints a summary and writes bench/out/results.json. A throwaway PostgreSQL 15 is started and
// removed; temp folders are deleted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startPostgres } from './pg.ts';
import { benchImport, type ImportResultRow } from './import.ts';
import { benchSearch, type SearchResultRow } from './search.ts';
import { benchPermits, type PermitBenchRow } from './permits.ts';
import { benchReview, type ReviewBenchRow } from './review.ts';
import { benchCorpus, type CorpusBenchRow } from './review-corpus.ts';
import { fmt, log } from './common.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rows: { type: 'string' },
    requests: { type: 'string' },
    warmup: { type: 'string' },
    concurrency: { type: 'string' },
    // distinct search queries the clients cycle through (default 200)
    queries: { type: 'string' },
    'skip-pglite': { type: 'boolean' },
    // An existing PostgreSQL database already holding the search units (from an earlier load):
    // the search benchmark then skips loading them. For iterating; results are otherwise the same.
    'reuse-db': { type: 'string' },
    // server processes (ECOPERMIT_WORKERS) for the search benchmark; default 1, as `npm start`
    workers: { type: 'string' },
  },
});
const only = values.only;
if (only && !['import', 'search', 'permits', 'review', 'corpus'].includes(only)) throw new Error('--only must be import, search, permits, review or corpus');
const rowsArg = values.rows ? Number(values.rows) : undefined;

const started = new Date();
const reuseDb = values['reuse-db'];
const pgServer = await startPostgres();
log(`PostgreSQL (throwaway) at ${pgServer.url.replace(/\/\/[^@]*@/, '//')}`);
const admin = new pg.Client({ connectionString: pgServer.url });
await admin.connect();
const pgVersion = (await admin.query('show server_version')).rows[0].server_version as string;
const dbUrl = async (name: string) => {
  await admin.query(`create database ${name}`);
  const u = new URL(pgServer.url);
  u.pathname = `/${name}`;
  return u.toString();
};

const imports: ImportResultRow[] = [];
let search: SearchResultRow | undefined;
let permits: PermitBenchRow | undefined;
let review: ReviewBenchRow | undefined;
let corpus: CorpusBenchRow | undefined;
try {
  if (!only || only === 'import') {
    const rows = rowsArg ?? 100_000;
    imports.push(await benchImport('postgres', { rows, pgUrl: await dbUrl('bench_import') }));
    if (!values['skip-pglite']) imports.push(await benchImport('pglite', { rows }));
  }
  if (!only || only === 'search') {
    search = await benchSearch({
      units: rowsArg ?? 1_000_000,
      pgUrl: reuseDb ?? (await dbUrl('bench_search')),
      reuse: !!reuseDb,
      workers: values.workers ? Number(values.workers) : 1,
      requests: values.requests ? Number(values.requests) : 5_000,
      warmup: values.warmup ? Number(values.warmup) : 1_000,
      concurrency: values.concurrency ? Number(values.concurrency) : 50,
      queries: values.queries ? Number(values.queries) : 200,
    });
  }
  if (!only || only === 'permits') {
    permits = await benchPermits({
      permits: only === 'permits' && rowsArg ? rowsArg : 300_000,
      pgUrl: await dbUrl('bench_permits'),
      requests: values.requests ? Number(values.requests) : 5_000,
      warmup: values.warmup ? Number(values.warmup) : 500,
      concurrency: values.concurrency ? Number(values.concurrency) : 50,
    });
  }
  if (!only || only === 'review') {
    review = await benchReview({ permits: only === 'review' && rowsArg ? rowsArg : 350_000, pgUrl: await dbUrl('bench_review') });
  }
  if (!only || only === 'corpus') {
    corpus = await benchCorpus({ permits: only === 'corpus' && rowsArg ? rowsArg : 20_000 });
  }
} finally {
  await admin.end();
  pgServer.stop();
}

console.log('\n=== summary ===');
const table: Record<string, string>[] = [];
for (const r of imports) {
  table.push({ benchmark: r.name, measured: `${fmt(r.rowsPerSecond)} rows/s (${fmt(r.rows)} rows in ${fmt(r.seconds, 2)} s)`, target: `≥ ${fmt(r.target)} rows/s`, result: r.met ? 'met' : 'MISSED' });
}
if (search) {
  table.push({
    benchmark: search.name,
    measured: `p50 ${fmt(search.p50, 1)} / p95 ${fmt(search.p95, 1)} / p99 ${fmt(search.p99, 1)} ms, ${fmt(search.reqPerSecond, 1)} req/s (${fmt(search.requests)} req, ${search.concurrency} clients, ${fmt(search.units)} units)`,
    target: `p95 < ${search.target} ms`,
    result: search.met ? 'met' : 'MISSED',
  });
}
if (permits) {
  table.push({
    benchmark: permits.name,
    measured: `p50 ${fmt(permits.p50, 1)} / p95 ${fmt(permits.p95, 1)} / p99 ${fmt(permits.p99, 1)} ms, ${fmt(permits.reqPerSecond, 1)} req/s (${fmt(permits.requests)} req, ${permits.concurrency} clients, ${fmt(permits.permits)} permits, ${permits.outlets} outlets / ${permits.limitRows} pollutant rows each)`,
    target: `p95 < ${permits.target} ms`,
    result: permits.met ? 'met' : 'MISSED',
  });
  table.push({
    benchmark: 'permit PDF (20 outlets)',
    measured: `in process p50 ${fmt(permits.pdf.inProcessP50)} ms (first ${fmt(permits.pdf.inProcessFirstMs)} ms, max ${fmt(permits.pdf.inProcessMax)} ms); HTTP p50 ${fmt(permits.pdf.httpP50)} / p95 ${fmt(permits.pdf.httpP95)} ms`,
    target: `< ${permits.pdf.target} ms`,
    result: permits.pdf.met ? 'met' : 'MISSED',
  });
}
if (review) {
  table.push({ benchmark: `review sweep (${fmt(review.permits)} permits, all rules, results stored)`, measured: `${fmt(review.sweepSeconds, 1)} s (${fmt(review.sweepPerSecond)} permits/s, ${fmt(review.findings)} findings)`, target: `< ${review.targets.sweep} s`, result: review.met.sweep ? 'met' : 'MISSED' });
  table.push({ benchmark: `near-duplicates (${fmt(review.permits)} permits)`, measured: `${fmt(review.duplicatesSeconds, 1)} s (${fmt(review.duplicateGroups)} groups)`, target: `< ${review.targets.duplicates} s`, result: review.met.duplicates ? 'met' : 'MISSED' });
  table.push({ benchmark: 'rule check of one 20-outlet application', measured: `p50 ${fmt(review.applicationP50, 1)} / p95 ${fmt(review.applicationP95, 1)} ms`, target: `< ${review.targets.application} ms`, result: review.met.application ? 'met' : 'MISSED' });
}
if (corpus) {
  table.push({
    benchmark: `labelled corpus (${fmt(corpus.permits)} permits, ${corpus.rules.length} rules)`,
    measured: corpus.imperfect.length ? `below 1.0: ${corpus.imperfect.join(', ')}` : 'every rule precision 1.000, recall 1.000',
    target: 'deterministic rules 1.0 / 1.0',
    result: corpus.imperfect.length ? 'MISSED' : 'met',
  });
  table.push({
    benchmark: `population leads (${fmt(corpus.populationPermits)} permits)`,
    measured: `outliers P ${corpus.outliers.precision?.toFixed(3)} R ${corpus.outliers.recall?.toFixed(3)}; copies P ${corpus.duplicates.precision?.toFixed(3)} R ${corpus.duplicates.recall?.toFixed(3)}`,
    target: 'leads (reported)',
    result: 'reported',
  });
}
console.table(table);

const out = {
  date: started.toISOString(),
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, postgres: pgVersion },
  imports,
  search,
  permits,
  review,
  corpus,
};
mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
writeFileSync(new URL('./out/results.json', import.meta.url), JSON.stringify(out, null, 2));
log('wrote bench/out/results.json');
