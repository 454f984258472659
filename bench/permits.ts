// Benchmark 3 (issue 3): permit detail over HTTP with 300,000 permits on PostgreSQL, 50 concurrent
// clients, each request a permit with 20 outlets and 100 limit rows; and the 副本 PDF of such a
// permit, rendered in the process and served over HTTP.
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { cliActor } from '../src/platform/actor.ts';
import { canonicalJson } from '../src/modules/audit/index.ts';
import { createIdentityService } from '../src/modules/identity/index.ts';
import { samplePermitContent } from '../src/modules/permits/index.ts';
import { renderPermitPdf } from '../src/modules/permits/permit-document.ts';
import { templateContent } from '../src/modules/cases/index.ts';
import type { PermitContent } from '../src/contracts/permits.ts';
import { clock, fmt, freshDatabase, log } from './common.ts';
import { loadUnits, login, PASSWORD, percentile, startServer } from './search.ts';

export interface PermitBenchRow {
  name: string;
  permits: number;
  largePermits: number;
  outlets: number;
  limitRows: number;
  contentBytes: number;
  loadSeconds: number;
  concurrency: number;
  requests: number;
  errors: number;
  reqPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  target: number;
  met: boolean;
  /** the same requests with PERMIT_VERSION_CACHE=0 */
  cacheOff: { p50: number; p95: number; reqPerSecond: number };
  pdf: { renders: number; inProcessFirstMs: number; inProcessP50: number; inProcessMax: number; httpP50: number; httpP95: number; bytes: number; target: number; met: boolean };
}

/** A permit of 20 main stacks, five pollutants each (four limits and the flow): 100 pollutant rows. */
export function largeContent(): PermitContent {
  const base = templateContent('thermal_power', { longitude: 120.15, latitude: 30.28 }, new Date('2026-03-02T00:00:00Z'))!;
  const stack = base.outlets[0];
  const outlets = Array.from({ length: 20 }, (_, i) => ({
    ...stack,
    code: `DA${String(i + 1).padStart(3, '0')}`,
    name: `${i + 1}# 机组烟囱`,
    longitude: 120.15 + i * 0.0003,
    pollutants: [...stack.pollutants, { pollutantCode: 'a00000', standard: 'GB 13223-2011' }],
  }));
  return {
    ...base,
    validFrom: '2026-03-02',
    validTo: '2031-03-01',
    outlets,
    permittedQuantities: [
      { factor: 'SO2', year: 2026, amount: 1234.5, unit: 't/a' },
      { factor: 'NOx', year: 2026, amount: 1500, unit: 't/a' },
      { factor: 'particulate', year: 2026, amount: 300, unit: 't/a' },
    ],
    selfMonitoring: outlets.flatMap((o) => o.pollutants.slice(0, 4).map((p) => ({ outletCode: o.code, pollutantCode: p.pollutantCode, frequency: '自动监测', mode: 'automatic' as const }))),
    rectifications: [{ requirement: '2026年12月31日前完成全部排放口规范化整治并设置标志牌', deadline: '2026-12-31' }],
    specialConditions: ['重污染天气应急期间执行应急减排措施', '不得通过旁路直排烟气'],
  };
}

const sha = (c: PermitContent) => createHash('sha256').update(canonicalJson(c)).digest('hex');

/**
 * One permit per loaded unit (`insert … select` from the units: the number is the credit code +
 * site + P), with its version 1: one in `largeEvery` carries the 20-outlet content, the others the
 * two-outlet sample. Written in chunks of 50,000 by unit id.
 */
