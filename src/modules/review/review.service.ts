import { createHash } from 'node:crypto';
import { and, asc, count, desc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from '../../platform/ids.ts';
import { ValidationError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { refDataset } from '../reference/index.ts';
import { regionPrefixIs } from '../registry/index.ts';
import { reviewResult, reviewRun } from './review.tables.ts';
import { RULES, thresholds as thresholdsData } from './review.catalog.ts';
import { nearDuplicates, peerOutliers } from './population.ts';

/** The technical agency that prepared a permit's application (its latest approved case that names one). */
export const preparedBy = sql<string | null>`(select c.prepared_by_agency_id from permit_case c where c.result_permit_id = ${permit.id} and c.prepared_by_agency_id is not null order by c.decided_on desc limit 1)`;

let thresholdsHash: string | undefined;

/** The most permits a population check takes in one request. */
const POPULATION_MAX = 50_000;
import type { Db } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/actor.ts';
import { chinaDate } from '../../platform/work-calendar.ts';
import { AppError, NotFoundError } from '../../platform/errors.ts';
import { quiet } from '../../platform/bulk.ts';
import { inJurisdiction, systemActor } from '../../platform/actor.ts';
import type { PermitContent } from '../../contracts/permits.ts';
import type { ManagementCategory } from '../../contracts/registry.ts';
import { registryUnit, unitScope } from '../registry/index.ts';
import { permit, permitVersion } from '../permits/index.ts';
import type { EmissionLimit, ReferenceService } from '../reference/index.ts';
import { runRules, type RuleContext, type RuleHit } from './review.catalog.ts';

export type ReviewService = ReturnType<typeof createReviewService>;

/**
 * The catalog where permits are made and kept: over an application's content (before submit, at
 * acceptance) and over a stored permit on demand. The reference tables are read through the
 * reference service (its snapshot is cached there).
 */
export function createReviewService(deps: { db: Db; clock: Clock; reference: Pick<ReferenceService, 'listEmissionLimits' | 'listStandards'> }) {
  const { db, clock } = deps;

  // The reference O2 follows the limits snapshot: made again when the service hands out another
  // one, so the rules' indexes of both (keyed on the arrays) last as long as the snapshot does.
  let ruleTables: { limits: readonly EmissionLimit[]; referenceOxygen: RuleContext['referenceOxygen'] } | undefined;
  async function tables() {
    const limits = await deps.reference.listEmissionLimits();
    if (ruleTables?.limits !== limits) {
      const referenceOxygen = (await deps.reference.listStandards()).flatMap((s) => s.referenceOxygen.map((o) => ({ standard: s.standard, percent: o.percent, confidence: o.confidence })));
      ruleTables = { limits, referenceOxygen };
    }
    return ruleTables;
  }

  // -- sweeps ------------------------------------------------------------------------------------------

  const running = new Map<string, Promise<void>>();
  let closing = false;
  const PAGE = 2000;

  /** What a sweep judged against: the emission-limit table's checksum, the thresholds file's, the catalog's size. */
  async function referenceVersion() {
    const [ds] = await db.select({ checksum: refDataset.checksum }).from(refDataset).where(eq(refDataset.name, 'emission_limits'));
    // the thresholds as the rules hold them (loaded once per process), not the file as it may be now
    thresholdsHash ??= createHash('sha256').update(JSON.stringify(thresholdsData())).digest('hex');
    const t = thresholdsHash;
    return `emission_limits@${(ds?.checksum ?? 'none').slice(0, 12)} thresholds@${t.slice(0, 12)} rules=${RULES.length}`;
  }

  const inRun = (prefix: string): SQL => regionPrefixIs(registryUnit.regionCode, prefix);

  type SweepRun = typeof reviewRun.$inferSelect;
  interface SweepRow { id: string; number: string; region: string; content: PermitContent; issued_on: string; version_no: number; unit_region: string; industry: string; category: string | null }
  /** One permit's findings: permit id, number, region, version, and per finding its id, rule, severity, path and messages. */
  type PermitFindings = [permitId: string, number: string, region: string, versionNo: number, found: [id: string, ruleId: string, severity: string, path: string, zh: string, en: string][]];
  /** A judged page: one entry per permit with findings. */
  interface JudgedPage { last: string; permits: number; hits: number; errors: number; findings: PermitFindings[]; now: Date }

  /**
   * The valid permits of a sweep's region after the cursor, in id order, with their current
   * version and registry facts. The page is picked first (permit and unit only) and the versions
   * looked up for its permits alone: joined to the whole version table, the planner merged from
   * the first version on, a scan that grew with the cursor (quadratic over a sweep).
   */
  async function readPage(prefix: string, after: string | null, limit: number): Promise<SweepRow[]> {
    const res = await db.execute(sql`
      select p.id, p.number, p.region, v.content, v.issued_on, v.version_no, p.unit_region, p.industry, p.category
      from (
        select ${permit.id} as id, ${permit.permitNumber} as number, ${permit.regionCode} as region, ${permit.currentVersion} as current_version,
               ${registryUnit.regionCode} as unit_region, ${registryUnit.industryCode} as industry, ${registryUnit.managementCategory} as category
        from ${permit} join ${registryUnit} on ${registryUnit.id} = ${permit.unitId}
        where ${permit.status} = 'valid' and ${inRun(prefix)} and ${after ? sql`${permit.id} > ${after}` : sql`true`}
        order by ${permit.id} limit ${limit}
      ) p
      cross join lateral (select ${permitVersion.content} as content, ${permitVersion.issuedOn} as issued_on, ${permitVersion.versionNo} as version_no from ${permitVersion} where ${permitVersion.permitId} = p.id and ${permitVersion.versionNo} = p.current_version) v
      order by p.id`);
    return res.rows as unknown as SweepRow[];
  }

  /** Every rule over every permit of a page (CPU only: the next page is read meanwhile). */
  const JUDGE_SLICE = 200;
  async function judgePage(rows: SweepRow[], ref: Awaited<ReturnType<typeof tables>>): Promise<JudgedPage> {
    const now = clock.now();
    const today = chinaDate(now);
    const findings: PermitFindings[] = [];
    let hits = 0;
    let errors = 0;
    for (let k = 0; k < rows.length; k++) {
      // a turn of the event loop now and then: the next page streams in and the statement
      // written before goes on meanwhile, instead of waiting for the whole page to be judged
      if (k % JUDGE_SLICE === JUDGE_SLICE - 1) await new Promise((resolve) => setImmediate(resolve));
      const r = rows[k];
      // the issue date bears on the validity's start for the first version only (a change keeps the period)
      const found = runRules({ content: r.content, permitNumber: r.number, issuedOn: r.version_no === 1 ? r.issued_on : undefined, unit: { regionCode: r.unit_region, industryCode: r.industry, managementCategory: r.category as ManagementCategory | null }, today, ...ref });
      if (!found.length) continue;
      const own: PermitFindings[4] = new Array(found.length);
      for (let i = 0; i < found.length; i++) {
        const h = found[i];
        if (h.severity === 'error') errors++;
        own[i] = [uuidv7(), h.ruleId, h.severity, h.path, h.zh, h.en];
      }
      hits += found.length;
      findings.push([r.id, r.number, r.region, r.version_no, own]);
    }
    return { last: rows[rows.length - 1].id, permits: rows.length, hits, errors, findings, now };
  }

  /**
   * Whether the run has findings after the cursor already: its cursor was set back and pages are
   * being done again. Asked once when a sweep (re)starts, not for every page: findings past the
   * cursor cannot appear otherwise, as every page's findings are written with the cursor's move,
   * in one statement, on the condition that the cursor is where the page starts.
   */
  async function hasFindingsAfter(runId: string, after: string | null): Promise<boolean> {
    const [found] = await db
      .select({ id: reviewResult.permitId })
      .from(reviewResult)
      .where(and(eq(reviewResult.runId, runId), after ? gt(reviewResult.permitId, after) : sql`true`))
      .orderBy(reviewResult.runId, reviewResult.permitId)
      .limit(1);
    return found !== undefined;
  }

  /**
   * A judged page's findings written and the sweep's progress moved past it, in one statement (one
   * transaction, one round trip: the database does not wait on this process, busy judging the
   * next page, between statements). The progress moves on the condition that the sweep still
   * runs and is where this page starts, and the findings are inserted only if it did: the update
   * locks the run, so a second process on the same sweep waits, then finds the cursor moved and
   * writes nothing; a cancelled sweep takes nothing more. When pages are being done `again`, a
   * finding already there is skipped (each row checked for a conflict, which otherwise would
   * cost a fifth of the insert). False when the sweep did not move.
   */
  async function writePage(runId: string, after: string | null, page: JudgedPage, again: boolean): Promise<boolean> {
    // One JSON parameter a page, each permit once with its findings: [permit id, number, region,
    // version, [[id, rule, severity, path, zh, en], …]]; the run and the time are parameters.
    const res = await db.execute(sql`
      with moved as (
        update ${reviewRun} set processed = processed + ${page.permits}, hits = hits + ${page.hits}, errors = errors + ${page.errors}, cursor = ${page.last}, updated_at = ${page.now.toISOString()}
        where id = ${runId} and status = 'running' and cursor is not distinct from ${after}::uuid
        returning id
      ), written as (
        insert into ${reviewResult} (id, run_id, permit_id, permit_number, region_code, version_no, rule_id, severity, path, message_zh, message_en, created_at)
        select (f->>0)::uuid, moved.id, (p->>0)::uuid, p->>1, p->>2, (p->>3)::integer, f->>1, f->>2, f->>3, f->>4, f->>5, ${page.now.toISOString()}::timestamptz
        from moved, jsonb_array_elements(${JSON.stringify(page.findings)}::jsonb) as e(p), jsonb_array_elements(p->4) as g(f)
        ${again ? sql`on conflict do nothing` : sql``}
      )
      select count(*)::int as moved from moved`);
    return (res.rows[0] as { moved: number }).moved > 0;
  }

  async function finish(runId: string) {
    const now = clock.now();
    await db.update(reviewRun).set({ status: 'done', finishedAt: now, updatedAt: now }).where(and(eq(reviewRun.id, runId), eq(reviewRun.status, 'running')));
  }

  async function runningSweep(runId: string): Promise<SweepRun | undefined> {
    const [run] = await db.select().from(reviewRun).where(eq(reviewRun.id, runId));
    return run?.status === 'running' ? run : undefined;
  }

  /**
   * The reference data moved on under a running sweep (a standard reloaded at a restart, a new
   * threshold): the sweep stops as `superseded` where it got to — its results stay, judged by the
   * version it records — and sweepIfReferenceChanged starts a new one. True when it stopped.
   */
  async function superseded(run: { id: string; referenceVersion: string }) {
    const current = await referenceVersion();
    if (current === run.referenceVersion) return false;
    const now = clock.now();
    await db
      .update(reviewRun)
      .set({ status: 'superseded', error: sql`'reference data changed after ' || ${reviewRun.processed} || ' of ' || ${reviewRun.total} || ' permits: now ' || ${current}`, finishedAt: now, updatedAt: now })
      .where(and(eq(reviewRun.id, run.id), eq(reviewRun.status, 'running')));
    return true;
  }

  /**
   * One page of a sweep: the next permits after the cursor, their findings written (a finding
   * already there is skipped) and the progress moved on in one transaction. False when the sweep
   * has ended (done, cancelled or gone).
   */
  async function sweepPage(runId: string, pageSize = PAGE): Promise<boolean> {
    const run = await runningSweep(runId);
    if (!run) return false;
    if (await superseded(run)) return false;
    const rows = await readPage(run.regionPrefix, run.cursor, pageSize);
    if (rows.length === 0) {
      await finish(runId);
      return false;
    }
    return writePage(runId, run.cursor, await judgePage(rows, await tables()), await hasFindingsAfter(runId, run.cursor));
  }

  /**
   * A sweep to its end, page after page as sweepPage does them, but in a pipeline: the next page
   * is read while this one is judged, and judged while the one before is written, so that the
   * database (reading, inserting) and this process (the rules) work at the same time. Each page
   * is still its own transaction, written in order: a sweep stopped anywhere resumes after the
   * last page written. Stops when the sweep ends (done, cancelled, gone) or the service closes.
   */
  async function sweepToEnd(runId: string, pageSize = PAGE): Promise<void> {
    const run = await runningSweep(runId);
    if (!run) return;
    let cursor = run.cursor;
    const again = await hasFindingsAfter(runId, cursor);
    let reading = quiet(readPage(run.regionPrefix, cursor, pageSize));
    let writing: Promise<boolean> = Promise.resolve(true);
    for (;;) {
      const rows = await reading;
      if (rows.length === 0) {
        if (await writing) await finish(runId);
        return;
      }
      reading = quiet(readPage(run.regionPrefix, rows[rows.length - 1].id, pageSize));
      const page = await judgePage(rows, await tables());
      if (!(await writing) || closing || (await superseded(run))) return;
      writing = quiet(writePage(runId, cursor, page, again));
      cursor = page.last;
    }
  }

  function schedule(runId: string) {
    if (running.has(runId) || closing) return;
    const loop = (async () => {
      try {
        await sweepToEnd(runId);
      } catch (err) {
        await db.update(reviewRun).set({ status: 'failed', error: (err as Error).message.slice(0, 500), updatedAt: clock.now() }).where(eq(reviewRun.id, runId)).catch(() => undefined);
      }
    })().finally(() => running.delete(runId));
    running.set(runId, loop);
  }

  async function findRun(actor: Actor, id: string) {
    const [run] = await db.select().from(reviewRun).where(and(eq(reviewRun.id, id), regionPrefixIs(reviewRun.regionPrefix, actor.regionPrefix)));
    if (!run) throw new NotFoundError({ zh: '审核批次', en: 'sweep' });
    return run;
  }

  return {
    /**
     * Start a sweep over the valid permits of the caller's jurisdiction (or a region inside it),
     * in the background (`background: false` leaves it to sweepPage, for tests).
     */
    async startSweep(actor: Actor, input: { region?: string }, opts: { background?: boolean } = {}) {
      const prefix = input.region ?? actor.regionPrefix;
      if (!inJurisdiction(actor.regionPrefix, prefix)) throw new ValidationError({ zh: `只能审核本辖区（${actor.regionPrefix || '全国'}）`, en: `You review your own jurisdiction only (${actor.regionPrefix || 'national'})` });
      const [{ n }] = await db.select({ n: count() }).from(permit).innerJoin(registryUnit, eq(registryUnit.id, permit.unitId)).where(and(eq(permit.status, 'valid'), inRun(prefix)));
      const now = clock.now();
      const run = { id: uuidv7(), regionPrefix: prefix, status: 'running', total: Number(n), processed: 0, hits: 0, errors: 0, cursor: null, referenceVersion: await referenceVersion(), error: null, startedBy: actor.displayName, startedAt: now, updatedAt: now, finishedAt: null };
      await db.transaction(async (tx) => {
        await tx.insert(reviewRun).values(run);
        await recordAudit(tx, clock, actor, { action: 'review.sweep', entityType: 'review_run', entityId: run.id, regionCode: prefix.padEnd(6, '0'), after: { regionPrefix: prefix, total: run.total, referenceVersion: run.referenceVersion } });
      });
      if (opts.background !== false) schedule(run.id);
      return run;
    },

    sweepPage,
    sweepToEnd,
    referenceVersion,
    /** The reference tables the rules read (the reference service's cached snapshot). */
    ruleTables: tables,

    /** Sweeps left running when the server stopped go on from where they were. */
    async resumeInterrupted() {
      const rows = await db.select({ id: reviewRun.id }).from(reviewRun).where(eq(reviewRun.status, 'running'));
      for (const r of rows) schedule(r.id);
      return rows.length;
    },

    /** Wait for the sweeps running in this process (tests; shutdown). */
    async idle() {
      while (running.size) await Promise.all([...running.values()]);
    },

    /** Stop taking new pages; the page under way finishes (its transaction), the sweep resumes on the next start. */
    async stop() {
      closing = true;
      await Promise.all([...running.values()]);
    },

    async cancelSweep(actor: Actor, id: string) {
      await findRun(actor, id);
      const now = clock.now();
      const [run] = await db.update(reviewRun).set({ status: 'cancelled', finishedAt: now, updatedAt: now }).where(and(eq(reviewRun.id, id), eq(reviewRun.status, 'running'))).returning();
      if (!run) throw new ValidationError({ zh: '该审核批次已结束', en: 'The sweep has already ended' });
      await db.transaction((tx) => recordAudit(tx, clock, actor, { action: 'review.sweep.cancel', entityType: 'review_run', entityId: id, regionCode: run.regionPrefix.padEnd(6, '0'), after: { processed: run.processed } }));
      return run;
    },

    getSweep: findRun,

    async listSweeps(actor: Actor) {
      const rows = await db
        .select()
        .from(reviewRun)
        .where(regionPrefixIs(reviewRun.regionPrefix, actor.regionPrefix))
        .orderBy(desc(reviewRun.startedAt))
        .limit(100);
      return { items: rows };
    },

    /** A sweep's findings, filtered by rule and severity, most serious first. */
    async sweepResults(actor: Actor, id: string, q: { ruleId?: string; severity?: string; page?: number; pageSize?: number }) {
      await findRun(actor, id);
      const page = q.page ?? 1;
      const pageSize = q.pageSize ?? 50;
      const conds: SQL[] = [eq(reviewResult.runId, id)];
      if (q.ruleId) conds.push(eq(reviewResult.ruleId, q.ruleId));
      if (q.severity) conds.push(eq(reviewResult.severity, q.severity));
      const where = and(...conds);
      const [items, [{ n }], byRule] = await Promise.all([
        db.select().from(reviewResult).where(where).orderBy(sql`case ${reviewResult.severity} when 'error' then 0 when 'warning' then 1 else 2 end`, asc(reviewResult.permitNumber), asc(reviewResult.ruleId)).limit(pageSize).offset((page - 1) * pageSize),
        db.select({ n: count() }).from(reviewResult).where(where),
        db.select({ ruleId: reviewResult.ruleId, severity: reviewResult.severity, n: count(), permits: sql<number>`count(distinct ${reviewResult.permitId})` }).from(reviewResult).where(eq(reviewResult.runId, id)).groupBy(reviewResult.ruleId, reviewResult.severity).orderBy(reviewResult.ruleId),
      ]);
      return { items, total: Number(n), page, pageSize, byRule: byRule.map((r) => ({ ...r, n: Number(r.n), permits: Number(r.permits) })) };
    },

    /**
     * The reference data changed since the last sweep (a standard, a threshold, the catalog):
     * every permit is judged again, in a new sweep of the jurisdictions swept before. Returns the
     * sweeps started.
     */
    async sweepIfReferenceChanged() {
      const current = await referenceVersion();
      const last = await db.select({ regionPrefix: reviewRun.regionPrefix, referenceVersion: reviewRun.referenceVersion }).from(reviewRun).orderBy(desc(reviewRun.startedAt), desc(reviewRun.id)).limit(200);
      const prefixes = [...new Set(last.map((r) => r.regionPrefix))];
      const started: string[] = [];
      for (const prefix of prefixes) {
        const latest = last.find((r) => r.regionPrefix === prefix)!;
        if (latest.referenceVersion === current) continue;
        started.push((await this.startSweep(systemActor('reference-change', '参考数据更新后自动复核', prefix), { region: prefix })).id);
      }
      return started;
    },

    /**
     * Quality scores (issue 4 item 6) from the latest completed sweep of the caller's jurisdiction
     * and the findings reviewers confirmed: per permit 100 less the weighted findings; per
     * technical agency the mean of the permits it prepared. Weights: thresholds.json quality_score.
     */
    async scores(actor: Actor, q: { kind: 'permit' | 'agency'; limit?: number }) {
      const w = thresholdsData().quality_score;
      const [run] = await db
        .select({ id: reviewRun.id, regionPrefix: reviewRun.regionPrefix, finishedAt: reviewRun.finishedAt, referenceVersion: reviewRun.referenceVersion })
        .from(reviewRun)
        .where(and(eq(reviewRun.status, 'done'), regionPrefixIs(reviewRun.regionPrefix, actor.regionPrefix)))
        .orderBy(desc(reviewRun.finishedAt), desc(reviewRun.id))
        .limit(1);
      // without a completed sweep the scores come from the confirmed findings alone
      const prefix = run?.regionPrefix ?? actor.regionPrefix;
      // weights as literal numbers (bound parameters would come as text into sum())
      const n = (x: number) => sql.raw(String(Number(x)));
      const penalty = sql<number>`coalesce(sum(case when ${reviewResult.id} is null then 0 when ${reviewResult.severity} = 'error' then ${n(w.error)} when ${reviewResult.severity} = 'warning' then ${n(w.warning)} else ${n(w.notice)} end), 0)`;
      // findings a reviewer confirmed in a completed task weigh confirmed_factor times their severity's weight
      const confirmed = sql<number>`coalesce((select sum(case f.severity when 'error' then ${n(w.error)} when 'warning' then ${n(w.warning)} else ${n(w.notice)} end) * ${n(w.confirmed_factor)} from review_finding f join review_task t on t.id = f.task_id where t.permit_id = ${permit.id} and t.status = 'done' and f.status = 'confirmed'), 0)`;
      const perPermit = await db
        .select({ permitId: permit.id, permitNumber: permit.permitNumber, penalty, confirmed, agencyId: preparedBy })
        .from(permit)
        .innerJoin(registryUnit, eq(registryUnit.id, permit.unitId))
        .leftJoin(reviewResult, and(eq(reviewResult.permitId, permit.id), run ? eq(reviewResult.runId, run.id) : sql`false`))
        .where(and(eq(permit.status, 'valid'), inRun(prefix)))
        .groupBy(permit.id, permit.permitNumber);
      const scored = perPermit.map((p) => ({ ...p, score: Math.max(w.floor, 100 - Number(p.penalty) - Number(p.confirmed)) }));
      if (q.kind === 'permit') return { run: run ?? null, items: scored.sort((a, b) => a.score - b.score).slice(0, q.limit ?? 200).map(({ permitId, permitNumber, score }) => ({ id: permitId, label: permitNumber, score, permits: 1 })) };
      const byAgency = new Map<string, number[]>();
      for (const p of scored) if (p.agencyId) byAgency.set(p.agencyId, [...(byAgency.get(p.agencyId) ?? []), p.score]);
      const names = new Map((await db.execute(sql`select id, name from technical_agency`)).rows.map((r) => [String((r as { id: string }).id), String((r as { name: string }).name)]));
      return { run: run ?? null, items: [...byAgency].map(([id, xs]) => ({ id, label: names.get(id) ?? id, score: Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10, permits: xs.length })).sort((a, b) => a.score - b.score) };
    },

    /**
     * Population checks over the valid permits of a region (leads, not findings): peer outliers
     * and near-duplicate groups with the agency that prepared them. Computed on request over at
     * most POPULATION_MAX permits (a larger region is narrowed first).
     */
    async population(actor: Actor, q: { region?: string; kind: 'outliers' | 'duplicates' }) {
      const prefix = q.region ?? actor.regionPrefix;
      if (!inJurisdiction(actor.regionPrefix, prefix)) throw new ValidationError({ zh: `只能分析本辖区（${actor.regionPrefix || '全国'}）`, en: `You analyse your own jurisdiction only (${actor.regionPrefix || 'national'})` });
      const rows = await db
        .select({ id: permit.id, number: permit.permitNumber, region: registryUnit.regionCode, industry: registryUnit.industryCode, content: permitVersion.content, agencyId: preparedBy })
        .from(permit)
        .innerJoin(permitVersion, and(eq(permitVersion.permitId, permit.id), eq(permitVersion.versionNo, permit.currentVersion)))
        .innerJoin(registryUnit, eq(registryUnit.id, permit.unitId))
        .where(and(eq(permit.status, 'valid'), inRun(prefix)))
        .limit(POPULATION_MAX + 1);
      if (rows.length > POPULATION_MAX) throw new AppError('POPULATION_TOO_LARGE', 413, { zh: `范围内许可证超过 ${POPULATION_MAX} 张，请缩小范围（如到地市）`, en: `More than ${POPULATION_MAX} permits in scope: narrow the region (e.g. to a city)` });
      const permits = rows.map((r) => ({ id: r.id, permitNumber: r.number, industryCode: r.industry, regionCode: r.region, agencyId: r.agencyId, content: r.content as PermitContent }));
      return q.kind === 'outliers' ? { region: prefix, permits: permits.length, outliers: peerOutliers(permits).slice(0, 500), groups: [] } : { region: prefix, permits: permits.length, outliers: [], groups: nearDuplicates(permits).slice(0, 500) };
    },

    /** The rules over a content (an application's, or a permit's), with the site's registry facts. */
    async reviewContent(input: { content: PermitContent; permitNumber?: string; issuedOn?: string; unit?: { regionCode: string; industryCode: string; managementCategory: ManagementCategory | null } }): Promise<RuleHit[]> {
      return runRules({ ...input, today: chinaDate(clock.now()), ...(await tables()) });
    },

    /** The rules over a stored permit's current version, for a caller who may see it. @throws NotFoundError */
    async reviewPermit(actor: Actor, permitId: string) {
      const [r] = await db
        .select({ number: permit.permitNumber, content: permitVersion.content, issuedOn: permitVersion.issuedOn, versionNo: permitVersion.versionNo, region: registryUnit.regionCode, industry: registryUnit.industryCode, category: registryUnit.managementCategory })
        .from(permit)
        .innerJoin(permitVersion, and(eq(permitVersion.permitId, permit.id), eq(permitVersion.versionNo, permit.currentVersion)))
        .innerJoin(registryUnit, eq(registryUnit.id, permit.unitId))
        .where(and(eq(permit.id, permitId), unitScope(actor)));
      if (!r) throw new NotFoundError({ zh: '排污许可证', en: 'permit' });
      const hits = runRules({ content: r.content as PermitContent, permitNumber: r.number, issuedOn: r.versionNo === 1 ? r.issuedOn : undefined, unit: { regionCode: r.region, industryCode: r.industry, managementCategory: r.category as ManagementCategory | null }, today: chinaDate(clock.now()), ...(await tables()) });
      return { permitNumber: r.number, versionNo: r.versionNo, hits };
    },
  };
}
