// Benchmark 2: unit search over HTTP with 1,000,000 units on PostgreSQL, 50 concurrent clients,
// each signed in as a municipal permit user of one Zhejiang city.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { cliActor, type Actor } from '../src/platform/actor.ts';
import { demoCounties, generateDemoRows, seededRandom } from '../src/modules/demo/index.ts';
import { COUNT_CAP, countUnitsQuery, listUnitsQuery, unitSearchTokens, type GoodRow } from '../src/modules/registry/index.ts';
import { INDUSTRY_EDITION } from '../src/modules/registry/registry.service.ts';

import { createIdentityService } from '../src/modules/identity/index.ts';
import type { UnitListQuery } from '../src/contracts/registry.ts';
import type { Database } from '../src/platform/db.ts';
import { clock, fmt, freshDatabase, log } from './common.ts';

export const PASSWORD = 'Bench-pass-2024';
const CHUNK = 50_000;

export interface SearchResultRow {
  name: string;
  units: number;
  workers: number;
  loadSeconds: number;
  concurrency: number;
  requests: number;
  warmup: number;
  errors: number;
  seconds: number;
  reqPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  singleClient: { requests: number; p50: number; p95: number };
  target: number;
  met: boolean;
  slowest: { url: string; medianMs: number; total: number }[];
  explain?: { url: string; list: string; count: string };
}

interface Query {
  city: string;
  region: string;
  q: string;
  industry: string;
}

/**
 * Load `count` demo units (generateDemoRows: real Zhejiang county codes, real industry classes,
 * Chinese names, valid credit codes) with one `insert … select from unnest(…)` per column set and
 * chunk of 50k rows. bulkInsertUnits is the import's write path (~3k rows/s with its audit events)
 * (see the import benchmark), which would take ~10 min for a million rows; audit events are not
 * written for this load (they play no part in the search). search_tokens is computed with the
 * registry's own unitSearchTokens(). created_at is spread over 2019–2025 so the default sort
 * (newest first) sees a realistic spread.
 */
