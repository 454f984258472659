import { sql } from 'drizzle-orm';
import { pgTable, text, integer, timestamp, uuid, index, uniqueIndex, date, jsonb, doublePrecision } from 'drizzle-orm/pg-core';

/**
 * A sweep of the review catalog over the valid permits of a jurisdiction: its progress, where it
 * got to (`cursor`, the last permit id done: a sweep resumes after it) and the reference data it
 * judged against (`reference_version`).
 */
export const reviewRun = pgTable(
  'review_run',
  {
    id: uuid('id').primaryKey(),
    /** region code prefix swept ('' = national) */
    regionPrefix: text('region_prefix').notNull(),
    /** running | done | cancelled | failed | superseded (the reference data changed under it) */
    status: text('status').notNull(),
    total: integer('total').notNull(),
    processed: integer('processed').notNull().default(0),
    hits: integer('hits').notNull().default(0),
    errors: integer('errors').notNull().default(0),
    cursor: uuid('cursor'),
    referenceVersion: text('reference_version').notNull(),
    error: text('error'),
    startedBy: text('started_by').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('review_run_region_idx').on(sql`${t.regionPrefix} text_pattern_ops`)],
);

/** One finding of one rule on one permit in one sweep; written once (a resumed sweep skips what it has). */
export const reviewResult = pgTable(
  'review_result',
  {
    id: uuid('id').primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => reviewRun.id),
    permitId: uuid('permit_id').notNull(),
    permitNumber: text('permit_number').notNull(),
    regionCode: text('region_code').notNull(),
    versionNo: integer('version_no').notNull(),
    ruleId: text('rule_id').notNull(),
    severity: text('severity').notNull(),
    path: text('path').notNull(),
    messageZh: text('message_zh').notNull(),
    messageEn: text('message_en').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('review_result_uq').on(t.runId, t.permitId, t.ruleId, t.path), index('review_result_permit_idx').on(t.permitId), index('review_result_rule_idx').on(t.runId, t.ruleId)],
);

/**
 * 抽查计划: a review plan of one level (national half-yearly, provincial or municipal quarterly)
 * over the permits newly issued or changed in its period, inside its jurisdiction. The sample is
 * drawn once when the plan is made, and everything that decided it is kept: the population, the
 * targeted and random shares, the seed and the risk weights.
 */
export const reviewPlan = pgTable(
  'review_plan',
  {
    id: uuid('id').primaryKey(),
    /** national | provincial | municipal */
    level: text('level').notNull(),
    regionPrefix: text('region_prefix').notNull(),
    /** 2026H2 (half-year) or 2026Q4 (quarter) */
    period: text('period').notNull(),
    periodStart: date('period_start').notNull(),
    periodEnd: date('period_end').notNull(),
    title: text('title').notNull(),
    /** permits newly issued or changed in the period (the population sampled) */
    population: integer('population').notNull(),
    sampleSize: integer('sample_size').notNull(),
    targeted: integer('targeted').notNull(),
    random: integer('random').notNull(),
    targetedShare: doublePrecision('targeted_share').notNull(),
    seed: integer('seed').notNull(),
    /** the risk score's weights as used (thresholds.json review_tasks.risk_weights) */
    riskWeights: jsonb('risk_weights').notNull(),
    referenceVersion: text('reference_version').notNull(),
    /** open | closed */
    status: text('status').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('review_plan_region_idx').on(sql`${t.regionPrefix} text_pattern_ops`, t.periodStart)],
);

/** One sampled permit of a plan, to be reviewed by a reviewer or an expert group. */
export const reviewTask = pgTable(
  'review_task',
  {
    id: uuid('id').primaryKey(),
    planId: uuid('plan_id')
      .notNull()
      .references(() => reviewPlan.id),
    /** the permit's region (a task is seen inside its jurisdiction) */
    regionCode: text('region_code').notNull(),
    permitId: uuid('permit_id').notNull(),
    permitNumber: text('permit_number').notNull(),
    versionNo: integer('version_no').notNull(),
    unitId: uuid('unit_id').notNull(),
    unitName: text('unit_name').notNull(),
    industryCode: text('industry_code').notNull(),
    /** the technical agency that prepared the application, if one did */
    agencyId: uuid('agency_id'),
    /** random | targeted */
    selection: text('selection').notNull(),
    riskScore: doublePrecision('risk_score').notNull(),
    /** what made up the risk score: [{ kind, n, points }] */
    riskReasons: jsonb('risk_reasons').notNull(),
    assigneeUserId: uuid('assignee_user_id'),
    assigneeName: text('assignee_name'),
    /** an expert group (专家组): the experts' ids in the pool */
    expertIds: uuid('expert_ids').array().notNull().default(sql`'{}'::uuid[]`),
    /** pending | in_review | done */
    status: text('status').notNull(),
    conclusion: text('conclusion'),
    completedBy: text('completed_by'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    version: integer('version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('review_task_plan_permit_uq').on(t.planId, t.permitId),
    index('review_task_region_idx').on(sql`${t.regionCode} text_pattern_ops`, t.status),
    index('review_task_permit_idx').on(t.permitId),
    index('review_task_assignee_idx').on(t.assigneeUserId),
  ],
);

/**
 * What the review form holds for one task: the rule hits and statistical flags found when the
 * sample was drawn (to confirm or dismiss, with a reason) and the reviewer's own findings.
 * A confirmed finding goes onto the rectification ledger when the task is completed.
 */
export const reviewFinding = pgTable(
  'review_finding',
  {
    id: uuid('id').primaryKey(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => reviewTask.id),
    regionCode: text('region_code').notNull(),
    /** rule | flag | reviewer */
    origin: text('origin').notNull(),
    ruleId: text('rule_id'),
    /** the problem type the roll-up counts by (review.catalog PROBLEM_TYPES) */
    problemType: text('problem_type').notNull(),
    severity: text('severity').notNull(),
    path: text('path').notNull(),
    messageZh: text('message_zh').notNull(),
    messageEn: text('message_en').notNull(),
    /** open | confirmed | dismissed */
    status: text('status').notNull(),
    reason: text('reason'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    ledgerItemId: uuid('ledger_item_id'),
    version: integer('version').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('review_finding_task_idx').on(t.taskId), index('review_finding_region_idx').on(sql`${t.regionCode} text_pattern_ops`, t.status)],
);
