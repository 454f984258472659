import { and, asc, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import { inJurisdiction, type Actor } from '../../platform/actor.ts';
import { uuidv7 } from '../../platform/ids.ts';
import { seededRandom, shuffled } from '../../platform/random.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { chinaDate } from '../../platform/work-calendar.ts';
import type { PermitContent } from '../../contracts/permits.ts';
import type { ManagementCategory } from '../../contracts/registry.ts';
import { recordAudit } from '../audit/index.ts';
import { appUser, can } from '../identity/index.ts';
import { expert, technicalAgency } from '../cases/index.ts';
import { permit, permitVersion } from '../permits/index.ts';
import { regionPrefixIs, registryUnit } from '../registry/index.ts';
import type { LedgerService } from '../ledger/index.ts';
import type { ReferenceService } from '../reference/index.ts';
import { PROBLEM_TYPES, RULES, problemTypeOf, runRules, thresholds, type ProblemType, type RuleHit } from './review.catalog.ts';
import { nearDuplicates, peerOutliers, type PopulationPermit } from './population.ts';
import { preparedBy, type ReviewService } from './review.service.ts';
import { reviewFinding, reviewPlan, reviewResult, reviewRun, reviewTask } from './review.tables.ts';

type Plan = typeof reviewPlan.$inferSelect;
type Task = typeof reviewTask.$inferSelect;
type Finding = typeof reviewFinding.$inferSelect;
export type ReviewLevel = 'national' | 'provincial' | 'municipal';
const LEVEL_ZH: Record<ReviewLevel, string> = { national: '国家', provincial: '省级', municipal: '市级' };

const PERIOD = /^(\d{4})(H[12]|Q[1-4])$/;
export const PlanInput = z
  .object({
    /** 2026H2 (national, half-yearly) or 2026Q4 (provincial, municipal: quarterly) */
    period: z.string().regex(PERIOD, '2026H2 / 2026Q4'),
    /** the jurisdiction sampled: '' national, 2 digits a province, 4 a city (default the caller's) */
    region: z.string().regex(/^(\d{2}|\d{4})?$/).optional(),
    title: z.string().trim().min(2).max(200).optional(),
    /** how many permits to review; default the level's sample rate of the population */
    sampleSize: z.number().int().min(1).max(100_000).optional(),
    /** the share drawn by risk score (定向); the rest is drawn at random (随机) */
    targetedShare: z.number().min(0).max(1).optional(),
    seed: z.number().int().min(0).max(2_147_483_647).optional(),
  })
  .strict();
export const AssignInput = z
  .object({ taskIds: z.array(z.uuid()).min(1).max(1000), userId: z.uuid().optional(), expertIds: z.array(z.uuid()).min(1).max(15).optional() })
  .strict()
  .refine((x) => Boolean(x.userId) !== Boolean(x.expertIds), { message: 'userId or expertIds, one of them / 指定审核人员或专家组之一' });
export const FindingDecisionInput = z.object({ decision: z.enum(['confirm', 'dismiss']), reason: z.string().trim().min(2).max(2000), expectedVersion: z.number().int().min(1) }).strict();
export const OwnFindingInput = z
  .object({
    problemType: z.enum(Object.keys(PROBLEM_TYPES) as [ProblemType, ...ProblemType[]]),
    severity: z.enum(['error', 'warning', 'notice']),
    ruleId: z.string().regex(/^QR-\d{3}$/).optional(),
    path: z.string().trim().max(200).optional(),
    message: z.string().trim().min(4).max(2000),
  })
  .strict();
export const CompleteInput = z.object({ conclusion: z.string().trim().min(2).max(4000), expectedVersion: z.number().int().min(1) }).strict();

/** The calendar range of a period label: 2026H2 → 2026-07-01..2026-12-31, 2026Q4 → 2026-10-01..2026-12-31. */
export function periodRange(period: string): { start: string; end: string; kind: 'half-year' | 'quarter' } {
  const m = PERIOD.exec(period);
  if (!m) throw new ValidationError({ zh: `期别 ${period} 应写作 2026H2 或 2026Q4`, en: `Write the period as 2026H2 or 2026Q4, not ${period}` });
  const year = Number(m[1]);
  const half = m[2][0] === 'H';
  const n = Number(m[2][1]);
  const firstMonth = half ? (n - 1) * 6 + 1 : (n - 1) * 3 + 1;
  const lastMonth = firstMonth + (half ? 5 : 2);
  const lastDay = new Date(Date.UTC(year, lastMonth, 0)).getUTCDate();
  const mm = (x: number) => String(x).padStart(2, '0');
  return { start: `${year}-${mm(firstMonth)}-01`, end: `${year}-${mm(lastMonth)}-${mm(lastDay)}`, kind: half ? 'half-year' : 'quarter' };
}

/** The level a jurisdiction plans at: the ministry nationally, a province, a city. */
export function levelOf(regionPrefix: string): ReviewLevel | null {
  return regionPrefix === '' ? 'national' : regionPrefix.length === 2 ? 'provincial' : regionPrefix.length === 4 ? 'municipal' : null;
}

export interface Candidate {
  permitId: string;
  permitNumber: string;
  regionCode: string;
  unitId: string;
  unitName: string;
  industryCode: string;
  unitCategory: string | null;
  agencyId: string | null;
  versionNo: number;
  content: PermitContent;
  categoryChanged: boolean;
}
export interface RiskReason {
  kind: keyof ReturnType<typeof thresholds>['review_tasks']['risk_weights'];
  n: number;
  points: number;
}

/**
 * The draw (pure, so that a plan can be drawn again from its record): the `targeted` riskiest
 * permits (ties by permit id), then a seeded uniform sample of the rest. Only permits with some
 * risk are drawn as targeted; a shortfall goes to the random part.
 */
export function drawSample<T extends { permitId: string; riskScore: number }>(population: readonly T[], size: number, targetedShare: number, seed: number) {
  const n = Math.min(size, population.length);
  const byRisk = population.filter((p) => p.riskScore > 0).sort((a, b) => b.riskScore - a.riskScore || (a.permitId < b.permitId ? -1 : 1));
  const targeted = byRisk.slice(0, Math.min(Math.round(n * targetedShare), byRisk.length));
  const taken = new Set(targeted.map((p) => p.permitId));
  const rest = population.filter((p) => !taken.has(p.permitId)).sort((a, b) => (a.permitId < b.permitId ? -1 : 1));
  const random = shuffled(rest, seededRandom(seed).next).slice(0, n - targeted.length);
  return { targeted, random };
}

/** Above this many permits the rules are not run again for the plan: the latest sweep's findings are used. */
const INLINE_MAX = 50_000;
const CHUNK = 1000;

export type ReviewTasksService = ReturnType<typeof createReviewTasksService>;

/**
 * 审核任务 (issue 4 item 4): sampling plans at the three levels over the permits newly issued or
 * changed in the period, the tasks they make, the review form (confirm or dismiss each hit and
 * flag, add one's own), completion (confirmed findings onto the rectification ledger, in the
 * same transaction), and the roll-up with coverage (全覆盖).
 */
export function createReviewTasksService(deps: { db: Db; clock: Clock; review: Pick<ReviewService, 'referenceVersion' | 'ruleTables'>; ledger: Pick<LedgerService, 'addReviewFindings'>; reference: Pick<ReferenceService, 'regionName'> }) {
  const { db, clock } = deps;
  const today = () => chinaDate(clock.now());
  const w = () => thresholds().review_tasks;

  /** Officials see the tasks of their jurisdiction; an assigned reviewer or expert theirs. */
  /** Tasks given to the caller: to them as a reviewer, or to an expert group they are in. */
  const assignedTo = (actor: Actor): SQL => sql`(${reviewTask.assigneeUserId} = ${actor.userId} or exists (select 1 from expert e where e.user_id = ${actor.userId} and e.id = any(${reviewTask.expertIds})))`;

  function taskScope(actor: Actor): SQL {
    const mine = assignedTo(actor);
    if (can(actor.role, 'review.run')) return sql`(${regionPrefixIs(reviewTask.regionCode, actor.regionPrefix)} or ${mine})`;
    if (can(actor.role, 'review.task')) return mine;
    return sql`false`;
  }

  async function findTask(actor: Actor, id: string): Promise<Task> {
    const [t] = await db.select().from(reviewTask).where(and(eq(reviewTask.id, id), taskScope(actor)));
    if (!t) throw new NotFoundError({ zh: '审核任务', en: 'review task' });
    return t;
  }

  /** The permits a plan samples: valid, in the region, with a version issued in the period. */
  async function candidates(prefix: string, start: string, end: string): Promise<Candidate[]> {
    const prev = sql`(select pv0.content->>'managementCategory' from permit_version pv0 where pv0.permit_id = ${permit.id} and pv0.version_no = ${permit.currentVersion} - 1)`;
    const rows = await db
      .select({
        permitId: permit.id,
        permitNumber: permit.permitNumber,
        regionCode: permit.regionCode,
        unitId: registryUnit.id,
        unitName: registryUnit.name,
        industryCode: registryUnit.industryCode,
        unitCategory: registryUnit.managementCategory,
        agencyId: preparedBy,
        versionNo: permitVersion.versionNo,
        content: permitVersion.content,
        previousCategory: prev,
      })
      .from(permit)
      .innerJoin(permitVersion, and(eq(permitVersion.permitId, permit.id), eq(permitVersion.versionNo, permit.currentVersion)))
      .innerJoin(registryUnit, eq(registryUnit.id, permit.unitId))
      .where(and(eq(permit.status, 'valid'), regionPrefixIs(permit.regionCode, prefix), sql`exists (select 1 from permit_version v where v.permit_id = ${permit.id} and v.issued_on between ${start}::date and ${end}::date)`))
      .orderBy(asc(permit.id));
    return rows.map(({ previousCategory, ...r }) => ({ ...r, content: r.content as PermitContent, categoryChanged: previousCategory !== null && previousCategory !== (r.content as PermitContent).managementCategory }));
  }

  /** Each technical agency's share of reviewed permits with a confirmed problem, over past tasks. */
  async function agencyProblemRates(): Promise<Map<string, number>> {
    const rows = await db
      .select({ agencyId: reviewTask.agencyId, done: count(), withProblems: sql<number>`count(*) filter (where exists (select 1 from review_finding f where f.task_id = ${reviewTask.id} and f.status = 'confirmed'))` })
      .from(reviewTask)
      .where(and(eq(reviewTask.status, 'done'), sql`${reviewTask.agencyId} is not null`))
      .groupBy(reviewTask.agencyId);
    return new Map(rows.map((r) => [r.agencyId!, Number(r.withProblems) / Number(r.done)]));
  }

  /** Rule hits per permit from the latest completed sweep over the region (large populations). */
  async function sweepHits(prefix: string): Promise<{ runId: string | null; hits: Map<string, RuleHit[]> }> {
    const [run] = await db
      .select({ id: reviewRun.id })
      .from(reviewRun)
      .where(and(eq(reviewRun.status, 'done'), sql`${prefix} like ${reviewRun.regionPrefix} || '%'`))
      .orderBy(desc(reviewRun.finishedAt))
      .limit(1);
    const hits = new Map<string, RuleHit[]>();
    if (!run) return { runId: null, hits };
    const rows = await db.select().from(reviewResult).where(and(eq(reviewResult.runId, run.id), regionPrefixIs(reviewResult.regionCode, prefix)));
    const codes = new Map(RULES.map((r) => [r.id, r.code]));
    for (const r of rows) hits.set(r.permitId, [...(hits.get(r.permitId) ?? []), { ruleId: r.ruleId, code: codes.get(r.ruleId) ?? r.ruleId, severity: r.severity as RuleHit['severity'], path: r.path, zh: r.messageZh, en: r.messageEn }]);
    return { runId: run.id, hits };
  }

  type Flag = { problemType: ProblemType; path: string; zh: string; en: string };

  async function act(actor: Actor, task: Task) {
    if (task.status === 'done') throw new AppError('REVIEW_TASK_DONE', 409, { zh: '该审核任务已办结', en: 'The task is completed' });
    const assigned = task.assigneeUserId === actor.userId || (task.expertIds.length > 0 && (await db.select({ id: expert.id }).from(expert).where(and(eq(expert.userId, actor.userId), inArray(expert.id, task.expertIds)))).length > 0);
    const supervising = can(actor.role, 'review.run') && inJurisdiction(actor.regionPrefix, task.regionCode);
    if (!assigned && !supervising) throw new ForbiddenError({ zh: '该任务未分派给您', en: 'The task is not assigned to you' });
  }

  return {
    /**
     * Draw a plan: the population, each permit's risk score (rule hits, statistical flags, the
     * agency's record, a category change), the targeted and random parts, the tasks and their
     * findings — in one transaction, with the seed and weights recorded.
     */
    async createPlan(actor: Actor, input: z.infer<typeof PlanInput>) {
      if (!can(actor.role, 'review.run')) throw new ForbiddenError();
      const prefix = input.region ?? actor.regionPrefix;
      if (!inJurisdiction(actor.regionPrefix, prefix)) throw new ValidationError({ zh: `只能抽查本辖区（${actor.regionPrefix || '全国'}）`, en: `You sample your own jurisdiction only (${actor.regionPrefix || 'national'})` });
      const level = levelOf(prefix);
      if (!level) throw new ValidationError({ zh: '抽查计划由部、省、市三级制定（区县不单独制定）', en: 'Plans are made nationally, by a province or by a city' });
      const { start, end, kind } = periodRange(input.period);
      const t = w();
      if (t.periods[level] !== kind) throw new ValidationError({ zh: `${LEVEL_ZH[level]}抽查按${t.periods[level] === 'half-year' ? '半年（如 2026H2）' : '季度（如 2026Q4）'}进行`, en: `A ${level} plan covers a ${t.periods[level]} (e.g. ${t.periods[level] === 'half-year' ? '2026H2' : '2026Q4'})` });
      const population = await candidates(prefix, start, end);
      if (population.length === 0) throw new AppError('REVIEW_EMPTY_POPULATION', 422, { zh: `${input.period} 期间本辖区没有新发或变更的许可证`, en: `No permit was issued or changed in ${input.period} in the jurisdiction` });

      // risk: rule hits (inline, or the latest sweep's for a large population), flags, agency record, category change
      const inline = population.length <= INLINE_MAX;
      const refTables = inline ? await deps.review.ruleTables() : null;
      const swept = inline ? null : await sweepHits(prefix);
      const on = today();
      const hitsOf = new Map<string, RuleHit[]>();
      for (const c of population) {
        const unit = { regionCode: c.regionCode, industryCode: c.industryCode, managementCategory: c.unitCategory as ManagementCategory | null };
        hitsOf.set(c.permitId, refTables ? runRules({ content: c.content, permitNumber: c.permitNumber, unit, today: on, ...refTables }) : (swept!.hits.get(c.permitId) ?? []));
      }
      const flags = new Map<string, Flag[]>();
      const flag = (id: string, f: Flag) => flags.set(id, [...(flags.get(id) ?? []), f]);
      if (inline) {
        const pop: PopulationPermit[] = population.map((c) => ({ id: c.permitId, permitNumber: c.permitNumber, industryCode: c.industryCode, regionCode: c.regionCode, agencyId: c.agencyId, content: c.content }));
        for (const o of peerOutliers(pop)) {
          flag(o.permitId, {
            problemType: o.metric.startsWith('quantity/') ? 'quantities' : 'limits',
            path: o.metric,
            zh: `${o.metric} 为 ${round(o.value)} ${o.unit}，同行业（${o.group.industryCode}）同城（${o.group.cityCode}）${o.group.peers} 家的中位数为 ${round(o.group.median)}，是其 ${round(o.ratio)} 倍（稳健 z=${round(o.score)}）`,
            en: `${o.metric} is ${round(o.value)} ${o.unit}; the median of ${o.group.peers} peers (industry ${o.group.industryCode}, city ${o.group.cityCode}) is ${round(o.group.median)}: ${round(o.ratio)}× (robust z ${round(o.score)})`,
          });
        }
        for (const g of nearDuplicates(pop)) {
          for (const p of g.permits) {
            const others = g.permits.filter((x) => x.id !== p.id).map((x) => x.permitNumber);
            flag(p.id, { problemType: 'similarity', path: 'content', zh: `与 ${others.slice(0, 5).join('、')}${others.length > 5 ? ` 等 ${others.length} 张` : ''}内容高度雷同（相似度 ≥ ${round(g.similarity)}）`, en: `nearly the same as ${others.slice(0, 5).join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''} (similarity ≥ ${round(g.similarity)})` });
          }
        }
      }
      const rates = await agencyProblemRates();
      const weights = t.risk_weights;
      const scored = population.map((c) => {
        const hits = hitsOf.get(c.permitId)!;
        const fl = flags.get(c.permitId) ?? [];
        const reasons: RiskReason[] = [];
        const add = (kind: RiskReason['kind'], n: number) => n > 0 && reasons.push({ kind, n: round(n), points: round(n * weights[kind]) });
        add('rule_error', hits.filter((h) => h.severity === 'error').length);
        add('rule_warning', hits.filter((h) => h.severity === 'warning').length);
        add('peer_outlier', fl.filter((f) => f.problemType !== 'similarity').length);
        add('near_duplicate', fl.some((f) => f.problemType === 'similarity') ? 1 : 0);
        add('agency_problem_rate', c.agencyId ? (rates.get(c.agencyId) ?? 0) : 0);
        add('category_change', c.categoryChanged ? 1 : 0);
        return { ...c, riskScore: round(reasons.reduce((s, r) => s + r.points, 0)), reasons };
      });
      const size = Math.min(t.max_sample, input.sampleSize ?? Math.max(1, Math.ceil(population.length * t.default_sample_rate[level])));
      const targetedShare = input.targetedShare ?? t.default_targeted_share;
      const seed = input.seed ?? Number(clock.now().getTime() % 2_147_483_647);
      const { targeted, random } = drawSample(scored, size, targetedShare, seed);
      const now = clock.now();
      const plan: Plan = {
        id: uuidv7(),
        level,
        regionPrefix: prefix,
        period: input.period,
        periodStart: start,
        periodEnd: end,
        title: input.title ?? `${input.period} ${LEVEL_ZH[level]}排污许可证质量抽查`,
        population: population.length,
        sampleSize: targeted.length + random.length,
        targeted: targeted.length,
        random: random.length,
        targetedShare,
        seed,
        riskWeights: { ...weights, ruleSource: inline ? 'inline' : `sweep:${swept!.runId ?? 'none'}`, flags: inline },
        referenceVersion: await deps.review.referenceVersion(),
        status: 'open',
        createdBy: actor.displayName,
        createdAt: now,
        updatedAt: now,
      };
      const tasks: Task[] = [];
      const findings: Finding[] = [];
      for (const [selection, part] of [['targeted', targeted], ['random', random]] as const) {
        for (const c of part) {
          const task: Task = { id: uuidv7(), planId: plan.id, regionCode: c.regionCode, permitId: c.permitId, permitNumber: c.permitNumber, versionNo: c.versionNo, unitId: c.unitId, unitName: c.unitName, industryCode: c.industryCode, agencyId: c.agencyId, selection, riskScore: c.riskScore, riskReasons: c.reasons, assigneeUserId: null, assigneeName: null, expertIds: [], status: 'pending', conclusion: null, completedBy: null, completedAt: null, version: 1, createdAt: now, updatedAt: now };
          tasks.push(task);
          const base = { taskId: task.id, regionCode: c.regionCode, status: 'open', reason: null, decidedBy: null, decidedAt: null, ledgerItemId: null, version: 1, createdBy: 'system', createdAt: now };
          for (const h of hitsOf.get(c.permitId)!) findings.push({ ...base, id: uuidv7(), origin: 'rule', ruleId: h.ruleId, problemType: problemTypeOf(h.ruleId), severity: h.severity, path: h.path, messageZh: h.zh, messageEn: h.en });
          for (const f of flags.get(c.permitId) ?? []) findings.push({ ...base, id: uuidv7(), origin: 'flag', ruleId: null, problemType: f.problemType, severity: 'notice', path: f.path, messageZh: f.zh, messageEn: f.en });
        }
      }
      await db.transaction(async (tx) => {
        await tx.insert(reviewPlan).values(plan);
        for (let i = 0; i < tasks.length; i += CHUNK) await tx.insert(reviewTask).values(tasks.slice(i, i + CHUNK));
        for (let i = 0; i < findings.length; i += CHUNK) await tx.insert(reviewFinding).values(findings.slice(i, i + CHUNK));
        await recordAudit(tx, clock, actor, { action: 'review.plan', entityType: 'review_plan', entityId: plan.id, regionCode: prefix.padEnd(6, '0'), after: { level, period: plan.period, population: plan.population, targeted: plan.targeted, random: plan.random, seed, targetedShare } });
      });
      return { ...plan, findings: findings.length };
    },

    async listPlans(actor: Actor) {
      if (!can(actor.role, 'review.run')) throw new ForbiddenError();
      const plans = await db.select().from(reviewPlan).where(regionPrefixIs(reviewPlan.regionPrefix, actor.regionPrefix)).orderBy(desc(reviewPlan.periodStart), desc(reviewPlan.createdAt)).limit(200);
      const progress = plans.length
        ? await db.select({ planId: reviewTask.planId, done: sql<number>`count(*) filter (where ${reviewTask.status} = 'done')`, assigned: sql<number>`count(*) filter (where ${reviewTask.assigneeUserId} is not null or cardinality(${reviewTask.expertIds}) > 0)` }).from(reviewTask).where(inArray(reviewTask.planId, plans.map((p) => p.id))).groupBy(reviewTask.planId)
        : [];
      const by = new Map(progress.map((p) => [p.planId, p]));
      return { items: plans.map((p) => ({ ...p, done: Number(by.get(p.id)?.done ?? 0), assigned: Number(by.get(p.id)?.assigned ?? 0) })) };
    },

    async getPlan(actor: Actor, id: string) {
      const [p] = await db.select().from(reviewPlan).where(and(eq(reviewPlan.id, id), regionPrefixIs(reviewPlan.regionPrefix, actor.regionPrefix)));
      if (!p || !can(actor.role, 'review.run')) throw new NotFoundError({ zh: '抽查计划', en: 'review plan' });
      return p;
    },

    async listTasks(actor: Actor, q: { planId?: string; status?: string; mine?: boolean; selection?: string; page?: number; pageSize?: number }) {
      const page = q.page ?? 1;
      const pageSize = q.pageSize ?? 20;
      const conds: SQL[] = [taskScope(actor)];
      if (q.planId) conds.push(eq(reviewTask.planId, q.planId));
      if (q.status) conds.push(eq(reviewTask.status, q.status));
      if (q.selection) conds.push(eq(reviewTask.selection, q.selection));
      if (q.mine) conds.push(assignedTo(actor));
      const where = and(...conds);
      const open = sql<number>`(select count(*) from review_finding f where f.task_id = ${reviewTask.id} and f.status = 'open')`;
      const confirmed = sql<number>`(select count(*) from review_finding f where f.task_id = ${reviewTask.id} and f.status = 'confirmed')`;
      const [items, [{ n }]] = await Promise.all([
        db.select({ task: reviewTask, open, confirmed, period: reviewPlan.period }).from(reviewTask).innerJoin(reviewPlan, eq(reviewPlan.id, reviewTask.planId)).where(where).orderBy(sql`(${reviewTask.status} = 'done')`, desc(reviewTask.riskScore), asc(reviewTask.permitNumber)).limit(pageSize).offset((page - 1) * pageSize),
        db.select({ n: count() }).from(reviewTask).where(where),
      ]);
      return { items: items.map((r) => ({ ...r.task, period: r.period, openFindings: Number(r.open), confirmedFindings: Number(r.confirmed) })), total: Number(n), page, pageSize };
    },

    /** The review form: the task, its permit, its findings (open first) and the experts named. */
    async getTask(actor: Actor, id: string) {
      const task = await findTask(actor, id);
      const [findings, experts, [plan], agency] = await Promise.all([
        db.select().from(reviewFinding).where(eq(reviewFinding.taskId, id)).orderBy(sql`case ${reviewFinding.status} when 'open' then 0 else 1 end`, sql`case ${reviewFinding.severity} when 'error' then 0 when 'warning' then 1 else 2 end`, asc(reviewFinding.ruleId), asc(reviewFinding.createdAt)),
        task.expertIds.length ? db.select({ id: expert.id, name: expert.name }).from(expert).where(inArray(expert.id, task.expertIds)) : Promise.resolve([]),
        db.select({ period: reviewPlan.period, title: reviewPlan.title, level: reviewPlan.level }).from(reviewPlan).where(eq(reviewPlan.id, task.planId)),
        task.agencyId ? db.select({ name: technicalAgency.name }).from(technicalAgency).where(eq(technicalAgency.id, task.agencyId)) : Promise.resolve([]),
      ]);
      return { ...task, plan, agencyName: agency[0]?.name ?? null, experts, findings };
    },

    /** Who may be given tasks in a region: officials and expert-role users there, and the experts of the pools covering it. */
    async reviewers(actor: Actor, region?: string) {
      if (!can(actor.role, 'review.run')) throw new ForbiddenError();
      const prefix = region ?? actor.regionPrefix;
      if (!inJurisdiction(actor.regionPrefix, prefix)) throw new NotFoundError({ zh: '行政区', en: 'region' });
      const users = await db
        .select({ id: appUser.id, displayName: appUser.displayName, role: appUser.role, regionPrefix: appUser.regionPrefix })
        .from(appUser)
        .where(and(eq(appUser.disabled, false), sql`${prefix} like ${appUser.regionPrefix} || '%'`))
        .orderBy(asc(appUser.displayName));
      const experts = await db
        .select({ id: expert.id, name: expert.name, poolRegion: expert.poolRegion, specialties: expert.specialties, employer: expert.employer })
        .from(expert)
        .where(and(sql`(${prefix} like ${expert.poolRegion} || '%' or ${expert.poolRegion} like ${prefix} || '%')`, sql`${expert.activeFrom} <= ${today()}::date`, sql`(${expert.activeTo} is null or ${expert.activeTo} >= ${today()}::date)`))
        .orderBy(asc(expert.name));
      return { users: users.filter((u) => can(u.role, 'review.task')), experts };
    },

    /**
     * Give tasks to a reviewer (a user whose jurisdiction covers each task's permit) or an expert
     * group (active experts, none employed by the agency that prepared the permit nor related to
     * its holder: 回避).
     */
    async assign(actor: Actor, input: z.infer<typeof AssignInput>) {
      if (!can(actor.role, 'review.run')) throw new ForbiddenError();
      const tasks = await db.select().from(reviewTask).where(and(inArray(reviewTask.id, input.taskIds), regionPrefixIs(reviewTask.regionCode, actor.regionPrefix)));
      if (tasks.length !== new Set(input.taskIds).size) throw new NotFoundError({ zh: '审核任务', en: 'review task' });
      const done = tasks.filter((t) => t.status === 'done');
      if (done.length) throw new AppError('REVIEW_TASK_DONE', 409, { zh: `${done.map((t) => t.permitNumber).join('、')} 已办结，不能改派`, en: `${done.map((t) => t.permitNumber).join(', ')}: completed, cannot be reassigned` });
      let set: Partial<Task>;
      if (input.userId) {
        const [u] = await db.select().from(appUser).where(eq(appUser.id, input.userId));
        if (!u || u.disabled || !can(u.role, 'review.task')) throw new ValidationError({ zh: '该用户不能承担审核任务', en: 'That user cannot take review tasks' });
        const outside = tasks.filter((t) => !inJurisdiction(u.regionPrefix, t.regionCode));
        if (outside.length) throw new ForbiddenError({ zh: `${u.displayName} 的辖区（${u.regionPrefix || '全国'}）不含 ${outside.map((t) => t.permitNumber).slice(0, 3).join('、')}`, en: `${u.displayName}'s jurisdiction (${u.regionPrefix || 'national'}) does not cover ${outside.map((t) => t.permitNumber).slice(0, 3).join(', ')}` });
        set = { assigneeUserId: u.id, assigneeName: u.displayName, expertIds: [] };
      } else {
        const ids = [...new Set(input.expertIds!)];
        const on = today();
        const group = await db.select().from(expert).where(inArray(expert.id, ids));
        const inactive = group.filter((e) => e.activeFrom > on || (e.activeTo !== null && e.activeTo < on));
        if (group.length !== ids.length || inactive.length) throw new ValidationError({ zh: '专家不存在或不在库', en: 'An expert is unknown or not in the pool now' });
        const entities = new Map((await db.select({ id: permit.id, entityId: permit.entityId }).from(permit).where(inArray(permit.id, tasks.map((t) => t.permitId)))).map((p) => [p.id, p.entityId]));
        for (const t of tasks) {
          const outside = group.filter((e) => !inJurisdiction(e.poolRegion, t.regionCode));
          if (outside.length) throw new ValidationError({ zh: `${outside.map((e) => e.name).join('、')} 所在专家库不覆盖 ${t.permitNumber}`, en: `${outside.map((e) => e.name).join(', ')}: their pool does not cover ${t.permitNumber}` });
          const conflicted = group.filter((e) => (t.agencyId && e.employerAgencyId === t.agencyId) || e.relatedEntityIds.includes(entities.get(t.permitId)!));
          if (conflicted.length) throw new AppError('EXPERT_CONFLICT', 409, { zh: `${conflicted.map((e) => e.name).join('、')} 与 ${t.permitNumber} 有利害关系，应当回避`, en: `${conflicted.map((e) => e.name).join(', ')} must stand aside from ${t.permitNumber} (conflict of interest)` });
        }
        set = { assigneeUserId: null, assigneeName: `专家组：${group.map((e) => e.name).join('、')}`, expertIds: ids };
      }
      const now = clock.now();
      await db.transaction(async (tx) => {
        await tx.update(reviewTask).set({ ...set, version: sql`${reviewTask.version} + 1`, updatedAt: now }).where(inArray(reviewTask.id, input.taskIds));
        for (const t of tasks) await recordAudit(tx, clock, actor, { action: 'review.task.assign', entityType: 'review_task', entityId: t.id, regionCode: t.regionCode, before: { assignee: t.assigneeName }, after: { assignee: set.assigneeName } });
      });
      return { assigned: tasks.length, assigneeName: set.assigneeName };
    },

    /** Confirm or dismiss a hit or flag, with the reason; the first of two reviewers wins (409 for the second). */
    async decideFinding(actor: Actor, findingId: string, input: z.infer<typeof FindingDecisionInput>) {
      const [f] = await db.select().from(reviewFinding).where(eq(reviewFinding.id, findingId));
      if (!f) throw new NotFoundError({ zh: '审核发现', en: 'finding' });
      const task = await findTask(actor, f.taskId);
      await act(actor, task);
      const now = clock.now();
      return db.transaction(async (tx) => {
        const [after] = await tx
          .update(reviewFinding)
          .set({ status: input.decision === 'confirm' ? 'confirmed' : 'dismissed', reason: input.reason, decidedBy: actor.displayName, decidedAt: now, version: f.version + 1 })
          .where(and(eq(reviewFinding.id, f.id), eq(reviewFinding.version, input.expectedVersion)))
          .returning();
        if (!after) throw new ConflictError('REVIEW_FINDING_CHANGED', { zh: '该发现已被他人处理，请刷新后查看', en: 'Someone else decided this finding; reload to see it' });
        await tx.update(reviewTask).set({ status: 'in_review', updatedAt: now }).where(and(eq(reviewTask.id, task.id), eq(reviewTask.status, 'pending')));
        await recordAudit(tx, clock, actor, { action: `review.finding.${input.decision}`, entityType: 'review_finding', entityId: f.id, regionCode: f.regionCode, before: { status: f.status, version: f.version }, after: { status: after.status, reason: input.reason } });
        return after;
      });
    },

    /** The reviewer's own finding (confirmed as they write it). */
    async addFinding(actor: Actor, taskId: string, input: z.infer<typeof OwnFindingInput>) {
      const task = await findTask(actor, taskId);
      await act(actor, task);
      const now = clock.now();
      const row: Finding = { id: uuidv7(), taskId, regionCode: task.regionCode, origin: 'reviewer', ruleId: input.ruleId ?? null, problemType: input.problemType, severity: input.severity, path: input.path ?? '', messageZh: input.message, messageEn: input.message, status: 'confirmed', reason: input.message, decidedBy: actor.displayName, decidedAt: now, ledgerItemId: null, version: 1, createdBy: actor.displayName, createdAt: now };
      return db.transaction(async (tx) => {
        await tx.insert(reviewFinding).values(row);
        await tx.update(reviewTask).set({ status: 'in_review', updatedAt: now }).where(and(eq(reviewTask.id, taskId), eq(reviewTask.status, 'pending')));
        await recordAudit(tx, clock, actor, { action: 'review.finding.add', entityType: 'review_finding', entityId: row.id, regionCode: row.regionCode, after: { problemType: row.problemType, severity: row.severity, message: row.messageZh } });
        return row;
      });
    },

    /**
     * 办结: every finding decided, the conclusion written; the confirmed ones go onto the
     * rectification ledger (deadline rectification_days from today) in the same transaction.
     */
    async completeTask(actor: Actor, taskId: string, input: z.infer<typeof CompleteInput>) {
      const task = await findTask(actor, taskId);
      await act(actor, task);
      const findings = await db.select().from(reviewFinding).where(eq(reviewFinding.taskId, taskId));
      const open = findings.filter((f) => f.status === 'open');
      if (open.length) throw new AppError('REVIEW_OPEN_FINDINGS', 409, { zh: `还有 ${open.length} 条发现未确认或排除`, en: `${open.length} findings are neither confirmed nor dismissed` });
      const [p] = await db.select({ entityId: permit.entityId, unitId: permit.unitId }).from(permit).where(eq(permit.id, task.permitId));
      const confirmed = findings.filter((f) => f.status === 'confirmed');
      const deadline = chinaDate(new Date(clock.now().getTime() + w().rectification_days * 86_400_000));
      const ruleBasis = new Map(RULES.map((r) => [r.id, r.basis.zh]));
      const now = clock.now();
      return db.transaction(async (tx) => {
        const [after] = await tx.update(reviewTask).set({ status: 'done', conclusion: input.conclusion, completedBy: actor.displayName, completedAt: now, version: task.version + 1, updatedAt: now }).where(and(eq(reviewTask.id, taskId), eq(reviewTask.version, input.expectedVersion), sql`${reviewTask.status} <> 'done'`)).returning();
        if (!after) throw new ConflictError('REVIEW_TASK_CHANGED', { zh: '该任务已被他人处理，请刷新后重试', en: 'Someone else acted on the task; reload and try again' });
        const made = await deps.ledger.addReviewFindings(
          actor,
          confirmed.map((f) => ({
            findingId: f.id,
            regionCode: task.regionCode,
            unitId: p.unitId,
            entityId: p.entityId,
            permitId: task.permitId,
            problem: `${task.permitNumber}：${f.messageZh}`,
            basis: `质量审核（${f.ruleId ? `${f.ruleId} ${ruleBasis.get(f.ruleId) ?? ''}` : PROBLEM_TYPES[f.problemType as ProblemType]?.zh ?? f.problemType}）`,
            responsible: task.unitName,
            deadline,
          })),
          tx,
        );
        for (const [findingId, itemId] of made) await tx.update(reviewFinding).set({ ledgerItemId: itemId }).where(eq(reviewFinding.id, findingId));
        await recordAudit(tx, clock, actor, { action: 'review.task.complete', entityType: 'review_task', entityId: taskId, regionCode: task.regionCode, before: { status: task.status }, after: { status: 'done', confirmed: confirmed.length, dismissed: findings.length - confirmed.length, ledgerItems: made.size } });
        return { ...after, ledgerItems: made.size };
      });
    },

    /**
     * The roll-up (汇总) for a period: per child region (provinces of the nation, cities of a
     * province, counties of a city) the permits in scope, sampled, reviewed, with problems; the
     * coverage (全覆盖: reviewed ÷ newly issued or changed); problems by type and by agency.
     */
    async rollup(actor: Actor, q: { period: string; region?: string }) {
      if (!can(actor.role, 'review.run')) throw new ForbiddenError();
      const prefix = q.region ?? actor.regionPrefix;
      if (!inJurisdiction(actor.regionPrefix, prefix)) throw new NotFoundError({ zh: '行政区', en: 'region' });
      const { start, end } = periodRange(q.period);
      const childLen = prefix.length === 0 ? 2 : prefix.length === 2 ? 4 : 6;
      const overlapping = sql`(select id from review_plan rp where rp.period_start <= ${end}::date and rp.period_end >= ${start}::date)`;
      const population = await db
        .select({ child: sql<string>`left(${permit.regionCode}, ${childLen})`, n: count() })
        .from(permit)
        .where(and(eq(permit.status, 'valid'), regionPrefixIs(permit.regionCode, prefix), sql`exists (select 1 from permit_version v where v.permit_id = ${permit.id} and v.issued_on between ${start}::date and ${end}::date)`))
        .groupBy(sql`1`);
      const taskWhere = and(regionPrefixIs(reviewTask.regionCode, prefix), sql`${reviewTask.planId} in ${overlapping}`);
      const hasProblem = sql`exists (select 1 from review_finding f where f.task_id = ${reviewTask.id} and f.status = 'confirmed')`;
      const tasks = await db
        .select({
          child: sql<string>`left(${reviewTask.regionCode}, ${childLen})`,
          sampled: sql<number>`count(distinct ${reviewTask.permitId})`,
          reviewed: sql<number>`count(distinct ${reviewTask.permitId}) filter (where ${reviewTask.status} = 'done')`,
          withProblems: sql<number>`count(distinct ${reviewTask.permitId}) filter (where ${reviewTask.status} = 'done' and ${hasProblem})`,
        })
        .from(reviewTask)
        .where(taskWhere)
        .groupBy(sql`1`);
      const byType = await db
        .select({ problemType: reviewFinding.problemType, n: count() })
        .from(reviewFinding)
        .innerJoin(reviewTask, eq(reviewTask.id, reviewFinding.taskId))
        .where(and(taskWhere, eq(reviewFinding.status, 'confirmed'), eq(reviewTask.status, 'done')))
        .groupBy(reviewFinding.problemType)
        .orderBy(desc(count()));
      const byAgency = await db
        .select({ agencyId: reviewTask.agencyId, name: technicalAgency.name, reviewed: count(), withProblems: sql<number>`count(*) filter (where ${hasProblem})` })
        .from(reviewTask)
        .leftJoin(technicalAgency, eq(technicalAgency.id, reviewTask.agencyId))
        .where(and(taskWhere, eq(reviewTask.status, 'done')))
        .groupBy(reviewTask.agencyId, technicalAgency.name);
      const pop = new Map(population.map((r) => [r.child, Number(r.n)]));
      const tk = new Map(tasks.map((r) => [r.child, r]));
      const children = [...new Set([...pop.keys(), ...tk.keys()])].sort();
      const rows = [];
      for (const c of children) {
        const population = pop.get(c) ?? 0;
        const t = tk.get(c);
        const reviewed = Number(t?.reviewed ?? 0);
        const withProblems = Number(t?.withProblems ?? 0);
        rows.push({ regionCode: c.padEnd(6, '0'), regionName: (await deps.reference.regionName(c.padEnd(6, '0'))) ?? c, population, sampled: Number(t?.sampled ?? 0), reviewed, withProblems, coverage: population ? reviewed / population : null, problemRate: reviewed ? withProblems / reviewed : null });
      }
      const total = rows.reduce((s, r) => ({ population: s.population + r.population, sampled: s.sampled + r.sampled, reviewed: s.reviewed + r.reviewed, withProblems: s.withProblems + r.withProblems }), { population: 0, sampled: 0, reviewed: 0, withProblems: 0 });
      return {
        period: q.period,
        region: prefix,
        total: { ...total, coverage: total.population ? total.reviewed / total.population : null, problemRate: total.reviewed ? total.withProblems / total.reviewed : null },
        rows,
        byType: byType.map((r) => ({ problemType: r.problemType, label: PROBLEM_TYPES[r.problemType as ProblemType] ?? PROBLEM_TYPES.other, n: Number(r.n) })),
        byAgency: byAgency.map((r) => ({ agencyId: r.agencyId, name: r.name ?? '（无技术机构）', reviewed: Number(r.reviewed), withProblems: Number(r.withProblems), problemRate: Number(r.withProblems) / Number(r.reviewed) })).sort((a, b) => b.problemRate - a.problemRate || b.reviewed - a.reviewed),
      };
    },
  };
}

const round = (x: number) => Math.round(x * 100) / 100;