export async function loadPermits(pool: pg.Pool, largeEvery: number) {
  const small = samplePermitContent({ validFrom: '2026-03-02', validTo: '2031-03-01' });
  const large = largeContent();
  const t0 = performance.now();
  const ids = (await pool.query<{ id: string }>('select id from registry_unit order by id')).rows.map((r) => r.id);
  for (let i = 0; i < ids.length; i += 50_000) {
    const chunk = ids.slice(i, i + 50_000);
    const permitIds = chunk.map(() => randomUUID());
    const big = chunk.map((_, k) => (i + k) % largeEvery === 0);
    await pool.query(
      `with u as (
         select t.unit_id, t.permit_id, t.big, ru.region_code, ru.entity_id, ru.management_category, e.credit_code || lpad(ru.site_seq::text, 3, '0') || 'P' as number
         from unnest($1::uuid[], $2::uuid[], $3::bool[]) as t(unit_id, permit_id, big)
         join registry_unit ru on ru.id = t.unit_id join registry_entity e on e.id = ru.entity_id
       ), p as (
         insert into permit (id, unit_id, entity_id, region_code, permit_number, status, management_category, valid_from, valid_to, current_version, created_at, updated_at)
         select permit_id, unit_id, entity_id, region_code, number, 'valid', coalesce(management_category, 'key'), '2026-03-02', '2031-03-01', 1, now(), now() from u
         returning id
       )
       insert into permit_version (id, permit_id, region_code, version_no, reason, permit_number, issued_on, valid_from, valid_to, content, content_sha256, note, created_by, created_at)
       select gen_random_uuid(), permit_id, region_code, 1, 'issue', number, '2026-03-02', '2026-03-02', '2031-03-01',
              case when big then $4::jsonb else $5::jsonb end, case when big then $6 else $7 end, null, 'bench', now()
       from u where exists (select 1 from p where p.id = u.permit_id)`,
      [chunk, permitIds, big, JSON.stringify(large), JSON.stringify(small), sha(large), sha(small)],
    );
    log(`permits: loaded ${fmt(Math.min(i + 50_000, ids.length))} / ${fmt(ids.length)} permits`);
  }
  await pool.query('vacuum analyze permit');
  await pool.query('vacuum analyze permit_version');
  return { seconds: (performance.now() - t0) / 1000, large, count: ids.length };
}