export async function loadUnits(database: Database, count: number): Promise<{ rows: GoodRow[]; seconds: number }> {
  const counties = await demoCounties(database);
  const tg = performance.now();
  const rows = generateDemoRows(counties, count, 2022);
  log(`search: generated ${fmt(rows.length)} rows in ${fmt((performance.now() - tg) / 1000, 1)} s`);
  const pool = database.pool;
  const t0 = performance.now();
  const from = Date.UTC(2019, 0, 1);
  const span = Date.UTC(2025, 11, 31) - from;
  const SEP = '\u0001';
  for (let i = 0; i < rows.length; ) {
    let end = Math.min(i + CHUNK, rows.length);
    while (end < rows.length && rows[end].creditCode === rows[end - 1].creditCode) end++;
    const chunk = rows.slice(i, end);
    const e = { id: [] as string[], code: [] as string[], name: [] as string[], rep: [] as (string | null)[], region: [] as string[], at: [] as string[] };
    const u = {
      id: [] as string[], entity: [] as string[], seq: [] as number[], name: [] as string[], grams: [] as string[], region: [] as string[], industry: [] as string[],
      category: [] as (string | null)[], address: [] as string[], lng: [] as (number | null)[], lat: [] as (number | null)[], person: [] as (string | null)[], phone: [] as (string | null)[], at: [] as string[],
    };
    let entityId = '';
    let seq = 0;
    chunk.forEach((r, k) => {
      const at = new Date(from + Math.floor(((i + k) / rows.length) * span)).toISOString();
      if (k === 0 || r.creditCode !== chunk[k - 1].creditCode) {
        entityId = randomUUID();
        seq = 0;
        e.id.push(entityId); e.code.push(r.creditCode); e.name.push(r.entityName); e.rep.push(r.legalRepresentative); e.region.push(r.regionCode); e.at.push(at);
      }
      u.id.push(randomUUID()); u.entity.push(entityId); u.seq.push(++seq); u.name.push(r.siteName); u.grams.push(unitSearchTokens({ name: r.siteName, regionCode: r.regionCode, industryCode: r.industryCode, managementCategory: r.managementCategory, status: 'active' }).join(SEP));
      u.region.push(r.regionCode); u.industry.push(r.industryCode); u.category.push(r.managementCategory); u.address.push(r.address);
      u.lng.push(r.longitude); u.lat.push(r.latitude); u.person.push(r.contactPerson); u.phone.push(r.contactPhone); u.at.push(at);
    });
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(
        `insert into registry_entity (id, credit_code, name, legal_representative, region_code, created_at, updated_at)
         select id, code, name, rep, region, at, at from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) as t(id, code, name, rep, region, at)`,
        [e.id, e.code, e.name, e.rep, e.region, e.at],
      );
      await client.query(
        `insert into registry_unit (id, entity_id, site_seq, name, search_tokens, region_code, industry_code, industry_edition, management_category, status,
                                    address, longitude, latitude, contact_person, contact_phone, created_at, updated_at, version)
         select id, entity, seq, name, string_to_array(grams, $15), region, industry, $16, category, 'active', address, lng, lat, person, phone, at, at, 1
         from unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::float8[], $11::float8[], $12::text[], $13::text[], $14::timestamptz[])
              as t(id, entity, seq, name, grams, region, industry, category, address, lng, lat, person, phone, at)`,
        [u.id, u.entity, u.seq, u.name, u.grams, u.region, u.industry, u.category, u.address, u.lng, u.lat, u.person, u.phone, u.at, SEP, INDUSTRY_EDITION],
      );
      await client.query('commit');
    } catch (err) {
      await client.query('rollback');
      throw err;
    } finally {
      client.release();
    }
    i = end;
    const s = (performance.now() - t0) / 1000;
    if (i % 200_000 < CHUNK + 10 || i === rows.length) log(`search: loaded ${fmt(i)} / ${fmt(rows.length)} units (${fmt(i / s)} rows/s)`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const ta = performance.now();
  await pool.query('vacuum analyze');
  log(`search: vacuum analyze in ${fmt((performance.now() - ta) / 1000, 1)} s`);
  return { rows, seconds };
}

/** A fixed, seeded set of queries: each takes a name fragment (2–3 characters) of a real unit, its city and industry division. */
export function buildQueries(rows: GoodRow[], n: number): Query[] {
  const rnd = seededRandom(20260101);
  const out: Query[] = [];
  while (out.length < n) {
    const r = rows[rnd.int(0, rows.length - 1)];
    const chars = [...r.siteName];
    const len = rnd.int(2, 3);
    const start = rnd.int(0, chars.length - len);
    const q = chars.slice(start, start + len).join('');
    if (!/^[\u4e00-\u9fff]+$/.test(q)) continue;
    out.push({ city: r.regionCode.slice(0, 4), region: r.regionCode.slice(0, 4), q, industry: r.industryCode.slice(0, 2) });
  }
  return out;
}

function urlOf(q: Query) {
  return `/api/registry/units?region=${q.region}&q=${encodeURIComponent(q.q)}&industry=${q.industry}&page=1&pageSize=20`;
}

/**
 * The real server: `ecopermit serve` in its own process(es) on PostgreSQL, console files not
 * served (ECOPERMIT_DEMO=false, logs quiet), with `workers` server processes on one port.
 */
export async function startServer(url: string, workers: number): Promise<{ port: number; stop: () => Promise<void> }> {
  const bin = fileURLToPath(new URL('../bin/ecopermit.mjs', import.meta.url));
  const prof = process.env.BENCH_SERVER_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_SERVER_PROF] : [];
  const child = spawn(process.execPath, [...prof, bin, 'serve'], {
    env: { ...process.env, DATABASE_URL: url, HOST: '127.0.0.1', PORT: '0', ECOPERMIT_WORKERS: String(workers), ECOPERMIT_DEMO: 'false', LOG_LEVEL: 'silent', LOGIN_RATE_PER_MINUTE: '10000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (l) => {
      const m = /(?:workers ready on|console) http:\/\/[^:]+:(\d+)\//.exec(l);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function login(base: string, username: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ep_session='));
  if (!cookie) throw new Error(`login ${username}: no ep_session cookie`);
  await res.json();
  return cookie.split(';')[0];
}

export function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** EXPLAIN ANALYZE the two statements the list endpoint runs (rows page + capped count), built from the same repo filters. */
async function explain(database: Database, actor: Actor, q: UnitListQuery): Promise<{ list: string; count: string }> {
  const db = database.db;
  const list = listUnitsQuery(db, actor, q, 20, 0).toSQL();
  const count = countUnitsQuery(db, actor, q, COUNT_CAP).toSQL();
  const run = async (s: { sql: string; params: unknown[] }) => {
    const r = await (database.pool as pg.Pool).query(`explain (analyze, buffers) ${s.sql}`, s.params as unknown[]);
    return `${s.sql}\n-- params: ${JSON.stringify(s.params)}\n${r.rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n')}`;
  };
  return { list: await run(list), count: await run(count) };
}

/**
 * Reuse a database loaded by an earlier run (`--reuse-db URL`, for iterating on the search):
 * the queries come from a fixed sample of its units, ordered by id, instead of the generated rows.
 */
async function reuseUnits(database: Database, units: number): Promise<{ rows: GoodRow[]; seconds: number } | undefined> {
  const pool = database.pool as pg.Pool;
  const have = await pool.query<{ n: number }>('select count(*)::int as n from registry_unit').catch(() => undefined);
  if (!have || have.rows[0].n < units) return undefined;
  const r = await pool.query<{ name: string; region_code: string; industry_code: string }>('select name, region_code, industry_code from registry_unit order by id limit 20000');
  log(`search: reusing ${fmt(have.rows[0].n)} units already loaded`);
  return { rows: r.rows.map((x) => ({ siteName: x.name, regionCode: x.region_code, industryCode: x.industry_code }) as GoodRow), seconds: 0 };
}

export async function benchSearch(opts: { units: number; pgUrl: string; reuse?: boolean; workers?: number; requests: number; warmup: number; concurrency: number; queries: number }): Promise<SearchResultRow> {
  const target = 50;
  const database = await freshDatabase({ url: opts.pgUrl });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let http: HttpPool | undefined;
  try {
    let loaded = opts.reuse ? await reuseUnits(database, opts.units) : undefined;
    if (!loaded) {
      log(`search: generating and loading ${fmt(opts.units)} units…`);
      loaded = await loadUnits(database, opts.units);
    }
    const queries = buildQueries(loaded.rows, opts.queries);
    loaded.rows.length = 0;
    const cities = [...new Set(queries.map((q) => q.city))].sort();
    const identity = createIdentityService({ db: database.db, clock, options: { sessionTtlMinutes: 120, maxFailures: 5, lockMinutes: 15 } });
    for (const c of cities) {
      const username = `bench_permit_${c}`;
      const exists = await (database.pool as pg.Pool).query('select 1 from app_user where username = $1', [username]);
      if (exists.rowCount) continue;
      await identity.createUser(cliActor('bench'), { username, displayName: `压测 市级审批 ${c}`, password: PASSWORD, role: 'municipal_permit', regionPrefix: c, entityId: null });
    }
    server = await startServer(opts.pgUrl, opts.workers ?? 1);
    const base = `http://127.0.0.1:${server.port}`;
    const cookies = new Map<string, string>();
    for (const c of cities) cookies.set(c, await login(base, `bench_permit_${c}`));
    log(`search: server (${opts.workers ?? 1} worker${(opts.workers ?? 1) > 1 ? 's' : ''}) on ${base}, ${cities.length} municipal permit users signed in, ${queries.length} distinct queries`);

    // undici's Pool, not fetch: fetch costs the load generator about a millisecond of CPU per
    // request, and the generator shares the two cores with the server and PostgreSQL.
    http = new HttpPool(base, { connections: opts.concurrency, pipelining: 1 });
    const perQuery = queries.map(() => [] as number[]);
    const totals = queries.map(() => -1);
    let errors = 0;
    const run = async (n: number, record: boolean, concurrency = opts.concurrency) => {
      let next = 0;
      const latencies: number[] = [];
      const worker = async () => {
        for (;;) {
          const i = next++;
          if (i >= n) return;
          const qi = i % queries.length;
          const q = queries[qi];
          const t = performance.now();
          const res = await http!.request({ method: 'GET', path: urlOf(q), headers: { cookie: cookies.get(q.city)! } });
          // The whole body is received either way; it is parsed once per distinct query (for
          // its match count), since parsing costs the load generator CPU the server then lacks.
          const known = totals[qi] >= 0 && res.statusCode === 200;
          const body = known ? (await res.body.dump(), undefined) : ((await res.body.json()) as { total?: number });
          const ms = performance.now() - t;
          if (res.statusCode !== 200) {
            errors++;
            if (errors <= 3) console.error(`search: ${res.statusCode} ${JSON.stringify(body).slice(0, 300)}`);
            continue;
          }
          if (body) totals[qi] = body.total ?? -1;
          latencies.push(ms);
          if (record) perQuery[qi].push(ms);
        }
      };
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, worker));
      return { latencies, seconds: (performance.now() - t0) / 1000 };
    };
    log(`search: warm-up ${fmt(opts.warmup)} requests…`);
    await run(opts.warmup, false);
    errors = 0;
    log(`search: measuring ${fmt(opts.requests)} requests with ${opts.concurrency} concurrent clients…`);
    const m = await run(opts.requests, true);
    const sorted = [...m.latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p95 = percentile(sorted, 95);
    const p99 = percentile(sorted, 99);
    const rps = m.latencies.length / m.seconds;
    log(`search: ${fmt(m.latencies.length)} ok, ${errors} errors in ${fmt(m.seconds, 1)} s = ${fmt(rps, 1)} req/s; p50 ${fmt(p50, 1)} ms, p95 ${fmt(p95, 1)} ms, p99 ${fmt(p99, 1)} ms, max ${fmt(sorted[sorted.length - 1], 1)} ms (target p95 < ${target} ms) ${p95 < target ? 'MET' : 'MISSED'}`);
    // The same queries from one client at a time: the latency of a request without queueing.
    const single = await run(queries.length, false, 1);
    const s1 = [...single.latencies].sort((a, b) => a - b);
    const p50single = percentile(s1, 50);
    const p95single = percentile(s1, 95);
    log(`search: one client at a time (${s1.length} requests): p50 ${fmt(p50single, 1)} ms, p95 ${fmt(p95single, 1)} ms, ${fmt(s1.length / single.seconds, 1)} req/s`);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const hits = totals.filter((t) => t >= 0).sort((a, b) => a - b);
    log(`search: matches per query: min ${hits[0]}, median ${hits[Math.floor(hits.length / 2)]}, max ${hits[hits.length - 1]} (count capped at ${fmt(COUNT_CAP)})`);
    const slowest = queries
      .map((q, i) => ({ url: urlOf(q), medianMs: med(perQuery[i]), total: totals[i], q }))
      .sort((a, b) => b.medianMs - a.medianMs)
      .slice(0, 5);
    for (const s of slowest) log(`search: slow query median ${fmt(s.medianMs, 1)} ms, ${s.total} matches: ${decodeURIComponent(s.url)}`);
    let plans: SearchResultRow['explain'];
    if (p95 >= target && slowest[0]) {
      const s = slowest[0];
      const actor: Actor = { userId: '00000000-0000-0000-0000-000000000001', username: 'x', displayName: 'x', role: 'municipal_permit', regionPrefix: s.q.city, entityId: null, via: 'session' };
      plans = { url: decodeURIComponent(s.url), ...(await explain(database, actor, { region: s.q.region, q: s.q.q, industry: s.q.industry, page: 1, pageSize: 20 } as UnitListQuery)) };
      console.log(`\n--- EXPLAIN ANALYZE of the slowest query (${plans.url}) ---\n[list]\n${plans.list}\n\n[count]\n${plans.count}\n`);
    }
    return {
      name: `search (postgres, HTTP, ${opts.workers ?? 1} worker${(opts.workers ?? 1) > 1 ? 's' : ''})`,
      units: opts.units,
      workers: opts.workers ?? 1,
      loadSeconds: loaded.seconds,
      concurrency: opts.concurrency,
      requests: m.latencies.length,
      warmup: opts.warmup,
      errors,
      seconds: m.seconds,
      reqPerSecond: rps,
      p50, p95, p99, max: sorted[sorted.length - 1],
      singleClient: { requests: s1.length, p50: p50single, p95: p95single },
      target,
      met: p95 < target,
      slowest: slowest.map(({ url, medianMs, total }) => ({ url: decodeURIComponent(url), medianMs, total })),
      explain: plans,
    };
  } finally {
    await http?.close();
    await server?.stop();
    await database.close();
  }
}
