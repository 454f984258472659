import { sql } from 'drizzle-orm';
import { pgTable, text, integer, timestamp, uuid, index, uniqueIndex } from 'drizzle-orm/pg-core';

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
    /** running | done | cancelled | failed */
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