export async function benchPermits(opts: { permits: number; pgUrl: string; requests: number; warmup: number; concurrency: number; largeEvery?: number }): Promise<PermitBenchRow> {
  const target = 100;
  const pdfTarget = 1000;
  const largeEvery = opts.largeEvery ?? 100;
  const database = await freshDatabase({ url: opts.pgUrl });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let http: HttpPool | undefined;
  try {
    log(`permits: loading ${fmt(opts.permits)} units…`);
    const units = await loadUnits(database, opts.permits);
    units.rows.length = 0;
    const pool = database.pool as pg.Pool;
    const loaded = await loadPermits(pool, largeEvery);
    log(`permits: ${fmt(loaded.count)} permits and versions in ${fmt(loaded.seconds, 1)} s`);
    const identity = createIdentityService({ db: database.db, clock, options: { sessionTtlMinutes: 120, maxFailures: 5, lockMinutes: 15 } });
    await identity.createUser(cliActor('bench'), { username: 'bench_province', displayName: '压测 省级', password: PASSWORD, role: 'provincial', regionPrefix: '33', entityId: null });
    const targets = (await pool.query<{ permit_id: string }>("select permit_id from permit_version where jsonb_array_length(content->'outlets') = 20 order by permit_id limit 2000")).rows.map((r) => r.permit_id);
    const contentBytes = Buffer.byteLength(JSON.stringify(loaded.large));
    const limitRows = loaded.large.outlets.reduce((n, o) => n + o.pollutants.length, 0);

    server = await startServer(opts.pgUrl, 1);
    const base = `http://127.0.0.1:${server.port}`;
    const cookie = await login(base, 'bench_province');
    let cookieNow = cookie;
    http = new HttpPool(base, { connections: opts.concurrency, pipelining: 1 });
    let errors = 0;
    const run = async (n: number, concurrency: number, path: (i: number) => string) => {
      let next = 0;
      const latencies: number[] = [];
      let bytes = 0;
      const worker = async () => {
        for (;;) {
          const i = next++;
          if (i >= n) return;
          const t = performance.now();
          const res = await http!.request({ method: 'GET', path: path(i), headers: { cookie: cookieNow } });
          const body = Buffer.from(await res.body.arrayBuffer());
          const ms = performance.now() - t;
          if (res.statusCode !== 200) {
            errors++;
            if (errors <= 3) console.error(`permits: ${res.statusCode} ${body.toString('utf8').slice(0, 300)}`);
            continue;
          }
          bytes = body.length;
          latencies.push(ms);
        }
      };
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, worker));
      return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - t0) / 1000, bytes };
    };
    const detail = (i: number) => `/api/permits/${targets[i % targets.length]}`;
    // every target once at least, so the measurement sees the server as it runs, not as it starts
    const warmup = Math.max(opts.warmup, targets.length);
    log(`permits: warm-up ${fmt(warmup)} requests…`);
    await run(warmup, opts.concurrency, detail);
    errors = 0;
    log(`permits: measuring ${fmt(opts.requests)} detail requests (20 outlets, ${limitRows} pollutant rows, ${fmt(contentBytes)} bytes of content) with ${opts.concurrency} clients…`);
    const m = await run(opts.requests, opts.concurrency, (i) => detail(i + 7));
    const p50 = percentile(m.latencies, 50);
    const p95 = percentile(m.latencies, 95);
    const p99 = percentile(m.latencies, 99);
    const rps = m.latencies.length / m.seconds;
    log(`permits: ${fmt(m.latencies.length)} ok, ${errors} errors in ${fmt(m.seconds, 1)} s = ${fmt(rps, 1)} req/s; p50 ${fmt(p50, 1)} ms, p95 ${fmt(p95, 1)} ms, p99 ${fmt(p99, 1)} ms (target p95 < ${target} ms) ${p95 < target ? 'MET' : 'MISSED'}`);

    // The same with no version cache (PERMIT_VERSION_CACHE=0): every content read from PostgreSQL.
    await http.close();
    await server.stop();
    process.env.PERMIT_VERSION_CACHE = '0';
    server = await startServer(opts.pgUrl, 1);
    delete process.env.PERMIT_VERSION_CACHE;
    const base0 = `http://127.0.0.1:${server.port}`;
    const cookie0 = await login(base0, 'bench_province');
    http = new HttpPool(base0, { connections: opts.concurrency, pipelining: 1 });
    cookieNow = cookie0;
    await run(opts.warmup, opts.concurrency, detail);
    const off = await run(opts.requests, opts.concurrency, (i) => detail(i + 7));
    const cacheOff = { p50: percentile(off.latencies, 50), p95: percentile(off.latencies, 95), reqPerSecond: off.latencies.length / off.seconds };
    log(`permits: without the version cache: ${fmt(cacheOff.reqPerSecond, 1)} req/s; p50 ${fmt(cacheOff.p50, 1)} ms, p95 ${fmt(cacheOff.p95, 1)} ms`);

    // The PDF: in this process (the renderer alone), then over HTTP (query, render, send), one at a time.
    const renders: number[] = [];
    let pdfBytes = 0;
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const pdf = await renderPermitPdf(
        { permitNumber: '91330106MA27XYZ12K001P', status: 'valid', versionNo: 1, issuedOn: '2026-03-02', contentSha256: sha(loaded.large), authority: '杭州市生态环境局', unit: { name: '杭州示范热电有限公司', creditCode: '91330106MA27XYZ12K', address: '浙江省杭州市西湖区示范路1号', industry: '4411 火力发电', regionName: '西湖区' }, content: loaded.large, pollutantName: (c) => c, publicUrl: 'http://127.0.0.1/public/permits/91330106MA27XYZ12K001P' },
        { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', name: 'WenQuanYiMicroHei' },
      );
      renders.push(performance.now() - t);
      pdfBytes = pdf.length;
    }
    const first = renders[0];
    const sortedRenders = [...renders].sort((a, b) => a - b);
    const pdfHttp = await run(20, 1, (i) => `/api/permits/${targets[i]}/pdf`);
    const httpP50 = percentile(pdfHttp.latencies, 50);
    const httpP95 = percentile(pdfHttp.latencies, 95);
    log(`permits: PDF of a 20-outlet permit (${fmt(pdfBytes)} bytes): in process first ${fmt(first, 0)} ms, p50 ${fmt(percentile(sortedRenders, 50), 0)} ms, max ${fmt(sortedRenders.at(-1)!, 0)} ms; over HTTP p50 ${fmt(httpP50, 0)} ms, p95 ${fmt(httpP95, 0)} ms (target < ${pdfTarget} ms)`);
    return {
      name: 'permit detail (postgres, HTTP)',
      permits: loaded.count,
      largePermits: Math.ceil(loaded.count / largeEvery),
      outlets: 20,
      limitRows,
      contentBytes,
      loadSeconds: units.seconds + loaded.seconds,
      concurrency: opts.concurrency,
      requests: m.latencies.length,
      errors,
      reqPerSecond: rps,
      p50,
      p95,
      p99,
      target,
      met: p95 < target && errors === 0,
      cacheOff,
      pdf: { renders: renders.length, inProcessFirstMs: first, inProcessP50: percentile(sortedRenders, 50), inProcessMax: sortedRenders.at(-1)!, httpP50, httpP95, bytes: pdfBytes, target: pdfTarget, met: Math.max(sortedRenders.at(-1)!, httpP95) < pdfTarget },
    };
  } finally {
    await http?.close();
    await server?.stop();
    await database.close();
  }
}
