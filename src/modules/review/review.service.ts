import { createHash } from 'node:crypto';
import { and, asc, count, desc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from '../../platform/ids.ts';
import { bulkInsert, type BulkColumnType } from '../../platform/bulk.ts';
import { ValidationError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { refDataset } from '../reference/index.ts';
import { regionPrefixIs } from '../registry/index.ts';
import { reviewResult, reviewRun } from './review.tables.ts';
import { RULES, thresholds as thresholdsData } from './review.catalog.ts';
import { nearDuplicates, peerOutliers } from './population.ts';

/** The technical agency that prepared a permit's application (its latest approved case that names one). */
export const preparedBy = sql<string | null>`(select c.prepared_by_agency_id from permit_case c where c.result_permit_id = ${permit.id} and c.prepared_by_agency_id is not null order by c.decided_on desc limit 1)`;

const RESULT_COLUMNS: [string, BulkColumnType][] = [
  ['id', 'uuid'], ['run_id', 'uuid'], ['permit_id', 'uuid'], ['permit_number', 'text'], ['region_code', 'text'], ['version_no', 'integer'],
  ['rule_id', 'text'], ['severity', 'text'], ['path', 'text'], ['message_zh', 'text'], ['message_en', 'text'], ['created_at', 'timestamptz'],
];

let thresholdsHash: string | undefined;

/** The most permits a population check takes in one request. */
const POPULATION_MAX = 50_000;
import type { Db } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/actor.ts';
import { chinaDate } from '../../platform/work-calendar.ts';
import { AppError, NotFoundError } from '../../platform/errors.ts';
import { inJurisdiction, systemActor } from '../../platform/actor.ts';
import type { PermitContent } from '../../contracts/permits.ts';
import type { ManagementCategory } from '../../contracts/registry.ts';
import { registryUnit, unitScope } from '../registry/index.ts';
import { permit, permitVersion } from '../permits/index.ts';
import type { ReferenceService } from '../reference/index.ts';
import { runRules, type RuleHit } from './review.catalog.ts';

export type ReviewService = ReturnType<typeof createReviewService>;

/**
 * The catalog where permits are made and kept: over an application's content (before submit, at
 * acceptance) and over a stored permit on demand. The reference tables are read through the
 * reference service (its snapshot is cached there).
 */
export function createReviewService(deps: { db: Db; clock: Clock; reference: Pick<ReferenceService, 'listEmissionLimits' | 'listStandards'> }) {
  const { db, clock } = deps;

  async function tables() {
    const limits = await deps.reference.listEmissionLimits();
    const referenceOxygen = (await deps.reference.listStandards()).flatMap((s) => s.referenceOxygen.map((o) => ({ standard: s.standard, percent: o.percent, confidence: o.confidence })));
    return { limits, referenceOxygen };
  }

  // -- sweeps ------------------------------------------------------------------------------------------

  const running = new Map<string, Promise<void>>();
  let closing = false;
  const PAGE = 500;

  /** What a sweep judged against: the emission-limit table's checksum, the thresholds file's, the catalog's size. */
  async function referenceVersion() {
    const [ds] = await db.select({ checksum: refDataset.checksum }).from(refDataset).where(eq(refDataset.name, 'emission_limits'));
    // the thresholds as the rules hold them (loaded once per process), not the file as it may be now
    thresholdsHash ??= createHash('sha256').update(JSON.stringify(thresholdsData())).digest('hex');
    const t = thresholdsHash;
    return `emission_limits@${(ds?.checksum ?? 'none').slice(0, 12)} thresholds@${t.slice(0, 12)} rules=${RULES.length}`;
  }

  const inRun = (prefix: string): SQL => regionPrefixIs(registryUnit.regionCode, prefix);

  /**
   * The reference data moved on under a running sweep (a standard reloaded at a restart, a new
   * threshold): the sweep stops as `superseded` where it got to — its results stay, judged by the
   * version it records — and sweepIfReferenceChanged starts a new one. True when it stopped.
   */
  async function superseded(run: typeof reviewRun.$inferSelect) {
    const current = await referenceVersion();
    if (current === run.referenceVersion) return false;
    const now = clock.now();
    await db
      .update(reviewRun)
      .set({ status: 'superseded', error: `reference data changed after ${run.processed} of ${run.total} permits: now ${current}`, finishedAt: now, updatedAt: now })
      .where(and(eq(reviewRun.id, run.id), eq(reviewRun.status, 'running')));
    return true;
  }

  /**
   * One page of a sweep: the next permits after the cursor, their findings written (a finding
   * already there is skipped) and the progress moved on in one transaction. False when the sweep
   * has ended (done, cancelled or gone).
   */
  async function sweepPage(runId: string, pageSize = PAGE): Promise<boolean> {
    const [run] = await db.select().from(reviewRun).where(eq(reviewRun.id, runId));
    if (!run || run.status !== 'running') return false;
    if (await superseded(run)) return false;
    const rows = await db
      .select({ id: permit.id, number: permit.permitNumber, region: permit.regionCode, content: permitVersion.content, issuedOn: permitVersion.issuedOn, versionNo: permitVersion.versionNo, unitRegion: registryUnit.regionCode, industry: registryUnit.industryCode, category: registryUnit.managementCategory })
      .from(permit)
      .innerJoin(permitVersion, and(eq(permitVersion.permitId, permit.id), eq(permitVersion.versionNo, permit.currentVersion)))
      .innerJoin(registryUnit, eq(registryUnit.id, permit.unitId))
      .where(and(eq(permit.status, 'valid'), inRun(run.regionPrefix), run.cursor ? gt(permit.id, run.cursor) : sql`true`))
      .orderBy(asc(permit.id))
      .limit(pageSize);
    const now = clock.now();
    if (rows.length === 0) {
      await db.update(reviewRun).set({ status: 'done', finishedAt: now, updatedAt: now }).where(and(eq(reviewRun.id, runId), eq(reviewRun.status, 'running')));
      return false;
    }
    const ref = await tables();
    const today = chinaDate(now);
    const results: unknown[][] = [];
    let errors = 0;
    for (const r of rows) {
      const hits = runRules({ content: r.content as PermitContent, permitNumber: r.number, issuedOn: r.versionNo === 1 ? r.issuedOn : undefined, unit: { regionCode: r.unitRegion, industryCode: r.industry, managementCategory: r.category as ManagementCategory | null }, today, ...ref });
      for (const h of hits) {
        if (h.severity === 'error') errors++;
        results.push([uuidv7(), runId, r.id, r.number, r.region, r.versionNo, h.ruleId, h.severity, h.path, h.zh, h.en, now]);
      }
    }
    const moved = await db.transaction(async (tx) => {
      // one JSON parameter per chunk; a finding already written (a page done again after a crash) is skipped
      await bulkInsert(tx, 'review_result', RESULT_COLUMNS, results, 10_000, 'do nothing');
      return tx
        .update(reviewRun)
        .set({ processed: sql`${reviewRun.processed} + ${rows.length}`, hits: sql`${reviewRun.hits} + ${results.length}`, errors: sql`${reviewRun.errors} + ${errors}`, cursor: rows[rows.length - 1].id, updatedAt: now })
        .where(and(eq(reviewRun.id, runId), eq(reviewRun.status, 'running'), run.cursor ? eq(reviewRun.cursor, run.cursor) : sql`${reviewRun.cursor} is null`))
        .returning({ id: reviewRun.id });
    });
    return moved.length > 0;
  }

  function schedule(runId: string) {
    if (running.has(runId) || closing) return;
    const loop = (async () => {
      try {
        while (!closing && (await sweepPage(runId))) await new Promise((r) => setImmediate(r));
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
